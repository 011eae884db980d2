"""Eager embeddings, the BFF's durable side (issue 11; the ML API's side is
``ml_api/embed_queue.py``).

A stored photo (a group's or a hidden test photo) starts with ``photos.embedded_at`` NULL:
"its embedding is not known to be cached". :class:`EmbeddingRequester`, driven by the
reconciler's thread (``bff/training.py``) next to the runs, sends such photos in batches to
the ML API's ``embedPhotos``, which queues them for its low-priority background thread and
answers at once with the ones already cached; those are marked done (``embedded_at``). The
others are sent again after a short delay that grows with each send (``embed_sends``), so a
restarted ML API, which forgot its queue, gets them again: nothing is fire-and-forget.
While the ML API cannot be reached the whole loop backs off, as for runs.

It is only ever an optimisation: a photo whose embedding never got cached (given up after
``MAX_SENDS``, or a request lost) is embedded by its run, as before. Several BFF processes
may run the loop; a batch is leased with a conditional UPDATE of ``embed_next_at`` first,
and a photo sent twice is harmless (the ML API's queue and cache are keyed by the photo).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from pictolab.storage import Storage

from .ml_client import MLError, MLUnavailable
from .models import Phase, Photo, Workshop, utcnow

log = logging.getLogger(__name__)

BATCH = 64
# Sent again after 1 s, then 1.5x longer each time (at most 20 s): the background thread
# may be waiting behind the children's runs. About 10 minutes of sends, then given up.
FIRST_RESEND_SECONDS = 1.0
MAX_RESEND_SECONDS = 20.0
MAX_SENDS = 40
# A batch's lease while it is being sent (longer than embedPhotos' timeout).
LEASE = timedelta(seconds=30)
MAX_BACKOFF_SECONDS = 30.0
ACTIVE_PHASES = (Phase.SETUP, Phase.COLLECT, Phase.TRAIN, Phase.COMPETE)


def resend_seconds(sends: int) -> float:
    return min(MAX_RESEND_SECONDS, FIRST_RESEND_SECONDS * 1.5 ** max(0, sends - 1))


class EmbeddingRequester:
    def __init__(self, sessions: sessionmaker[Session], storage: Storage, ml,
                 clock: Callable[[], datetime] = utcnow, batch: int = BATCH):
        self.sessions = sessions
        self.storage = storage
        self.ml = ml
        self.clock = clock
        self.batch = batch
        self.failures = 0
        self.paused_until: datetime | None = None  # the ML API was unreachable: back off

    def _due(self, now: datetime):
        return or_(Photo.embed_next_at.is_(None), Photo.embed_next_at <= now)

    def due_photos(self, db: Session, now: datetime) -> list[tuple[str, str]]:
        """(photo id, storage key) of photos to send now, oldest first."""
        query = (select(Photo.id, Photo.storage_key).join(Workshop, Workshop.id == Photo.workshop_id)
                 .where(Photo.embedded_at.is_(None), Photo.embed_sends < MAX_SENDS, self._due(now),
                        Workshop.purged_at.is_(None), Workshop.phase.in_(ACTIVE_PHASES))
                 .order_by(Photo.created_at, Photo.id).limit(self.batch))
        return list(db.execute(query).all())

    def run_once(self) -> int:
        """Send one batch of due photos; returns how many were sent."""
        now = self.clock()
        if self.paused_until is not None and now < self.paused_until:
            return 0
        with self.sessions() as db:
            rows = self.due_photos(db, now)
            if not rows:
                return 0
            ids = [photo_id for photo_id, _ in rows]
            db.execute(update(Photo).where(Photo.id.in_(ids), self._due(now))
                       .values(embed_next_at=now + LEASE).execution_options(synchronize_session=False))
            db.commit()
            uri_to_id = {self.storage.uri(key): photo_id for photo_id, key in rows}
            try:
                answer = self.ml.embed_photos(list(uri_to_id))
            except (MLUnavailable, MLError) as exc:
                self._back_off(db, ids, now, exc)
                return len(ids)
            self.failures = 0
            self.paused_until = None
            done = [uri_to_id[uri] for uri in answer.get("cached") or [] if uri in uri_to_id]
            if done:
                db.execute(update(Photo).where(Photo.id.in_(done))
                           .values(embedded_at=now, embed_next_at=None)
                           .execution_options(synchronize_session=False))
            waiting = [photo_id for photo_id in ids if photo_id not in set(done)]
            for photo in db.scalars(select(Photo).where(Photo.id.in_(waiting))):
                photo.embed_sends += 1
                photo.embed_next_at = now + timedelta(seconds=resend_seconds(photo.embed_sends))
            db.commit()
            return len(ids)

    def _back_off(self, db: Session, ids: list[str], now: datetime, exc: Exception) -> None:
        """The ML API is down (or refused the request: an older ML API without embedPhotos):
        the batch's lease is lifted, and the loop pauses with a growing backoff."""
        db.rollback()
        self.failures += 1
        delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (self.failures - 1))
        if isinstance(exc, MLError) and exc.permanent:
            delay = MAX_BACKOFF_SECONDS
        self.paused_until = now + timedelta(seconds=delay)
        db.execute(update(Photo).where(Photo.id.in_(ids), Photo.embedded_at.is_(None))
                   .values(embed_next_at=self.paused_until).execution_options(synchronize_session=False))
        db.commit()
        if self.failures == 1 or self.failures % 20 == 0:
            log.warning("eager embeddings paused for %.1fs: %s", delay, exc, extra={"photos": len(ids)})
