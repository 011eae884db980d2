"""Training runs: the BFF is their source of truth; the ML API does the work.

``request_training`` records a QUEUED run and tries to hand it to the ML API at once.
From then on :class:`RunReconciler` (a background thread in every BFF process) drives
each active run: it polls the ML API's job status, re-sends the idempotent
``startTraining`` when the ML API does not know the run or its heartbeat went stale (a
killed pod or GPU node: the ML API resumes from the last checkpoint), retries with
backoff while the ML API is unreachable, and scores a finished model on the workshop's
hidden test photos before the run shows as SUCCEEDED. Several processes may run the loop:
a run is *claimed* with a conditional UPDATE of ``next_attempt_at`` (a lease), so only
one of them works on a run at a time, and a crashed holder's lease simply runs out.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pictolab.contract.errors import ErrorCode, FailedPrecondition
from pictolab.contract.jobs import JobErrorCode, JobStatus
from pictolab.settings import Settings
from pictolab.storage import Storage

from . import audit
from .embedding_requests import EmbeddingRequester
from .hints import HintsRefresher
from .ml_client import MLClient, MLError, MLUnavailable
from .models import (
    Group,
    Phase,
    Photo,
    RunErrorCode,
    RunStatus,
    TrainingMode,
    TrainingRun,
    Workshop,
    run_error_code,
    utcnow,
)
from .photos import group_photos, hidden_test_photos

log = logging.getLogger(__name__)

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
TRAINING_PHASES = (Phase.TRAIN,)
# The ML API writes a heartbeat every 2 s and treats an owner as gone after 15 s of
# silence (sooner when the owner's process is known dead). Re-sending startTraining is
# harmless (it returns the live job), so the BFF nudges once the heartbeat is this old,
# then gives the ML API a few seconds before it looks again.
STALE_HEARTBEAT = timedelta(seconds=15)
AFTER_NUDGE = timedelta(seconds=3)
POLL_INTERVAL = timedelta(seconds=0.5)
# A claim outlives the longest step (status 10 s + start 30 s + evaluate 120 s: see
# MLClient timeouts), so two processes never work on one run at the same time.
LEASE = timedelta(seconds=240)
MAX_BACKOFF_SECONDS = 30.0
# The watch (issue 11): instead of polling an active run, a long poll on the ML API
# (trainingJob waitSeconds, ml_api/job_wait.py) answers when its job changes, and the run is
# driven again at once (scored as soon as it trained). The run's lease covers one long poll;
# if this process dies meanwhile, another one polls the run when the lease runs out. A few
# per process: each holds one of the ML API's threads while it waits (the rest are polled).
WATCH_SECONDS = 4.0
WATCH_LEASE = timedelta(seconds=WATCH_SECONDS + 2.0)
MAX_WATCHES = 4
# About 15 minutes of retrying (backoff capped at 30 s) before a run is given up: the
# instructor sees a failed run and the group can press "train" again.
MAX_ATTEMPTS = 35
# The ML progress fills the bar to here; scoring on the hidden test set takes the rest.
TRAINING_SHARE = 0.95


# ---- starting a run ------------------------------------------------------------------------
def photo_counts(db: Session, group: Group) -> dict[str, int]:
    rows = db.execute(select(Photo.class_id, func.count()).where(Photo.group_id == group.id)
                      .group_by(Photo.class_id)).all()
    return {class_id: count for class_id, count in rows}


def active_run(db: Session, group: Group) -> TrainingRun | None:
    return db.scalars(select(TrainingRun).where(TrainingRun.group_id == group.id, TrainingRun.status.in_(ACTIVE))
                      .order_by(TrainingRun.created_at.desc())).first()


def request_training(db: Session, settings: Settings, group: Group, mode: TrainingMode) -> TrainingRun:
    """Validate and record a QUEUED run (committed). A group with a run in progress gets
    that run back: a double tap on "train" must not start two."""
    workshop = group.workshop
    if workshop.phase not in TRAINING_PHASES:
        raise FailedPrecondition(f"Training is not open now (phase {workshop.phase.value}).",
                                 phase=workshop.phase.value)
    running = active_run(db, group)
    if running is not None:
        return running
    counts = photo_counts(db, group)
    minimum = settings.min_photos_per_class
    missing = [{"classId": c.id, "name": c.name, "have": counts.get(c.id, 0)}
               for c in workshop.classes if counts.get(c.id, 0) < minimum]
    if missing:
        names = ", ".join(m["name"] for m in missing)
        raise FailedPrecondition(f"Every class needs at least {minimum} photos first (not yet: {names}).",
                                 minimum=minimum, missing=missing)
    run = TrainingRun(workshop_id=workshop.id, group_id=group.id, mode=mode, status=RunStatus.QUEUED,
                      progress=0.0, photo_count=sum(counts.values()), class_count=len(workshop.classes))
    db.add(run)
    try:
        db.flush()
        audit.record(db, audit.group_actor(group.id), "training.request", workshop_id=workshop.id,
                     target_id=run.id, details={"mode": mode.value, "photos": run.photo_count})
        db.commit()
    except IntegrityError:
        # Two taps raced (two workers): the unique index on a group's active run let one in.
        db.rollback()
        running = active_run(db, group)
        if running is None:
            raise
        return running
    return run


# ---- driving a run --------------------------------------------------------------------------
def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def test_set_signature(photos: list[Photo]) -> str | None:
    """Identifies the hidden test set a score was computed on (None: there is none)."""
    if not photos:
        return None
    return hashlib.sha256(",".join(sorted(p.id for p in photos)).encode()).hexdigest()


class ScoringFailed(Exception):
    """The ML API could not evaluate a finished model; retried like an unreachable ML API."""


class RunDriver:
    """One step of a run's life; everything that talks to the ML API for a run."""

    def __init__(self, db: Session, storage: Storage, ml: MLClient, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self.storage = storage
        self.ml = ml
        self.clock = clock
        self.nudged = False

    def examples(self, run: TrainingRun) -> tuple[list[str], list[dict[str, str]]]:
        group = self.db.get(Group, run.group_id)
        classes = [c.id for c in group.workshop.classes]
        return classes, [{"uri": self.storage.uri(p.storage_key), "label": p.class_id}
                         for p in group_photos(self.db, group)]

    def dispatch(self, run: TrainingRun) -> dict:
        classes, examples = self.examples(run)
        job = self.ml.start_training(run.id, classes, examples, mode=run.mode.value)
        if run.started_at is None:
            run.started_at = self.clock()
            run.photo_count = len(examples)
        return job

    def step(self, run: TrainingRun) -> None:
        """Advance one run; raises MLUnavailable when the ML API cannot be reached."""
        if run.status == RunStatus.SUCCEEDED:
            self.score(run)
            return
        try:
            job = self.ml.training_job(run.id)
            if job is None or self._needs_nudge(job):
                job = self.dispatch(run)
                self.nudged = True
        except MLError as exc:
            # The ML API refused the run itself (e.g. backbone weights missing): final.
            message = str(exc)
            if exc.code == ErrorCode.PAYLOAD_TOO_LARGE:
                message = (f"The training server refused this run: its photos are more than it takes "
                           f"in one request ({exc}). Delete some photos and train again; if it happens "
                           f"again, raise PICTOLAB_MAX_PHOTOS_PER_CLASS on the training server too.")
            self._fail(run, message, JobErrorCode.TRAINING_FAILED)
            return
        self._apply(run, job)
        if job["status"] == JobStatus.SUCCEEDED:
            self._store_analysis(run, job.get("analysis"))
            # Keep "trained, now scoring" even if the scoring below fails and is retried.
            self.db.commit()
            self.score(run)

    def _store_analysis(self, run: TrainingRun, analysis: dict | None) -> None:
        """Keep the ML API's cross-validation of the run's photos, by photo and class id (its
        uris are storage paths, never shown to a group). Photos no longer in the group are
        dropped; later deletes and moves are filtered when it is read (bff/insights.py)."""
        if not analysis:
            return
        group = self.db.get(Group, run.group_id)
        by_uri = {self.storage.uri(p.storage_key): p.id for p in group_photos(self.db, group)}
        run.analysis = {
            "method": analysis.get("method"), "folds": analysis.get("folds"),
            "threshold": analysis.get("threshold"),
            "confusing": [{"photoId": by_uri[c["uri"]], "classId": c["label"], "predictedClassId": c["predicted"],
                           "confidence": c["confidence"]}
                          for c in analysis.get("confusing") or [] if c["uri"] in by_uri],
            "perClass": [{"classId": c["label"], "count": c["count"], "sure": c.get("sure"),
                          "accuracy": c.get("accuracy")} for c in analysis.get("perClass") or []]}

    def _needs_nudge(self, job: dict) -> bool:
        if job["status"] not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return False
        heartbeat = _parse_time(job.get("heartbeatAt"))
        return heartbeat is None or self.clock() - heartbeat > STALE_HEARTBEAT

    def _apply(self, run: TrainingRun, job: dict) -> None:
        if job.get("trainAccuracy") is not None:
            run.train_accuracy = job["trainAccuracy"]
        run.epoch = job.get("epoch")
        heartbeat = _parse_time(job.get("heartbeatAt"))
        if heartbeat is not None:
            run.last_heartbeat_at = heartbeat
        status = job["status"]
        if status == JobStatus.FAILED:
            self._fail(run, job.get("error"), job.get("errorCode"))
        elif status in (JobStatus.RUNNING, JobStatus.SUCCEEDED):
            # SUCCEEDED in the ML API is not yet SUCCEEDED here: scoring comes first, so a
            # group never sees a success that has no score behind it.
            run.status = RunStatus.RUNNING
            run.progress = max(run.progress, TRAINING_SHARE * float(job.get("progress") or 0.0))
        # QUEUED in the ML API (waiting for a worker, or interrupted and resumable): the run
        # keeps the status it shows, so a resumed run does not jump back to "waiting".

    def _fail(self, run: TrainingRun, message: str | None, job_code: str | None) -> None:
        run.status = RunStatus.FAILED
        run.error = _readable_error(message)
        run.error_code = run_error_code(job_code)
        run.finished_at = self.clock()
        audit.record(self.db, "system", "training.failed", workshop_id=run.workshop_id, target_id=run.id,
                     details={"error": run.error, "errorCode": run.error_code})

    def score(self, run: TrainingRun) -> None:
        """Evaluate the finished model on the hidden test set; the run becomes SUCCEEDED.
        Raises ScoringFailed (retried) when the ML API cannot evaluate it."""
        workshop = self.db.get(Workshop, run.workshop_id)
        photos = hidden_test_photos(self.db, workshop)
        if photos:
            examples = [{"uri": self.storage.uri(p.storage_key), "label": p.class_id} for p in photos]
            try:
                result = self.ml.evaluate(run.id, examples)
            except MLError as exc:
                if not exc.permanent:
                    raise ScoringFailed(str(exc)) from exc
                # The same request would be refused again: not scored now, with what to do.
                # Changing the test photos changes the test set's signature: rescored then.
                self._succeed(run, test_set_signature(photos), error=_readable_error(
                    f"Not scored: the training server refused the {len(photos)} hidden test photos "
                    f"({exc}). Remove some test photos (or raise PICTOLAB_MAX_TEST_PHOTOS on the "
                    f"training server); every run is then scored again."))
                log.warning("scoring refused by the ML API: not retried",
                            extra={"runId": run.id, "testPhotos": len(photos), "error": str(exc)})
                return
            by_uri = {example["uri"]: photo.id for example, photo in zip(examples, photos)}
            run.test_accuracy = result["accuracy"]
            run.labels = result["labels"]
            run.confusion = result["confusion"]
            run.per_class_accuracy = [{"classId": c["label"], "accuracy": c["accuracy"], "count": c["count"]}
                                      for c in result["perClass"]]
            run.misclassified = [{"photoId": by_uri.get(m["uri"]), "label": m["label"],
                                  "predicted": m["predicted"]} for m in result["misclassified"]]
        else:
            run.test_accuracy = run.labels = run.confusion = run.per_class_accuracy = run.misclassified = None
        self._succeed(run, test_set_signature(photos))

    def _succeed(self, run: TrainingRun, signature: str | None, error: str | None = None) -> None:
        run.scored_test_set = signature
        if run.status != RunStatus.SUCCEEDED:
            run.status = RunStatus.SUCCEEDED
            run.finished_at = self.clock()
            audit.record(self.db, "system", "training.succeeded", workshop_id=run.workshop_id, target_id=run.id,
                         details={"testAccuracy": run.test_accuracy, "trainAccuracy": run.train_accuracy})
        run.progress = 1.0
        run.error = error
        run.error_code = RunErrorCode.NOT_SCORED.value if error is not None else None

    def give_up(self, run: TrainingRun, reason: str) -> None:
        """After MAX_ATTEMPTS: a model that trained but cannot be scored still works for
        "try it" (SUCCEEDED, no score, with the reason); anything else has failed."""
        if run.status == RunStatus.SUCCEEDED or (run.status == RunStatus.RUNNING and run.progress >= TRAINING_SHARE):
            run.test_accuracy = None
            workshop = self.db.get(Workshop, run.workshop_id)
            self._succeed(run, test_set_signature(hidden_test_photos(self.db, workshop)),
                          error=_readable_error(f"Could not be scored on the test photos: {reason}"))
        else:
            self._fail(run, f"The training server did not respond in time ({reason}).",
                       JobErrorCode.TRAINING_FAILED)


def _readable_error(message: str | None) -> str:
    text = (message or "").strip() or "Training stopped unexpectedly."
    return text if len(text) <= 500 else text[:497] + "..."


def backoff_seconds(attempts: int) -> float:
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempts - 1))


