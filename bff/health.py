"""/healthz (liveness: the process serves) and /readyz (database and storage answer, schema
migrated). Both are exempt from the CIDR allow-list (see access.py)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .migrations import head_revision

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks: dict[str, str] = {}
    try:
        with current_app.extensions["pictolab.engine"].connect() as conn:
            conn.execute(text("SELECT 1"))
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        expected = current_app.extensions["pictolab.schema_head"]
        checks["database"] = "ok" if version == expected else f"schema at {version}, expected {expected}"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason goes to the operator
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        # Listing a prefix makes a real round trip to GCS (a missing bucket fails here).
        list(current_app.extensions["pictolab.storage"].list("readyz"))
        checks["storage"] = "ok"
    except Exception as exc:  # noqa: BLE001 - same: not ready, with the reason
        checks["storage"] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    if not ready:
        log.warning("not ready", extra={"checks": checks})
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


def init_app(app) -> None:
    app.extensions["pictolab.schema_head"] = head_revision()
    app.register_blueprint(bp)
