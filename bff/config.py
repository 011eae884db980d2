"""Configuration of one BFF app: embedded defaults, then the ``PICTOLAB_*`` environment
(through :class:`pictolab.settings.Settings`), then the test override mapping.

The override mapping may hold lowercase :class:`Settings` field names (``database_url``,
``storage_url``, ...) and uppercase Flask/BFF keys (``TESTING``, ``UPLOAD_RATE_PER_SECOND``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pictolab.settings import Settings

# BFF knobs that are not part of the public PICTOLAB_* contract (tests and the benchmark
# override them through the config mapping).
DEFAULTS: dict[str, Any] = {
    # Children photograph one object at a time; a burst covers a retry storm after a
    # Wi-Fi drop, the steady rate is far above what a child can shoot.
    "UPLOAD_RATE_PER_SECOND": 2.0,
    "UPLOAD_RATE_BURST": 30,
    # Failed logins per client IP: tokens carry 128 bits of MAC, this only stops noise.
    "LOGIN_FAILURES_PER_MINUTE": 30,
    "ADMIN_LOGIN_FAILURES_PER_MINUTE": 5,
    "GRAPHQL_MAX_DEPTH": 8,
    "SESSION_LIFETIME": timedelta(hours=14),  # one workshop day
    "PHOTO_MAX_SIDE": 1024,
    "JPEG_QUALITY": 85,
}

_SETTINGS_FIELDS = {f.name for f in dataclasses.fields(Settings)}


def load_config(app, config: Mapping[str, Any] | None = None) -> Settings:
    """Fill ``app.config`` and return the typed settings (also at ``app.config["SETTINGS"]``)."""
    config = dict(config or {})
    settings = config.pop("SETTINGS", None)
    overrides = {k: v for k, v in config.items() if k in _SETTINGS_FIELDS}
    flask_keys = {k: v for k, v in config.items() if k not in _SETTINGS_FIELDS}
    if settings is None:
        settings = Settings.from_env(overrides=overrides)
    elif overrides:
        settings = settings.replace(**overrides)
    settings.require_secrets()  # the BFF signs sessions and login tokens

    app.config.update(DEFAULTS)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        # The request body cap: werkzeug answers 413 before reading more than this.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_NAME="pictolab_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.is_local,
        PERMANENT_SESSION_LIFETIME=DEFAULTS["SESSION_LIFETIME"],
        JSON_SORT_KEYS=False,
    )
    app.config.update(flask_keys)
    return settings
