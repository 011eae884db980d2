"""Audit trail: who did what, when. Details never hold photo content, tokens or passwords.

Actors: ``instructor:<id>`` (an instructor's admin operation; ``ctx.admin_actor``),
``group:<id>``, ``cli``, ``system``, ``anonymous`` (a failed sign-in); older events say ``admin``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEvent


def record(db: Session, actor: str, action: str, *, workshop_id: str | None = None,
           target_id: str | None = None, details: dict[str, Any] | None = None) -> AuditEvent:
    """Add an event to ``db`` (committed with the change it describes)."""
    event = AuditEvent(actor=actor, action=action, workshop_id=workshop_id, target_id=target_id,
                       details=details)
    db.add(event)
    return event


def group_actor(group_id: str) -> str:
    return f"group:{group_id}"
