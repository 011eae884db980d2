"""``/healthz`` (the process answers) and ``/readyz`` (the configured device works and the
default backbone is loaded on it), in the shape every service answers (:mod:`pictolab.health`)."""

from __future__ import annotations

from flask import Blueprint, current_app

from pictolab.health import Check, liveness, readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return liveness()


@bp.get("/readyz")
def readyz():
    service = current_app.extensions["ml_api"]
    settings = service.settings
    if service.device_error:
        device = Check(False, service.device_error)
    else:
        device = Check(True, f"{service.device.type}: {service.device_name} (PICTOLAB_ML_DEVICE={settings.ml_device})")
    if service.ready:
        backbone = Check(True, f"{settings.ml_backbone} loaded")
    elif service.backbone_error:
        backbone = Check(False, f"{settings.ml_backbone}: {service.backbone_error}")
    elif service.device_error:
        backbone = Check(False, f"{settings.ml_backbone} not loaded: no usable device")
    else:
        backbone = Check(False, f"{settings.ml_backbone} loading")
    return readiness("ml-api", {"device": device, "backbone": backbone})


def init_app(app) -> None:
    app.register_blueprint(bp)