# ---- the reconciler ------------------------------------------------------------------------
class RunReconciler:
    """Drives every due run; one per BFF process (``init_app`` starts its thread)."""

    def __init__(self, sessions: sessionmaker[Session], storage: Storage, ml: MLClient,
                 interval: float = 0.5, clock: Callable[[], datetime] = utcnow, *,
                 embeddings=None, hints=None, watch: bool = False, max_watches: int = MAX_WATCHES):
        self.sessions = sessions
        self.storage = storage
        self.ml = ml
        self.interval = interval
        self.clock = clock
        # Eager embeddings (bff/embedding_requests.py), driven by this thread between runs.
        self.embeddings = embeddings
        # Photo hints (bff/hints.py), likewise: never in an upload's or a run's way.
        self.hints = hints
        self._stop = threading.Event()
        # Set by wake() (the `train` mutation): the loop's pass starts at once, not at its next tick.
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.watch = watch
        self.max_watches = max_watches
        self._watching: set[str] = set()
        self._watch_lock = threading.Lock()
        self._watches: ThreadPoolExecutor | None = None

    # Which runs need work: active ones, and finished ones whose workshop's hidden test set
    # changed since they were scored (instructors add test photos during the day).
    def _due(self):
        """Runs nobody holds a lease on (and whose backoff, if any, has passed)."""
        return or_(TrainingRun.next_attempt_at.is_(None), TrainingRun.next_attempt_at <= self.clock())

    def due_run_ids(self, db: Session) -> list[str]:
        query = (select(TrainingRun.id).join(Workshop, Workshop.id == TrainingRun.workshop_id)
                 .where(TrainingRun.status.in_(ACTIVE), self._due(), Workshop.purged_at.is_(None)))
        return list(db.scalars(query.order_by(TrainingRun.created_at).limit(100))) + self._rescoring_due(db)

    def _rescoring_due(self, db: Session) -> list[str]:
        query = (select(TrainingRun.id, TrainingRun.workshop_id, TrainingRun.scored_test_set)
                 .join(Workshop, Workshop.id == TrainingRun.workshop_id)
                 .where(TrainingRun.status == RunStatus.SUCCEEDED, Workshop.purged_at.is_(None),
                        Workshop.phase != Phase.CLOSED, self._due()))
        rows = db.execute(query.order_by(TrainingRun.finished_at.desc()).limit(500)).all()
        signatures: dict[str, str | None] = {}
        stale = []
        for run_id, run_workshop, scored in rows:
            if run_workshop not in signatures:
                signatures[run_workshop] = test_set_signature(
                    hidden_test_photos(db, db.get(Workshop, run_workshop)))
            if signatures[run_workshop] != scored:
                stale.append(run_id)
        return stale

    def claim(self, db: Session, run_id: str, expected: datetime | None = None) -> bool:
        """Take the run's lease. ``expected``: only if its lease is still exactly the one a
        watch was started under (nobody drove the run since), due or not."""
        held = TrainingRun.next_attempt_at == expected if expected is not None else self._due()
        result = db.execute(update(TrainingRun).where(TrainingRun.id == run_id, held)
                            .values(next_attempt_at=self.clock() + LEASE)
                            .execution_options(synchronize_session=False))
        db.commit()
        return result.rowcount == 1

    def process(self, run_id: str, expected: datetime | None = None) -> None:
        with self.sessions() as db:
            if not self.claim(db, run_id, expected):
                return  # another process holds it (or drove it since the watch began)
            run = db.get(TrainingRun, run_id)
            if run is None:
                return
            driver = RunDriver(db, self.storage, self.ml, self.clock)
            try:
                driver.step(run)
                run.attempts = 0
                watching = run.status in ACTIVE and self._reserve_watch(run_id)
                if watching:
                    run.next_attempt_at = self.clock() + WATCH_LEASE
                elif run.status in ACTIVE:
                    run.next_attempt_at = self.clock() + (AFTER_NUDGE if driver.nudged else POLL_INTERVAL)
                else:
                    run.next_attempt_at = None
                lease = run.next_attempt_at
                db.commit()
                if watching:
                    self._start_watch(run_id, lease)
            except (MLUnavailable, ScoringFailed) as exc:
                self._retry_later(db, run_id, exc)
            except Exception as exc:
                log.exception("reconciling run failed", extra={"runId": run_id})
                self._retry_later(db, run_id, exc)

    def _retry_later(self, db: Session, run_id: str, exc: Exception) -> None:
        db.rollback()
        run = db.get(TrainingRun, run_id)
        if run is None:
            return
        run.attempts += 1
        reason = str(exc) or exc.__class__.__name__
        if run.attempts >= MAX_ATTEMPTS:
            RunDriver(db, self.storage, self.ml, self.clock).give_up(run, reason)
            run.next_attempt_at = None
            log.error("run given up after %d attempts", run.attempts, extra={"runId": run_id, "error": reason})
        else:
            delay = backoff_seconds(run.attempts)
            run.next_attempt_at = self.clock() + timedelta(seconds=delay)
            log.warning("run %s stays %s; retry in %.1fs: %s", run_id, run.status.value, delay, reason,
                        extra={"runId": run_id, "attempts": run.attempts})
        db.commit()

    # ---- the watch: a long poll per active run instead of polling it ----------------------
    def _reserve_watch(self, run_id: str) -> bool:
        if not self.watch or not hasattr(self.ml, "wait_job"):
            return False
        with self._watch_lock:
            if run_id in self._watching or len(self._watching) >= self.max_watches:
                return False
            self._watching.add(run_id)
            if self._watches is None:
                self._watches = ThreadPoolExecutor(max_workers=self.max_watches, thread_name_prefix="run-watch")
        return True

    def _start_watch(self, run_id: str, lease: datetime) -> None:
        try:
            self._watches.submit(self.watch_once, run_id, lease)
        except RuntimeError:  # shutting down: the lease runs out and the run is polled
            self._release_watch(run_id)

    def _release_watch(self, run_id: str) -> None:
        with self._watch_lock:
            self._watching.discard(run_id)

    def watch_once(self, run_id: str, lease: datetime) -> None:
        """Wait (long poll) until the run's ML job changes, then drive the run at once, if
        nobody did since (its lease is still ``lease``)."""
        try:
            self.ml.wait_job(run_id, WATCH_SECONDS)
        except Exception as exc:  # noqa: BLE001 (the lease runs out; the loop polls and retries)
            log.info("watching a run failed; it is polled instead", extra={"runId": run_id, "error": str(exc)})
            self._release_watch(run_id)
            return
        self._release_watch(run_id)
        if not self._stop.is_set():
            self.process(run_id, expected=lease)

    def run_once(self) -> int:
        with self.sessions() as db:
            ids = self.due_run_ids(db)
        for run_id in ids:
            if self._stop.is_set():
                break
            self.process(run_id)
        if self.embeddings is not None and not self._stop.is_set():
            try:
                self.embeddings.run_once()
            except Exception:  # an optimisation: never in the runs' way
                log.exception("eager embedding requests failed; retried at the next pass")
        if self.hints is not None and not self._stop.is_set():
            try:
                self.hints.run_once()
            except Exception:  # hints are advice: a group simply has none yet
                log.exception("photo hints pass failed; retried at the next pass")
        return len(ids)

    def wake(self) -> None:
        """Start the next pass now (a run was just requested in this process). Other
        processes find it at their next tick."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="run-reconciler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._watches is not None:
            self._watches.shutdown(wait=False, cancel_futures=True)

    def _sleep(self, seconds: float) -> bool:
        """Wait for the next tick or a wake-up; False once stopped."""
        self._wake.wait(seconds)
        self._wake.clear()
        return not self._stop.is_set()

    def _loop(self) -> None:
        failures = 0
        while self._sleep(min(MAX_BACKOFF_SECONDS, self.interval * 2 ** min(failures, 6))):
            try:
                self.run_once()
                failures = 0
            except Exception:
                # The database may be unavailable or not migrated yet: keep the loop alive,
                # back off, and log the first failure of a streak, not every pass.
                if failures == 0:
                    log.exception("run reconciler pass failed; retrying with backoff")
                failures += 1


def init_app(app) -> None:
    settings: Settings = app.config["SETTINGS"]
    from .ml_replicas import ml_client_for  # one URL, a list, or a headless Service's name

    ml = ml_client_for(settings.ml_api_url, timeout=app.config.get("ML_API_TIMEOUT", 30.0))
    sessions, storage = app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"]
    embeddings = (EmbeddingRequester(sessions, storage, ml) if app.config.get("EAGER_EMBEDDINGS", True)
                  else None)
    hints = HintsRefresher(sessions, storage, ml) if app.config.get("PHOTO_HINTS", True) else None
    # Tests drive the reconciler by hand (run_once) instead of racing a thread (or a watch).
    background = app.config.get("RECONCILE_IN_BACKGROUND", not app.testing)
    reconciler = RunReconciler(sessions, storage, ml, interval=app.config.get("RECONCILE_INTERVAL", 0.5),
                               embeddings=embeddings, hints=hints, watch=app.config.get("RECONCILE_WATCH", background))
    app.extensions["pictolab.ml"] = ml
    app.extensions["pictolab.reconciler"] = reconciler
    if background:
        reconciler.start()


