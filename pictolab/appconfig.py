"""The one way every service's ``create_app(config=None)`` reads its configuration.

Flask tutorial order: the service's defaults, then the ``PICTOLAB_*`` environment, then
``config`` (tests, benchmarks). In ``config``:

- a lower-case key overrides the :class:`~pictolab.settings.Settings` field of that name
  (``storage_url``, ``ml_device``, ``bff_url``, ...); an unknown one is a ``SettingsError``;
- an upper-case key is Flask config (``TESTING``, ``DIST_DIR``, ``ML_POLL_SECONDS``, ...),
  applied after the service's defaults;
- any other key is a ``SettingsError``, and so is ``SETTINGS``: the factory puts the typed
  settings there (``app.config["SETTINGS"]``) for the app's modules to read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .settings import Settings, SettingsError

SETTINGS_KEY = "SETTINGS"


def split_config(config: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``config`` -> (Settings overrides, Flask config), by the case of each key."""
    overrides: dict[str, Any] = {}
    flask_config: dict[str, Any] = {}
    for key, value in (config or {}).items():
        if not isinstance(key, str) or key == SETTINGS_KEY:
            raise SettingsError(f"config key {key!r}: pass Settings fields as lower-case keys")
        if key.islower():
            overrides[key] = value
        elif key.isupper():
            flask_config[key] = value
        else:
            raise SettingsError(f"config key {key!r}: lower-case (a Settings field) or upper-case (Flask)")
    return overrides, flask_config


def configure_app(app, config: Mapping[str, Any] | None, *, defaults: Mapping[str, Any] | None = None,
                  from_settings: Callable[[Settings], Mapping[str, Any]] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Fill ``app.config`` and return the process's typed settings (also ``app.config["SETTINGS"]``).

    Flask keys, later wins: ``defaults``, then ``from_settings(settings)`` (keys derived from a
    setting, e.g. ``SECRET_KEY``), then the upper-case keys of ``config``."""
    overrides, flask_config = split_config(config)
    settings = Settings.from_env(environ=environ, overrides=overrides)
    app.config.from_mapping(defaults or {})
    if from_settings is not None:
        app.config.from_mapping(from_settings(settings))
    app.config.from_mapping(flask_config)
    app.config[SETTINGS_KEY] = settings
    return settings
