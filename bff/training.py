"""Training runs: the BFF is their source of truth; the ML API does the work.

``request_training`` records a QUEUED run and wakes this process's :class:`RunReconciler`.
The reconciler (a background thread in every BFF process) makes one *pass* about every
0.5 s while runs it drives are active, and every couple of seconds otherwise:

1. it claims every due run in ONE conditional UPDATE (``next_attempt_at`` set ahead as a
   lease, with the pass's own ``claimed_by`` token), so two processes never drive the same
   run at once and a crashed holder's lease simply runs out;
2. it asks the ML API about all the active ones in ONE ``trainingJobs`` call, and applies
   each answer: a run the ML API does not know is enqueued (``startTraining`` with its photos
   and the hidden test photos, idempotent on the run id); a queued or running job moves the
   progress bar; a job that succeeded brings its analysis and its score on the hidden test
   set, so the run succeeds in that one step; a failed job fails the run with its code;
3. it scores again the finished runs whose hidden test set changed (``rescore_due``, set by
   the change's own transaction: :func:`mark_rescoring_due`);
4. it hands new photos to the ML API's embedding queue, asks for stale photo hints, and
   finishes purges whose ML jobs could not be deleted at the time.

While the ML API cannot be reached a run is retried with a backoff (FIRST_BACKOFF_SECONDS
doubling to MAX_BACKOFF_SECONDS) and given up after MAX_ATTEMPTS. Nothing here watches,
long-polls or re-sends: the ML API's own leases bring a job whose worker died back to another
worker.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pictolab.backoff import backoff_seconds as _backoff
from pictolab.contract.errors import ErrorCode, FailedPrecondition
from pictolab.contract.jobs import JobErrorCode, JobStatus
from pictolab.settings import Settings
from pictolab.storage import Storage

from . import audit, workshops
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
    new_id,
    run_error_code,
    utcnow,
)

# mark_rescoring_due lives next to the test photos it is about; it is part of this module's API too.
from .photos import group_photos, hidden_test_photos, mark_rescoring_due  # noqa: F401

log = logging.getLogger(__name__)

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
TRAINING_PHASES = (Phase.TRAIN,)
# How soon an active run is asked about again, and how long the loop sleeps between passes
# while this process drives active runs (IDLE_INTERVAL otherwise: it still finds the runs
# other processes created, and a `train` here wakes it at once).
POLL_INTERVAL = timedelta(seconds=0.5)
IDLE_INTERVAL = 2.0
# A pass's claim outlives its longest step (the longest of the MLClient timeouts, evaluate's),
# so two processes never work on one run at the same time.
LEASE = timedelta(seconds=240)
# At most this many runs per pass (the oldest first); the rest wait for the next pass.
CLAIM_LIMIT = 100
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
# About 15 minutes of retrying (most waits are MAX_BACKOFF_SECONDS) before a run is given up:
# the instructor sees a failed run and the group can press "train" again.
MAX_ATTEMPTS = 35
# The ML progress fills the bar to here; the last step is the run's success with its score.
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


def test_set_signature(photos: list[Photo]) -> str | None:
    """Identifies a hidden test set (None: there is none). Not used to find runs to score
    again (that is ``rescore_due``); kept for callers that name the set a score was made on."""
    if not photos:
        return None
    return hashlib.sha256(",".join(sorted(p.id for p in photos)).encode()).hexdigest()


# ---- driving a run --------------------------------------------------------------------------
def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ScoringFailed(Exception):
    """The ML API could not evaluate a finished model; retried like an unreachable ML API."""


class RunDriver:
    """Everything that turns the ML API's answers about one run into the run's row."""

    def __init__(self, db: Session, storage: Storage, ml: MLClient, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self.storage = storage
        self.ml = ml
        self.clock = clock
        self.sent_photos = 0

    def _examples(self, photos: list[Photo]) -> list[dict[str, str]]:
        return [{"uri": self.storage.uri(p.storage_key), "label": p.class_id} for p in photos]

    def dispatch(self, run: TrainingRun) -> dict:
        """Enqueue the run in the ML API with the group's photos and the hidden test set as
        they are now. The run's rescore_due is cleared (and committed) first: a test photo
        added while the request is on its way marks the run again, and it is rescored once
        it succeeded."""
        run.rescore_due = False
        self.db.commit()
        group = self.db.get(Group, run.group_id)
        workshop = group.workshop
        classes = [c.id for c in workshop.classes]
        examples = self._examples(group_photos(self.db, group))
        test_examples = self._examples(hidden_test_photos(self.db, workshop))
        self.sent_photos = len(examples)
        return self.ml.start_training(run.id, classes, examples, mode=run.mode.value, scope=workshop.id,
                                      test_examples=test_examples or None)

    def started(self, run: TrainingRun) -> None:
        if run.started_at is None:
            run.started_at = self.clock()
            run.photo_count = self.sent_photos

    def refused(self, run: TrainingRun, exc: MLError) -> None:
        """The ML API refused the run itself (e.g. backbone weights missing): final."""
        message = str(exc)
        if exc.code == ErrorCode.PAYLOAD_TOO_LARGE:
            message = (f"The training server refused this run: its photos are more than it takes "
                       f"in one request ({exc}). Delete some photos and train again; if it happens "
                       f"again, raise PICTOLAB_MAX_PHOTOS_PER_CLASS on the training server too.")
        self._fail(run, message, JobErrorCode.TRAINING_FAILED)

    def apply(self, run: TrainingRun, job: dict) -> None:
        """One answer of the ML API about the run's job."""
        if job.get("trainAccuracy") is not None:
            run.train_accuracy = job["trainAccuracy"]
        run.epoch = job.get("epoch")
        if job.get("worker"):
            run.worker = str(job["worker"])[:64]
        heartbeat = _parse_time(job.get("heartbeatAt"))
        if heartbeat is not None:
            run.last_heartbeat_at = heartbeat
        status = job["status"]
        if status == JobStatus.FAILED:
            self._fail(run, job.get("error"), job.get("errorCode"))
        elif status == JobStatus.SUCCEEDED:
            self._store_analysis(run, job.get("analysis"))
            self._store_evaluation(run, job)
        elif status == JobStatus.RUNNING:
            run.status = RunStatus.RUNNING
            run.progress = max(run.progress, TRAINING_SHARE * float(job.get("progress") or 0.0))
        # QUEUED in the ML API (waiting for a worker, or interrupted and resumable): the run
        # keeps the status it shows, so a resumed run does not jump back to "waiting".

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

    def _store_evaluation(self, run: TrainingRun, job: dict) -> None:
        """The job scored its model on the test set it was sent: the run succeeds with it (or,
        when the set could not be scored, succeeds NOT_SCORED with what to do)."""
        if job.get("evaluationError"):
            self._not_scored(run, job["evaluationError"])
            return
        evaluation = job.get("evaluation")
        if evaluation:
            self.store_score(run, evaluation)
        else:  # no hidden test photos when it started
            run.test_accuracy = run.labels = run.confusion = run.per_class_accuracy = run.misclassified = None
        self._succeed(run)

    def store_score(self, run: TrainingRun, result: dict) -> None:
        """An Evaluation (accuracy, per class, confusion, misclassified) on the run's row."""
        workshop = self.db.get(Workshop, run.workshop_id)
        by_uri = {self.storage.uri(p.storage_key): p.id for p in hidden_test_photos(self.db, workshop)}
        run.test_accuracy = result["accuracy"]
        run.labels = result["labels"]
        run.confusion = result["confusion"]
        run.per_class_accuracy = [{"classId": c["label"], "accuracy": c["accuracy"], "count": c["count"]}
                                  for c in result["perClass"]]
        run.misclassified = [{"photoId": by_uri.get(m["uri"]), "label": m["label"], "predicted": m["predicted"]}
                             for m in result["misclassified"]]

    def _not_scored(self, run: TrainingRun, reason: str) -> None:
        run.test_accuracy = run.labels = run.confusion = run.per_class_accuracy = run.misclassified = None
        self._succeed(run, error=_readable_error(
            f"Not scored: the hidden test photos could not be scored ({reason}). Replace or remove the "
            f"test photo it names; every run is then scored again."))

    def rescore(self, run: TrainingRun) -> None:
        """Score a finished run on the workshop's hidden test set as it is now. Raises
        MLUnavailable or ScoringFailed (retried) when the ML API cannot evaluate it."""
        workshop = self.db.get(Workshop, run.workshop_id)
        photos = hidden_test_photos(self.db, workshop)
        if not photos:
            run.test_accuracy = run.labels = run.confusion = run.per_class_accuracy = run.misclassified = None
            self._succeed(run)
            return
        try:
            result = self.ml.evaluate(run.id, self._examples(photos))
        except MLError as exc:
            if not exc.permanent:
                raise ScoringFailed(str(exc)) from exc
            # The same request would be refused again: not scored now, with what to do.
            # Changing the test photos marks every run for scoring again.
            self._succeed(run, error=_readable_error(
                f"Not scored: the training server refused the {len(photos)} hidden test photos "
                f"({exc}). Remove some test photos (or raise PICTOLAB_MAX_TEST_PHOTOS on the "
                f"training server); every run is then scored again."))
            log.warning("scoring refused by the ML API: not retried",
                        extra={"runId": run.id, "testPhotos": len(photos), "error": str(exc)})
            return
        self.store_score(run, result)
        self._succeed(run)

    def _fail(self, run: TrainingRun, message: str | None, job_code: str | None) -> None:
        run.status = RunStatus.FAILED
        run.error = _readable_error(message)
        run.error_code = run_error_code(job_code)
        run.finished_at = self.clock()
        run.rescore_due = False
        audit.record(self.db, "system", "training.failed", workshop_id=run.workshop_id, target_id=run.id,
                     details={"error": run.error, "errorCode": run.error_code})

    def _succeed(self, run: TrainingRun, error: str | None = None) -> None:
        if run.status != RunStatus.SUCCEEDED:
            run.status = RunStatus.SUCCEEDED
            run.finished_at = self.clock()
            audit.record(self.db, "system", "training.succeeded", workshop_id=run.workshop_id, target_id=run.id,
                         details={"testAccuracy": run.test_accuracy, "trainAccuracy": run.train_accuracy})
        run.progress = 1.0
        run.error = error
        run.error_code = RunErrorCode.NOT_SCORED.value if error is not None else None

    def give_up(self, run: TrainingRun, reason: str) -> None:
        """After MAX_ATTEMPTS: a model that trained but cannot be scored again still works for
        "try it" (SUCCEEDED, no score, with the reason); anything else has failed."""
        if run.status == RunStatus.SUCCEEDED:
            run.test_accuracy = None
            run.rescore_due = False
            self._succeed(run, error=_readable_error(f"Could not be scored on the test photos: {reason}"))
        else:
            self._fail(run, f"The training server did not respond in time ({reason}).",
                       JobErrorCode.TRAINING_FAILED)


