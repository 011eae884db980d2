"""``/healthz`` (the process answers) and ``/readyz`` (the default backbone is loaded)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    service = current_app.extensions["ml_api"]
    if service.ready:
        return jsonify(status="ready", backbone=service.settings.ml_backbone, device=service.device.type)
    body = {"status": "loading", "backbone": service.settings.ml_backbone}
    if service.backbone_error:
        body.update(status="error", error=service.backbone_error)
    return jsonify(body), 503


def init_app(app) -> None:
    app.register_blueprint(bp)
