"""Photo hints a child can act on before training (the ML API computes them in
``ml_api/hints.py``): per photo ``TOO_DARK``, ``BLURRY``, ``NEAR_DUPLICATE``; per pair of the
workshop's classes ``CLASSES_LOOK_ALIKE``.

Never in an upload's way: :class:`HintsRefresher`, driven by the reconciler's pass next to
the runs and the eager embeddings (bff/training.py), finds groups whose photos changed since
their hints were made (a *signature* of their photo and class ids) and asks the ML API's
``photoHints`` about all of the group's photos at once (near-duplicates and class pairs are
about the whole set). That is a low-priority job in the ML API's queue, one per group (the
key) and coalesced: asking again with the same signature returns the job as it is, a new
signature replaces it. The mutation answers at once; the pass asks again later, and once the
job has SUCCEEDED for the signature asked, the result is stored on the group
(``groups.hints``, JSON) with that signature. While the ML API is down, or the job fails, the
group keeps what it had (a new photo simply has no hints yet) and is tried again after a backoff.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pictolab.backoff import backoff_seconds
from pictolab.contract.jobs import JobStatus
from pictolab.storage import Storage

from .ml_client import MLError, MLUnavailable
from .models import Group, Phase, Photo, Workshop

log = logging.getLogger(__name__)

# SAME_BACKGROUND: every photo of its class has one background no other class has (the bias lesson).
PHOTO_CODES = ("TOO_DARK", "BLURRY", "NEAR_DUPLICATE", "SAME_BACKGROUND")
# Hints matter while a group still changes its photos.
HINT_PHASES = (Phase.COLLECT, Phase.TRAIN)
# A pass looks at most this often and asks for this many groups: hints trail a burst of
# uploads by a few seconds instead of being recomputed for every photo of the burst.
PASS_INTERVAL_SECONDS = 2.0
GROUPS_PER_PASS = 4
FIRST_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 120.0
# A job still queued (training goes first in the ML API) is asked about again after this
# long, doubling up to the maximum: a group waiting behind a busy queue costs little.
FIRST_RECHECK_SECONDS = 2.0
MAX_RECHECK_SECONDS = 16.0


class HintsPending(Exception):
    """The group's hints job has not finished yet."""


class HintsFailed(Exception):
    """The ML API's hints job for the group failed."""


def signature(photos: list[tuple[str, str]]) -> str:
    """Identifies a group's photo set: (photo id, class id) pairs, in any order."""
    return hashlib.sha256(",".join(sorted(f"{p}:{c}" for p, c in photos)).encode()).hexdigest()


def photo_hints(group: Group | None, photo_id: str) -> list[str]:
    """The stored codes of one photo (empty: none, or not computed yet)."""
    hints = (group.hints or {}) if group is not None else {}
    return [code for code in (hints.get("photos") or {}).get(photo_id, []) if code in PHOTO_CODES]


def class_pair_hints(group: Group) -> list[dict]:
    """[{classIds: [a, b], code, overlap}] for the pairs of the group's workshop classes that
    look alike to the AI (classes removed since are dropped)."""
    known = {c.id for c in group.workshop.classes}
    return [pair for pair in ((group.hints or {}).get("pairs") or [])
            if all(class_id in known for class_id in pair["classIds"])]


