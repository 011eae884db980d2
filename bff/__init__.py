"""The BFF: the only service the browser talks to (GraphQL at /graphql, photo bytes at
/media, health at /healthz and /readyz). It owns the database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Defaults, then the PICTOLAB_* environment, then ``config`` (tests), as every service
    reads it (:mod:`pictolab.appconfig`): lower-case keys of ``config`` override Settings
    fields (``database_url``), upper-case keys are Flask config (``TESTING``,
    ``UPLOAD_RATE_PER_SECOND``: see ``bff.config.DEFAULTS``)."""
    from pictolab.logging import configure_logging, init_request_logging

    from . import access, db, errors, health, images, media, ratelimit, request_class, schema, storage, training
    from .config import load_config

    app = Flask(__name__)
    settings = load_config(app, config)
    configure_logging("bff", settings.log_level)
    request_class.init_app(app)
    init_request_logging(app)
    access.init_app(app)  # first: outsiders get nothing else
    errors.init_app(app)
    db.init_app(app)
    storage.init_app(app)
    images.init_app(app)  # decode memory budget of this process
    ratelimit.init_app(app)
    training.init_app(app)
    schema.init_app(app)
    media.init_app(app)
    from . import exports
    exports.init_app(app)  # /m/<token>/: a run's model, taken home (outside the allow-list)
    health.init_app(app)
    return app
