"""Workshops, their classes and groups: creation, phases, login cards, purge."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pictolab.graphql import ApiError
from pictolab.settings import Settings
from pictolab.storage import Storage

from . import audit
from .models import Group, Phase, Photo, PhotoClass, RunStatus, TrainingRun, Workshop
from .names import group_identity
from .tokens import login_url, make_token

log = logging.getLogger(__name__)

MAX_CLASSES = 20
MAX_GROUPS = 200


def create_workshop(db: Session, *, title: str, classes: list[str], groups: int, actor: str) -> Workshop:
    """Validate, then add a workshop with its classes and ``groups`` app-named groups."""
    title = (title or "").strip()
    if not 1 <= len(title) <= 200:
        raise ApiError("The title must have 1 to 200 characters.", code="BAD_USER_INPUT")
    names = [(c or "").strip() for c in classes]
    if len(names) < 2 or len(names) > MAX_CLASSES:
        raise ApiError(f"A workshop needs 2 to {MAX_CLASSES} classes.", code="BAD_USER_INPUT")
    if any(not 1 <= len(n) <= 60 for n in names):
        raise ApiError("Class names must have 1 to 60 characters.", code="BAD_USER_INPUT")
    if len({n.casefold() for n in names}) != len(names):
        raise ApiError("Class names must be different from each other.", code="BAD_USER_INPUT")
    if not isinstance(groups, int) or not 1 <= groups <= MAX_GROUPS:
        raise ApiError(f"A workshop has 1 to {MAX_GROUPS} groups.", code="BAD_USER_INPUT")

    workshop = Workshop(title=title, phase=Phase.SETUP)
    workshop.classes = [PhotoClass(name=n, position=i) for i, n in enumerate(names)]
    created = datetime.now(UTC)
    workshop.groups = []
    for i in range(groups):
        name, emoji, color = group_identity(i)
        # One microsecond apart: groups list in creation order (the order of the printed cards).
        workshop.groups.append(Group(name=name, emoji=emoji, color=color, token_version=1,
                                     created_at=created + timedelta(microseconds=i)))
    db.add(workshop)
    db.flush()
    audit.record(db, actor, "workshop.create", workshop_id=workshop.id,
                 details={"classes": len(names), "groups": groups})
    return workshop


def newest_open_workshop(db: Session) -> Workshop | None:
    """What an instructor sees when no workshop is named: the newest one not purged."""
    return db.scalars(select(Workshop).where(Workshop.purged_at.is_(None))
                      .order_by(Workshop.created_at.desc()).limit(1)).first()


def set_phase(db: Session, workshop: Workshop, phase: Phase, *, actor: str) -> Workshop:
    if workshop.purged_at is not None:
        raise ApiError("This workshop was purged.", code="FAILED_PRECONDITION")
    previous = workshop.phase
    workshop.phase = phase
    audit.record(db, actor, "workshop.set_phase", workshop_id=workshop.id,
                 details={"from": previous.value, "to": phase.value})
    return workshop


def revoke_group_token(db: Session, group: Group, *, actor: str, disable: bool = False) -> Group:
    """Invalidate the group's printed cards (and its logged-in sessions). With ``disable``
    the group cannot log in at all until revoked again without it (which re-enables it)."""
    group.token_version += 1
    group.revoked = disable
    audit.record(db, actor, "group.revoke_token", workshop_id=group.workshop_id, target_id=group.id,
                 details={"tokenVersion": group.token_version, "disabled": disable})
    return group


def group_card(settings: Settings, group: Group) -> dict[str, Any]:
    token = make_token(settings.secret_key, group.id, group.token_version)
    return {"id": group.id, "name": group.name, "emoji": group.emoji, "color": group.color,
            "token": token, "loginUrl": login_url(settings.public_url, token)}


def workshop_summary(settings: Settings, workshop: Workshop) -> dict[str, Any]:
    """JSON-able description with every group's login card (the CLI prints this)."""
    return {
        "id": workshop.id,
        "title": workshop.title,
        "phase": workshop.phase.value,
        "classes": [{"id": c.id, "name": c.name} for c in workshop.classes],
        "groups": [group_card(settings, g) for g in workshop.groups],
    }


def purge_workshop(db: Session, storage: Storage, workshop: Workshop, *, actor: str) -> dict[str, int]:
    """Delete every photo, model, checkpoint and embedding of a workshop; close it.

    The workshop is closed and its active runs stopped in a commit of their own first, so
    the training reconciler sends nothing more to the ML API while objects are deleted.
    Objects go next, rows last: if storage fails half-way the rows still point at what is
    left, and running purge again finishes the job.
    """
    workshop.phase = Phase.CLOSED
    db.execute(update(TrainingRun).where(TrainingRun.workshop_id == workshop.id,
                                         TrainingRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
               .values(status=RunStatus.FAILED, error="The workshop was purged.", next_attempt_at=None)
               .execution_options(synchronize_session=False))
    db.commit()
    run_ids = db.scalars(select(TrainingRun.id).where(TrainingRun.workshop_id == workshop.id)).all()
    objects = storage.delete_prefix(f"photos/{workshop.id}")
    # "Try it" photos live only while the ML API looks at them; a crash mid-request could
    # leave one behind (GCS also expires tmp/ by lifecycle rule; a local folder has none).
    objects += storage.delete_prefix(f"tmp/predict/{workshop.id}")
    for run_id in run_ids:
        objects += storage.delete_prefix(f"runs/{run_id}")
    marker = f"/photos/{workshop.id}/"
    for key in list(storage.list("cache/embeddings")):
        if marker in key and storage.delete(key):
            objects += 1
    photo_count = db.scalar(select(func.count()).select_from(Photo).where(Photo.workshop_id == workshop.id))
    db.execute(delete(Photo).where(Photo.workshop_id == workshop.id))
    db.execute(delete(TrainingRun).where(TrainingRun.workshop_id == workshop.id))
    workshop.phase = Phase.CLOSED
    workshop.purged_at = datetime.now(UTC)
    result = {"photos": int(photo_count or 0), "trainingRuns": len(run_ids), "objects": objects}
    audit.record(db, actor, "workshop.purge", workshop_id=workshop.id, details=result)
    log.info("workshop purged", extra={"workshop_id": workshop.id, **result})
    return result
