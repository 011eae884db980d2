"""What `pictolab db upgrade`, `pictolab workshop create`, `pictolab purge` and
`pictolab instructor invite|reset` do."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import selectinload

from pictolab.contract.errors import DomainError
from pictolab.settings import Settings
from pictolab.storage import open_storage

from . import instructors, workshops
from .db import make_engine, make_sessionmaker, session_scope
from .ml_client import MLClient
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
                # The laptop's instructor (the first org admin) owns what the command line makes.
                instructors.add_owner(db, workshop, instructors.first_admin(db), actor=CLI_ACTOR)
                if phase is not None:
                    workshops.set_phase(db, workshop, Phase(phase), actor=CLI_ACTOR)
            except DomainError as exc:
                raise ValueError(exc.message) from None
            return workshops.workshop_summary(settings, workshop)
    finally:
        engine.dispose()


def create_template_workshop(settings: Settings, template: str, *, groups: int,
                             title: str | None = None) -> dict[str, Any]:
    """A ready lesson workshop (bff/lesson.py; ``template``: "background"), its demo photos
    stored for every group and as the hidden test set; the same summary as create_workshop."""
    from . import lesson

    if template != "background":
        raise ValueError(f"unknown template {template!r} (known: background)")
    upgrade_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            try:
                workshop = lesson.create_background_workshop(db, open_storage(settings.storage_url), settings,
                                                             groups=groups, actor=CLI_ACTOR, title=title)
                instructors.add_owner(db, workshop, instructors.first_admin(db), actor=CLI_ACTOR)
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
            # No BFF needs to run: the ML API is asked directly (if it cannot be reached, a
            # running BFF's reconciler deletes the workshop's ML jobs later).
            result = workshops.purge_workshop(db, open_storage(settings.storage_url), workshop, actor=CLI_ACTOR,
                                              ml=MLClient(settings.ml_api_url, timeout=10.0))
            return {"workshop": workshop_id, **result}
    finally:
        engine.dispose()


def invite_instructor(settings: Settings, email: str, *, org_admin: bool = False) -> str:
    """A one-time invitation URL for ``email`` (valid 72 h). ValueError for bad input."""
    upgrade_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            try:
                token = instructors.invite(db, email, actor=CLI_ACTOR, is_org_admin=org_admin)
            except DomainError as exc:
                raise ValueError(exc.message) from None
            return instructors.invitation_url(settings.public_url, token)
    finally:
        engine.dispose()


def reset_instructor(settings: Settings, email: str) -> dict[str, Any]:
    """Unlock ``email``'s account and, unless it is the first org admin (whose password is
    PICTOLAB_ADMIN_PASSWORD), make a one-time URL to set a new password (the old one works
    until then). LookupError for an unknown email."""
    upgrade_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            instructor = instructors.by_email(db, email)
            if instructor is None:
                raise LookupError(f"no instructor {instructors.normalize_email(email)!r}")
            instructors.unlock(db, instructor, actor=CLI_ACTOR)
            result: dict[str, Any] = {"email": instructor.email, "unlocked": True, "resetUrl": None}
            if not instructor.uses_admin_password:
                token = instructors.invite(db, instructor.email, actor=CLI_ACTOR, kind="reset")
                result["resetUrl"] = instructors.invitation_url(settings.public_url, token)
            return result
    finally:
        engine.dispose()