def _readable_error(message: str | None) -> str:
    text = (message or "").strip() or "Training stopped unexpectedly."
    return text if len(text) <= 500 else text[:497] + "..."


def backoff_seconds(attempts: int) -> float:
    return _backoff(attempts, FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS)


# ---- eager embeddings -------------------------------------------------------------------------
# Photos per embedPhotos request to the ML API (a request size): the ML API embeds them in
# its own device batches (ml_api.embeddings.embed_batch_size).
EMBED_BATCH = 64
EMBED_PHASES = (Phase.SETUP, Phase.COLLECT, Phase.TRAIN, Phase.COMPETE)


class EmbeddingSender:
    """Hands each new photo (a group's or a hidden test photo) of an open workshop to the ML
    API's embedding queue once, in batches, so its run finds the embedding cached. The
    queue is a durable table in the ML API, so a photo sent is never sent again. Only an
    optimisation: a photo whose embedding is not cached is embedded by its run."""

    def __init__(self, sessions: sessionmaker[Session], storage: Storage, ml,
                 clock: Callable[[], datetime] = utcnow, batch: int = EMBED_BATCH):
        self.sessions = sessions
        self.storage = storage
        self.ml = ml
        self.clock = clock
        self.batch = batch
        self.failures = 0
        self.paused_until: datetime | None = None  # the ML API was unreachable: back off

    def run_once(self) -> int:
        """Send one batch (at most ``batch`` photos, one request per workshop in it); how
        many photos were handed over."""
        now = self.clock()
        if self.paused_until is not None and now < self.paused_until:
            return 0
        with self.sessions() as db:
            pending = (select(Photo.id).join(Workshop, Workshop.id == Photo.workshop_id)
                       .where(Photo.embedded_at.is_(None), Workshop.purged_at.is_(None),
                              Workshop.phase.in_(EMBED_PHASES))
                       .order_by(Photo.created_at, Photo.id).limit(self.batch))
            # Marked first (a claim: two processes never send the same photo), unmarked if
            # the ML API could not take them.
            rows = db.execute(update(Photo).where(Photo.id.in_(pending.scalar_subquery()),
                                                  Photo.embedded_at.is_(None))
                              .values(embedded_at=now).returning(Photo.id, Photo.storage_key, Photo.workshop_id)
                              .execution_options(synchronize_session=False)).all()
            db.commit()
            if not rows:
                return 0
            by_workshop: dict[str, list[tuple[str, str]]] = {}
            for photo_id, key, workshop_id in rows:
                by_workshop.setdefault(workshop_id, []).append((photo_id, key))
            batches = list(by_workshop.items())
            sent = 0
            for index, (workshop_id, photos) in enumerate(batches):
                try:
                    self.ml.embed_photos([self.storage.uri(key) for _, key in photos], scope=workshop_id)
                except (MLUnavailable, MLError) as exc:
                    unsent = [photo_id for _, later in batches[index:] for photo_id, _ in later]
                    self._back_off(db, unsent, now, exc)
                    return sent
                sent += len(photos)
            self.failures = 0
            self.paused_until = None
            return sent

    def _back_off(self, db: Session, ids: list[str], now: datetime, exc: Exception) -> None:
        """The ML API is down (or refused the request: an older ML API): the photos are
        unmarked for a later pass, and the sender pauses with a growing backoff."""
        self.failures += 1
        delay = backoff_seconds(self.failures)
        if isinstance(exc, MLError) and exc.permanent:
            delay = MAX_BACKOFF_SECONDS
        self.paused_until = now + timedelta(seconds=delay)
        db.execute(update(Photo).where(Photo.id.in_(ids), Photo.embedded_at == now)
                   .values(embedded_at=None).execution_options(synchronize_session=False))
        db.commit()
        if self.failures == 1 or self.failures % 20 == 0:
            log.warning("eager embeddings paused for %.1fs: %s", delay, exc, extra={"photos": len(ids)})


