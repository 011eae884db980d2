"""The ML API: trains and serves per-group image classifiers (QUICK and DEEP modes).

    create_app(config=None): defaults, then the PICTOLAB_* environment (Settings.from_env),
    then ``config`` (tests), as every service reads it (:mod:`pictolab.appconfig`):
    lower-case keys of ``config`` override Settings fields (``storage_url``, ``ml_device``);
    upper-case keys are Flask config: ``ML_HEARTBEAT_SECONDS``, ``ML_STALE_AFTER_SECONDS``,
    ``ML_MAX_PENDING_JOBS``, ``ML_HANDLE_SIGNALS`` (default True), ``ML_LOAD_BACKBONE``
    (default True: load the default backbone in the background), ``ML_EMBED_IN_BACKGROUND``
    (default True: the eager-embedding thread, ml_api/embed_queue.py). The typed settings are at
    ``app.config["SETTINGS"]``.
"""

from __future__ import annotations

from flask import Flask

DEFAULTS = {
    "ML_HEARTBEAT_SECONDS": 2.0,
    "ML_STALE_AFTER_SECONDS": 15.0,
    "ML_MAX_PENDING_JOBS": 256,
    "ML_HANDLE_SIGNALS": True,
    "ML_LOAD_BACKBONE": True,
    # evaluate/predict running at once, below gunicorn's 8 threads (ml_api/concurrency.py).
    "ML_MAX_HEAVY_REQUESTS": 6,
    # Eager embeddings' background thread (ml_api/embed_queue.py); tests may drive it by hand.
    "ML_EMBED_IN_BACKGROUND": True,
}


def create_app(config: dict | None = None) -> Flask:
    from pictolab.appconfig import configure_app
    from pictolab.logging import configure_logging, init_request_logging

    from . import concurrency, graphql_api, health
    from .service import MlService
    from .shutdown import install_stop_handlers

    app = Flask(__name__)
    settings = configure_app(app, config, defaults=DEFAULTS)
    # JSON requests only (URIs, never photo bytes). The GraphQL view refuses a body over
    # settings.ml_max_request_bytes with a typed PAYLOAD_TOO_LARGE; werkzeug's cap, a little
    # above it, stops anything far larger before it is read (an HTML 413: still permanent).
    app.config["MAX_CONTENT_LENGTH"] = 2 * settings.ml_max_request_bytes
    configure_logging("ml_api", settings.log_level)
    init_request_logging(app)
    limiter = concurrency.init_app(app, app.config["ML_MAX_HEAVY_REQUESTS"])

    service = MlService(settings, heartbeat_seconds=app.config["ML_HEARTBEAT_SECONDS"],
                        stale_after_seconds=app.config["ML_STALE_AFTER_SECONDS"],
                        max_pending=app.config["ML_MAX_PENDING_JOBS"],
                        embed_in_background=app.config["ML_EMBED_IN_BACKGROUND"])
    service.heavy_in_flight = limiter.in_use  # the background embedder yields to them
    app.extensions["ml_api"] = service
    health.init_app(app)
    graphql_api.init_app(app)

    if app.config["ML_HANDLE_SIGNALS"]:
        install_stop_handlers(service.jobs.request_stop)
    if app.config["ML_LOAD_BACKBONE"]:
        service.load_default_backbone_in_background()
    return app
