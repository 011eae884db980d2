"""The frontend server: serves the built SPA (frontend/dist) with real 404s and strict
security headers; under ``pictolab up`` it also forwards ``/graphql`` and ``/media`` to the
BFF so the browser sees one origin, as it does behind the Ingress.

``create_app(config=None)``: defaults, then the ``PICTOLAB_*`` environment (Settings.from_env),
then ``config`` (tests), as every service reads it (:mod:`pictolab.appconfig`): lower-case keys
of ``config`` override Settings fields (e.g. ``bff_url``); upper-case keys are Flask config
(e.g. ``DIST_DIR``, ``PROXY_READ_TIMEOUT``: see ``DEFAULTS``). The typed settings are at
``app.config["SETTINGS"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULT_DIST_DIR = Path(__file__).resolve().parent / "dist"
DEFAULTS = {
    "DIST_DIR": DEFAULT_DIST_DIR,
    "PROXY_CONNECT_TIMEOUT": 5.0,
    "PROXY_READ_TIMEOUT": 300.0,  # a training-status poll is quick; an upload on slow Wi-Fi is not
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from pictolab.appconfig import configure_app
    from pictolab.logging import configure_logging, init_request_logging

    from . import health, proxy, security, site

    app = Flask(__name__, static_folder=None)
    settings = configure_app(app, config, defaults=DEFAULTS)
    app.config["DIST_DIR"] = Path(app.config["DIST_DIR"]).resolve()

    configure_logging("frontend", settings.log_level)
    init_request_logging(app)
    security.init_app(app)
    health.init_app(app)
    proxy.init_app(app)
    site.init_app(app)
    return app
