"""The ML API: trains and serves per-group image classifiers (QUICK and DEEP modes).

    create_app(config=None): defaults, then the PICTOLAB_* environment (Settings.from_env),
    then ``config`` (tests), as every service reads it (:mod:`pictolab.appconfig`):
    lower-case keys of ``config`` override Settings fields (``storage_url``, ``ml_device``,
    ``ml_database_url``, ``ml_lease_seconds``); upper-case keys are Flask config:
    ``ML_HANDLE_SIGNALS`` (default True), ``ML_LOAD_BACKBONE`` (default True: load the default
    backbone in the background), ``ML_WORKERS`` (default True: this process pulls jobs from
    the queue; tests may drive the queue by hand), ``ML_POLL_SECONDS`` (how often idle workers
    look for jobs queued elsewhere), ``ML_MIGRATE`` (default: on for SQLite, where the queue is
    this laptop's own file; a server database is migrated by `pictolab ml-db upgrade`). The
    typed settings are at ``app.config["SETTINGS"]``.
"""

from __future__ import annotations

from flask import Flask

from .concurrency import DEFAULT_LIMIT as HEAVY_REQUESTS_LIMIT

DEFAULTS = {
    "ML_HANDLE_SIGNALS": True,
    "ML_LOAD_BACKBONE": True,
    # evaluate/predict running at once, below gunicorn's thread count (ml_api/concurrency.py).
    "ML_MAX_HEAVY_REQUESTS": HEAVY_REQUESTS_LIMIT,
    "ML_WORKERS": True,
    "ML_POLL_SECONDS": 1.0,
    "ML_MIGRATE": None,
}


def create_app(config: dict | None = None) -> Flask:
    from pictolab.appconfig import configure_app
    from pictolab.logging import configure_logging, init_request_logging

    from . import concurrency, graphql_api, health, metrics, migrations
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

    migrate = app.config["ML_MIGRATE"]
    if migrate if migrate is not None else settings.ml_database_url.startswith("sqlite"):
        migrations.upgrade(settings.ml_database_url)
    service = MlService(settings, start_workers=app.config["ML_WORKERS"], poll_seconds=app.config["ML_POLL_SECONDS"])
    service.heavy_in_flight = limiter.in_use  # background jobs wait while a child waits for an answer
    app.extensions["ml_api"] = service
    health.init_app(app)
    metrics.init_app(app)  # /metrics: the queue's figures for Managed Prometheus
    graphql_api.init_app(app)

    if app.config["ML_HANDLE_SIGNALS"]:
        install_stop_handlers(service.workers.request_stop)
    if app.config["ML_LOAD_BACKBONE"]:
        service.load_default_backbone_in_background()
    return app
