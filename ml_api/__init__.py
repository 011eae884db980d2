"""The ML API: trains and serves per-group image classifiers (QUICK and DEEP modes).

    create_app(config=None): defaults, then the PICTOLAB_* environment (Settings.from_env),
    then ``config`` (tests). ``config`` keys: ``SETTINGS`` (a mapping of Settings overrides),
    ``ML_HEARTBEAT_SECONDS``, ``ML_STALE_AFTER_SECONDS``, ``ML_MAX_PENDING_JOBS``,
    ``ML_HANDLE_SIGNALS`` (default True),
    ``ML_LOAD_BACKBONE`` (default True: load the default backbone in the background).
"""

from __future__ import annotations

from flask import Flask

DEFAULTS = {
    "ML_HEARTBEAT_SECONDS": 2.0,
    "ML_STALE_AFTER_SECONDS": 15.0,
    "ML_MAX_PENDING_JOBS": 256,
    "ML_HANDLE_SIGNALS": True,
    "ML_LOAD_BACKBONE": True,
}


def create_app(config: dict | None = None) -> Flask:
    from pictolab.logging import configure_logging, init_request_logging
    from pictolab.settings import Settings

    from . import graphql_api, health
    from .service import MlService
    from .shutdown import install_stop_handlers

    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.update(config or {})
    settings = Settings.from_env(overrides=app.config.get("SETTINGS"))
    app.config["PICTOLAB_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024  # JSON requests only: URIs, never photo bytes
    configure_logging("ml_api", settings.log_level)
    init_request_logging(app)

    service = MlService(settings, heartbeat_seconds=app.config["ML_HEARTBEAT_SECONDS"],
                        stale_after_seconds=app.config["ML_STALE_AFTER_SECONDS"],
                        max_pending=app.config["ML_MAX_PENDING_JOBS"])
    app.extensions["ml_api"] = service
    health.init_app(app)
    graphql_api.init_app(app)

    if app.config["ML_HANDLE_SIGNALS"]:
        install_stop_handlers(service.jobs.request_stop)
    if app.config["ML_LOAD_BACKBONE"]:
        service.load_default_backbone_in_background()
    return app