class HintsRefresher:
    def __init__(self, sessions: sessionmaker[Session], storage: Storage, ml,
                 monotonic: Callable[[], float] = time.monotonic,
                 interval: float = PASS_INTERVAL_SECONDS):
        self.sessions = sessions
        self.storage = storage
        self.ml = ml
        self.monotonic = monotonic
        self.interval = interval
        self._next_pass = 0.0
        # group id -> (failures, monotonic time before which it is not asked again)
        self._backoff: dict[str, tuple[int, float]] = {}
        # group id -> (times found pending, monotonic time before which it is not asked
        # again, the signature asked for: a new photo set is asked for at the next pass)
        self._pending: dict[str, tuple[int, float, str]] = {}

    def stale_groups(self, db: Session) -> list[tuple[str, list[tuple[str, str]]]]:
        """(group id, its [(photo id, class id)]) for groups of open workshops whose hints
        were made for another photo set; oldest photo set first."""
        rows = db.execute(
            select(Photo.group_id, Photo.id, Photo.class_id)
            .join(Workshop, Workshop.id == Photo.workshop_id)
            .where(Photo.group_id.is_not(None), Workshop.phase.in_(HINT_PHASES), Workshop.purged_at.is_(None))
            .order_by(Photo.group_id, Photo.created_at, Photo.id)).all()
        sets: dict[str, list[tuple[str, str]]] = {}
        for group_id, photo_id, class_id in rows:
            sets.setdefault(group_id, []).append((photo_id, class_id))
        if not sets:
            return []
        stored = dict(db.execute(select(Group.id, Group.hints).where(Group.id.in_(list(sets)))).all())
        return [(group_id, photos) for group_id, photos in sets.items()
                if (stored.get(group_id) or {}).get("signature") != signature(photos)]

    def run_once(self, force: bool = False) -> int:
        """One pass; the number of groups whose hints were stored."""
        now = self.monotonic()
        if not force and now < self._next_pass:
            return 0
        self._next_pass = now + self.interval
        with self.sessions() as db:
            due = [(g, photos) for g, photos in self.stale_groups(db)
                   if self._backoff.get(g, (0, 0.0))[1] <= now and not self._waiting(g, photos, now)]
            due = due[:GROUPS_PER_PASS]
        done = 0
        for group_id, photos in due:
            try:
                self.refresh(group_id, photos)
                self._backoff.pop(group_id, None)
                self._pending.pop(group_id, None)
                done += 1
            except HintsPending:
                asked = signature(photos)
                waits, _, before = self._pending.get(group_id, (0, 0.0, asked))
                waits = waits + 1 if before == asked else 1
                delay = backoff_seconds(waits, FIRST_RECHECK_SECONDS, MAX_RECHECK_SECONDS)
                self._pending[group_id] = (waits, now + delay, asked)
            except (MLUnavailable, MLError, HintsFailed) as exc:
                self._pending.pop(group_id, None)
                failures = self._backoff.get(group_id, (0, 0.0))[0] + 1
                delay = backoff_seconds(failures, FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS)
                self._backoff[group_id] = (failures, now + delay)
                log.info("photo hints not available now; retried later",
                         extra={"groupId": group_id, "error": str(exc), "retryIn": delay})
                if isinstance(exc, MLUnavailable):
                    break  # the ML API is down: no point asking for the other groups now
        return done

    def _waiting(self, group_id: str, photos: list[tuple[str, str]], now: float) -> bool:
        """Its job for this very photo set is pending and not due to be asked about yet."""
        pending = self._pending.get(group_id)
        return pending is not None and pending[1] > now and pending[2] == signature(photos)

    def refresh(self, group_id: str, photos: list[tuple[str, str]]) -> None:
        """Ask for (or about) the group's hints job; store its result once it succeeded for
        this photo set. Raises HintsPending while it has not, HintsFailed if it failed."""
        wanted = signature(photos)
        with self.sessions() as db:
            group = db.get(Group, group_id)
            if group is None:
                return
            classes = [c.id for c in group.workshop.classes]
            workshop_id = group.workshop_id
            keys = dict(db.execute(select(Photo.id, Photo.storage_key)
                                   .where(Photo.id.in_([p for p, _ in photos]))).all())
            present = [(p, c) for p, c in photos if p in keys]  # deleted meanwhile: left out
            if not present:
                return
            uris = [self.storage.uri(keys[p]) for p, _ in present]
        job = self.ml.photo_hints(group_id, wanted, classes,
                                  [{"uri": uri, "label": c} for uri, (_, c) in zip(uris, present)],
                                  scope=workshop_id) or {}
        if job.get("status") == JobStatus.FAILED:
            raise HintsFailed(job.get("error") or "the hints job failed")
        answer = job.get("result")
        if job.get("status") != JobStatus.SUCCEEDED or job.get("signature") != wanted or answer is None:
            raise HintsPending(group_id)
        by_uri = {row["uri"]: row for row in answer.get("photos") or []}
        hints = {
            # Made for the photo set the question named: if it changed meanwhile, the next
            # pass sees another signature and asks again.
            "signature": wanted,
            "photos": {p: [code for code in by_uri.get(uri, {}).get("codes", []) if code in PHOTO_CODES]
                       for uri, (p, _) in zip(uris, present)},
            "pairs": [{"classIds": [pair["a"], pair["b"]], "code": pair["code"], "overlap": pair["overlap"]}
                      for pair in answer.get("classPairs") or []],
        }
        with self.sessions() as db:
            group = db.get(Group, group_id)
            if group is not None:
                group.hints = hints
                db.commit()
