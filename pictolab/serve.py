"""Run a service's Flask app under gunicorn (used by `pictolab bff|ml-api|frontend`)."""

from __future__ import annotations

import importlib
from typing import Any


def load_factory(spec: str):
    """``"bff:create_app"`` -> the callable."""
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr or "create_app")


def serve(factory_spec: str, host: str, port: int, *, workers: int = 1, threads: int = 8,
          timeout: int = 120, graceful_timeout: int = 30, extra: dict[str, Any] | None = None) -> None:
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": graceful_timeout,
        "accesslog": None,  # the apps log one JSON line per request themselves
        # Longer than the Google load balancer's 600 s backend keep-alive: otherwise it reuses
        # a connection gunicorn just closed and a child gets a 502.
        "keepalive": 620,
        "forwarded_allow_ips": "*",  # X-Forwarded-For is judged by the app's own hop count
        **(extra or {}),
    }

    class _Application(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return load_factory(factory_spec)()

    _Application().run()
