"""Run a service's Flask app under gunicorn (used by `pictolab bff|ml-api|frontend`)."""

from __future__ import annotations

import importlib
from typing import Any


def load_factory(spec: str):
    """``"bff:create_app"`` -> the callable."""
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr or "create_app")


def service_name(factory_spec: str) -> str:
    """``"ml_api:create_app"`` -> ``"ml_api"``: the ``service`` field of the JSON logs."""
    return factory_spec.partition(":")[0].split(".")[0]


def gunicorn_logconfig(service: str, level: str = "INFO") -> dict[str, Any]:
    """gunicorn's own loggers (gunicorn.error: start, worker boot/exit, timeouts;
    gunicorn.access when an access log is on) as the same one-line JSON with ``severity``
    that the apps write (pictolab/logging.py), so Cloud Logging reads their level too.
    gunicorn merges this over its defaults, so every default key it names is replaced."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pictolab.logging.JsonFormatter", "service": service}},
        "handlers": {"json_stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                     "stream": "ext://sys.stderr"}},
        # The app adds its own JSON handler to the root logger (configure_logging).
        "root": {"level": level, "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["json_stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["json_stderr"], "propagate": False},
        },
    }


def serve(factory_spec: str, host: str, port: int, *, workers: int = 1, threads: int = 8,
          timeout: int = 120, graceful_timeout: int = 30, extra: dict[str, Any] | None = None) -> None:
    import os

    from gunicorn.app.base import BaseApplication

    # The workers inherit it: the BFF divides the container's memory limit among them
    # (bff.images decode budget).
    os.environ["PICTOLAB_SERVER_WORKERS"] = str(workers)

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
        "logconfig_dict": gunicorn_logconfig(service_name(factory_spec)),
        **(extra or {}),
    }

    class _Application(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return load_factory(factory_spec)()

    _Application().run()
