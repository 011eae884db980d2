"""Retention on a laptop: closed workshops older than ``PICTOLAB_RETENTION_DAYS`` are purged.

In the cloud the bucket's lifecycle rule deletes old objects; a laptop's storage folder has
none, so `pictolab up` calls :func:`purge_expired` at every start. A workshop is a day: its
age is counted from its creation, and only CLOSED workshops are purged (one an instructor
left open is still in use, or about to be closed and purged by hand).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pictolab.settings import Settings
from pictolab.storage import open_storage

from . import workshops
from .db import make_engine, make_sessionmaker, session_scope
from .ml_client import MLClient
from .models import Phase, Workshop

log = logging.getLogger(__name__)

RETENTION_ACTOR = "retention"


def purge_expired(settings: Settings, now: datetime | None = None) -> list[dict[str, Any]]:
    """Purge every CLOSED, not yet purged workshop created more than
    ``settings.retention_days`` before ``now``; one result per purged workshop (what
    :func:`bff.workshops.purge_workshop` returns, plus its id). Each is committed on its own:
    a storage failure half-way leaves the rest for the next start."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.retention_days)
    storage = open_storage(settings.storage_url)
    # `pictolab up` purges before the ML API is ready: its jobs are then deleted by the
    # BFF's reconciler, which retries until the ML API answers.
    ml = MLClient(settings.ml_api_url, timeout=5.0)
    engine = make_engine(settings.database_url)
    purged: list[dict[str, Any]] = []
    try:
        sessions = make_sessionmaker(engine)
        with session_scope(sessions) as db:
            expired = db.scalars(select(Workshop.id).where(
                Workshop.phase == Phase.CLOSED, Workshop.purged_at.is_(None),
                Workshop.created_at < cutoff).order_by(Workshop.created_at)).all()
        for workshop_id in expired:
            with session_scope(sessions) as db:
                workshop = db.get(Workshop, workshop_id, options=[selectinload(Workshop.groups)])
                result = workshops.purge_workshop(db, storage, workshop, actor=RETENTION_ACTOR, ml=ml)
            purged.append({"workshop": workshop_id, **result})
            log.info("expired workshop purged", extra={"workshop_id": workshop_id,
                                                       "retentionDays": settings.retention_days, **result})
    finally:
        engine.dispose()
    return purged
