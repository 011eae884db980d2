"""Configuration of one BFF app, read as every service reads it (:mod:`pictolab.appconfig`):
embedded defaults, then the ``PICTOLAB_*`` environment (through
:class:`pictolab.settings.Settings`), then the ``config`` mapping, whose lower-case keys
override Settings fields (``database_url``, ``storage_url``, ...) and whose upper-case keys are
Flask/BFF config (``TESTING``, ``UPLOAD_RATE_PER_SECOND``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pictolab.appconfig import configure_app
from pictolab.settings import Settings

# BFF knobs that are not part of the public PICTOLAB_* contract (tests and the benchmark
# override them through the config mapping).
DEFAULTS: dict[str, Any] = {
    # Children photograph one object at a time; a burst covers a retry storm after a
    # Wi-Fi drop, the steady rate is far above what a child can shoot.
    "UPLOAD_RATE_PER_SECOND": 2.0,
    "UPLOAD_RATE_BURST": 30,
    # Failed logins per device (ten times as many per address; see bff/ratelimit.py): tokens
    # carry 128 bits of MAC, this only stops noise and never keeps a real card out.
    "LOGIN_FAILURES_PER_MINUTE": 30,
    "ADMIN_LOGIN_FAILURES_PER_MINUTE": 5,
    # Wrong passwords in a row that lock an instructor's account (whoever sends them), and
    # for how long, unless an org admin or `pictolab instructor reset` unlocks it sooner.
    "ADMIN_ACCOUNT_MAX_FAILURES": 20,
    "ADMIN_ACCOUNT_LOCK": timedelta(hours=1),
    "GRAPHQL_MAX_DEPTH": 8,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=14),  # a child's session: one workshop day
    # An admin session ends this long after its login however active it is (the session
    # cookie is refreshed on every request, so it alone would never expire while in use).
    "ADMIN_SESSION_MAX_AGE": timedelta(hours=12),
    "PHOTO_MAX_SIDE": 1024,
    "JPEG_QUALITY": 85,
}

def _from_settings(settings: Settings) -> dict[str, Any]:
    """Flask keys that follow from a setting (a test may still override them)."""
    return {
        "SECRET_KEY": settings.secret_key,
        # The request body cap: werkzeug answers 413 before reading more than this.
        "MAX_CONTENT_LENGTH": settings.max_upload_bytes,
        "SESSION_COOKIE_NAME": "pictolab_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not settings.is_local,
    }


def load_config(app, config: Mapping[str, Any] | None = None) -> Settings:
    """Fill ``app.config`` and return the typed settings (also at ``app.config["SETTINGS"]``)."""
    settings = configure_app(app, config, defaults=DEFAULTS, from_settings=_from_settings)
    return settings.require_secrets()  # the BFF signs sessions and login tokens
