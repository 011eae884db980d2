"""What `pictolab db upgrade`, `pictolab workshop create` and `pictolab purge` do."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import selectinload

from pictolab.contract.errors import DomainError
from pictolab.settings import Settings
from pictolab.storage import open_storage

from . import workshops
from .db import make_engine, make_sessionmaker, session_scope
from .models import Phase, Workshop

CLI_ACTOR = "cli"


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision`` (idempotent)."""
    from alembic import command

    from .migrations import alembic_config

    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), revision)
    finally:
        engine.dispose()


def create_workshop(settings: Settings, *, title: str, classes: list[str], groups: int,
                    phase: str | None = None) -> dict[str, Any]:
    """Create a workshop (migrating the database first if needed), optionally already in
    ``phase``; JSON-able summary with every group's login token and URL. ValueError for bad input."""
    upgrade_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            try:
                workshop = workshops.create_workshop(db, title=title, classes=list(classes), groups=groups,
                                                     actor=CLI_ACTOR)
                if phase is not None:
                    workshops.set_phase(db, workshop, Phase(phase), actor=CLI_ACTOR)
            except DomainError as exc:
                raise ValueError(exc.message) from None
            return workshops.workshop_summary(settings, workshop)
    finally:
        engine.dispose()


def purge_workshop(settings: Settings, workshop_id: str) -> dict[str, Any]:
    """Delete every photo, model, checkpoint and embedding of a workshop. LookupError for an
    unknown id."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            workshop = db.get(Workshop, workshop_id, options=[selectinload(Workshop.groups)])
            if workshop is None:
                raise LookupError(f"no workshop {workshop_id!r}")
            result = workshops.purge_workshop(db, open_storage(settings.storage_url), workshop, actor=CLI_ACTOR)
            return {"workshop": workshop_id, **result}
    finally:
        engine.dispose()
