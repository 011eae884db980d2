"""/healthz (liveness: the process serves) and /readyz (database and storage answer, schema
migrated), in the shape every service answers (:mod:`pictolab.health`). Both are exempt from
the CIDR allow-list (see access.py)."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from pictolab.health import Check, liveness, readiness

from .migrations import head_revision
from .schema_version import FailureStreak, SchemaRevisions, schema_check

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return liveness()


def _database() -> Check:
    try:
        with current_app.extensions["pictolab.engine"].connect() as conn:
            conn.execute(text("SELECT 1"))
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason goes to the operator
        return Check(False, f"error: {exc.__class__.__name__}")
    # The previous, this and a newer head are all fine: no flapping while a migration runs.
    return Check(*schema_check(version, current_app.extensions["pictolab.schema_revisions"]))


def _storage() -> Check:
    try:
        # Listing a prefix makes a real round trip to GCS (a missing bucket fails here).
        list(current_app.extensions["pictolab.storage"].list("readyz"))
    except Exception as exc:  # noqa: BLE001 - same: not ready, with the reason
        # One failed round trip is a hiccup; only several in a row make the pod unready.
        streak = current_app.extensions["pictolab.storage_streak"]
        still_ok = streak.record(False)
        return Check(still_ok, f"error: {exc.__class__.__name__}" + (
            f" ({streak.consecutive_failures} in a row, unready at {streak.threshold})" if still_ok else ""))
    current_app.extensions["pictolab.storage_streak"].record(True)
    return Check(True, "answers")


@bp.get("/readyz")
def readyz():
    return readiness("bff", {"database": _database(), "storage": _storage()})


def init_app(app) -> None:
    app.extensions["pictolab.schema_head"] = head_revision()
    app.extensions["pictolab.schema_revisions"] = SchemaRevisions.from_scripts()
    app.extensions["pictolab.storage_streak"] = FailureStreak()
    app.register_blueprint(bp)