# ---- the reconciler ------------------------------------------------------------------------
class RunReconciler:
    """Drives every due run; one per BFF process (``init_app`` starts its thread)."""

    def __init__(self, sessions: sessionmaker[Session], storage: Storage, ml: MLClient,
                 interval: float = POLL_INTERVAL.total_seconds(), clock: Callable[[], datetime] = utcnow, *,
                 embeddings: EmbeddingSender | None = None, hints: HintsRefresher | None = None,
                 idle_interval: float = IDLE_INTERVAL, purges: bool = True):
        self.sessions = sessions
        self.storage = storage
        self.ml = ml
        self.interval = interval
        self.idle_interval = idle_interval
        self.clock = clock
        self.embeddings = embeddings
        self.hints = hints
        # Purges whose ML jobs could not be deleted at the time (workshops.finish_purge).
        self.purges = purges
        self._purge_failures = 0
        self._purges_paused_until: datetime | None = None
        # Whether the last pass left runs of this process active: the next pass comes sooner.
        self.busy = False
        self._stop = threading.Event()
        # Set by wake() (the `train` mutation): the loop's pass starts at once, not at its next tick.
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- claiming -----------------------------------------------------------------------
    def _due(self, now: datetime):
        """Runs nobody holds a lease on (and whose backoff, if any, has passed) that need
        work: active ones, and finished ones whose hidden test set changed."""
        return and_(or_(TrainingRun.next_attempt_at.is_(None), TrainingRun.next_attempt_at <= now),
                    or_(TrainingRun.status.in_(ACTIVE),
                        and_(TrainingRun.status == RunStatus.SUCCEEDED, TrainingRun.rescore_due.is_(True))))

    def claim(self, db: Session, token: str) -> list[str]:
        """Take the lease of every due run (at most CLAIM_LIMIT, oldest first) in one
        conditional UPDATE; the ids this pass now holds."""
        now = self.clock()
        candidates = (select(TrainingRun.id).join(Workshop, Workshop.id == TrainingRun.workshop_id)
                      .where(self._due(now), Workshop.purged_at.is_(None))
                      .order_by(TrainingRun.created_at).limit(CLAIM_LIMIT))
        # The due condition again on the row itself: of two passes racing for a run, the
        # second finds it leased once the first committed (PostgreSQL re-checks the WHERE
        # of a row it waited for; SQLite runs one writer at a time).
        db.execute(update(TrainingRun)
                   .where(TrainingRun.id.in_(candidates.scalar_subquery()), self._due(now))
                   .values(next_attempt_at=now + LEASE, claimed_by=token)
                   .execution_options(synchronize_session=False))
        db.commit()
        return list(db.scalars(select(TrainingRun.id).where(TrainingRun.claimed_by == token)
                               .order_by(TrainingRun.created_at)))

    def _held(self, db: Session, run_id: str, token: str) -> TrainingRun | None:
        """The run, locked, if this pass still holds it (a purge revokes the lease)."""
        run = db.get(TrainingRun, run_id, with_for_update=True, populate_existing=True)
        return run if run is not None and run.claimed_by == token else None

    # ---- one pass -----------------------------------------------------------------------
    def run_once(self) -> int:
        """One pass; how many runs it claimed."""
        token = new_id()
        with self.sessions() as db:
            ids = self.claim(db, token)
            runs = {run_id: status for run_id, status in db.execute(
                select(TrainingRun.id, TrainingRun.status).where(TrainingRun.id.in_(ids))).all()} if ids else {}
        active = [run_id for run_id in ids if runs.get(run_id) in ACTIVE]
        rescore = [run_id for run_id in ids if runs.get(run_id) == RunStatus.SUCCEEDED]
        still_active = False
        if active and not self._stop.is_set():
            still_active = self._drive(active, token)
        for run_id in rescore:
            if self._stop.is_set():
                break
            self._rescore(run_id, token)
        self.busy = still_active or bool(rescore)
        self._background()
        return len(ids)

    def _drive(self, run_ids: list[str], token: str) -> bool:
        """Ask about every active run at once and apply the answers; True while any of them
        is still active."""
        try:
            jobs = self.ml.training_jobs(run_ids)
        except (MLUnavailable, MLError) as exc:
            # A refusal of the question itself is no verdict on any run: retried like an outage.
            for run_id in run_ids:
                self._retry_later(run_id, token, exc)
            return False
        # One time for the whole batch: runs asked about together stay due together, so the
        # next pass asks about them in one question again instead of drifting apart.
        due_again = self.clock() + POLL_INTERVAL
        still_active = False
        for run_id in run_ids:
            if self._stop.is_set():
                break
            still_active |= self._advance(run_id, token, jobs.get(run_id), due_again)
        return still_active

    def _advance(self, run_id: str, token: str, job: dict | None, due_again: datetime) -> bool:
        with self.sessions() as db:
            run = self._held(db, run_id, token)
            if run is None or run.status not in ACTIVE:
                return False
            driver = RunDriver(db, self.storage, self.ml, self.clock)
            try:
                if job is None:  # new, or its job was lost: enqueue it (idempotent)
                    refusal = None
                    try:
                        job = driver.dispatch(run)
                    except MLError as exc:  # the ML API refused the run itself: final
                        refusal = exc
                    # dispatch committed (and so unlocked the row) before the request: read
                    # and lock it again, as a purge may have revoked the lease meanwhile.
                    run = self._held(db, run_id, token)
                    if run is None or run.status not in ACTIVE:
                        db.rollback()
                        return False
                    if refusal is not None:
                        driver.refused(run, refusal)
                    else:
                        driver.started(run)
                if job is not None:
                    driver.apply(run, job)
                run.attempts = 0
                active = run.status in ACTIVE
                # A run that succeeded with rescore_due still set (the test set changed after
                # its start) is due again at once: the next pass scores it on the new set.
                run.next_attempt_at = due_again if active else None
                db.commit()
                return active
            except MLUnavailable as exc:
                self._retry_later(run_id, token, exc, db=db)
            except Exception as exc:
                log.exception("reconciling run failed", extra={"runId": run_id})
                self._retry_later(run_id, token, exc, db=db)
            return False  # backing off: nothing to ask before that

    def _rescore(self, run_id: str, token: str) -> None:
        with self.sessions() as db:
            run = self._held(db, run_id, token)
            if run is None or run.status != RunStatus.SUCCEEDED or not run.rescore_due:
                if run is not None:
                    run.next_attempt_at = None
                    db.commit()
                return
            # Cleared before the evaluation: a change of the test set meanwhile sets it again.
            run.rescore_due = False
            db.commit()
            try:
                RunDriver(db, self.storage, self.ml, self.clock).rescore(run)
                run.attempts = 0
                run.next_attempt_at = None
                db.commit()
            except (MLUnavailable, ScoringFailed) as exc:
                self._retry_later(run_id, token, exc, db=db, rescore=True)
            except Exception as exc:
                log.exception("scoring a run again failed", extra={"runId": run_id})
                self._retry_later(run_id, token, exc, db=db, rescore=True)

    def _retry_later(self, run_id: str, token: str, exc: Exception, db: Session | None = None,
                     rescore: bool = False) -> None:
        if db is None:
            with self.sessions() as own:
                self._retry_later(run_id, token, exc, db=own, rescore=rescore)
            return
        db.rollback()
        run = self._held(db, run_id, token)
        if run is None:
            return
        run.attempts += 1
        if rescore:
            run.rescore_due = True  # not scored: still due
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

    # ---- background work of the same pass -----------------------------------------------
    def _background(self) -> None:
        if self.embeddings is not None and not self._stop.is_set():
            try:
                self.embeddings.run_once()
            except Exception:  # an optimisation: never in the runs' way
                log.exception("eager embeddings failed; retried at the next pass")
        if self.hints is not None and not self._stop.is_set():
            try:
                self.hints.run_once()
            except Exception:  # hints are advice: a group simply has none yet
                log.exception("photo hints pass failed; retried at the next pass")
        if self.purges and not self._stop.is_set():
            try:
                self.finish_purges()
            except Exception:
                log.exception("finishing purges failed; retried at the next pass")

    def finish_purges(self) -> int:
        """Ask the ML API again to delete the jobs of workshops purged while it could not be
        reached, then delete their storage once more; how many were finished."""
        now = self.clock()
        if self._purges_paused_until is not None and now < self._purges_paused_until:
            return 0
        with self.sessions() as db:
            pending = list(db.scalars(select(Workshop.id).where(Workshop.purged_at.is_not(None),
                                                                 Workshop.ml_jobs_deleted_at.is_(None))
                                      .order_by(Workshop.purged_at).limit(10)))
        finished = 0
        for workshop_id in pending:
            with self.sessions() as db:
                try:
                    if workshops.finish_purge(db, self.storage, self.ml, db.get(Workshop, workshop_id)):
                        finished += 1
                    db.commit()
                except (MLUnavailable, MLError) as exc:
                    db.rollback()
                    self._purge_failures += 1
                    delay = backoff_seconds(self._purge_failures)
                    self._purges_paused_until = now + timedelta(seconds=delay)
                    log.warning("purged workshops' ML jobs not deleted yet; retry in %.1fs: %s", delay, exc)
                    return finished
        self._purge_failures = 0
        self._purges_paused_until = None
        return finished

    # ---- the loop -----------------------------------------------------------------------
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

    def _sleep(self, seconds: float) -> bool:
        """Wait for the next tick or a wake-up; False once stopped."""
        self._wake.wait(seconds)
        self._wake.clear()
        return not self._stop.is_set()

    def next_wait(self, failures: int = 0) -> float:
        """Seconds until the next pass: never zero, so an ML API that answers at once
        cannot make the loop spin."""
        if failures:
            # The exponent stops at 6: with a short test interval the wait stays short.
            return _backoff(min(failures, 6) + 1, self.interval, MAX_BACKOFF_SECONDS)
        return self.interval if self.busy else max(self.interval, self.idle_interval)

    def _loop(self) -> None:
        failures = 0
        while self._sleep(self.next_wait(failures)):
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
    # One URL, or a comma list used for failover only (bff/ml_client.py).
    ml = MLClient(settings.ml_api_url, timeout=app.config.get("ML_API_TIMEOUT", 30.0))
    sessions, storage = app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"]
    embeddings = EmbeddingSender(sessions, storage, ml) if app.config.get("EAGER_EMBEDDINGS", True) else None
    hints = HintsRefresher(sessions, storage, ml) if app.config.get("PHOTO_HINTS", True) else None
    # Tests drive the reconciler by hand (run_once) instead of racing a thread.
    background = app.config.get("RECONCILE_IN_BACKGROUND", not app.testing)
    reconciler = RunReconciler(sessions, storage, ml,
                               interval=app.config.get("RECONCILE_INTERVAL", POLL_INTERVAL.total_seconds()),
                               idle_interval=app.config.get("RECONCILE_IDLE_INTERVAL", IDLE_INTERVAL),
                               embeddings=embeddings, hints=hints)
    app.extensions["pictolab.ml"] = ml
    app.extensions["pictolab.reconciler"] = reconciler
    if background:
        reconciler.start()
