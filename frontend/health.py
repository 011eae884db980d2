"""/healthz (the process serves) and /readyz (the built app is there to serve), in the shape
every service answers (:mod:`pictolab.health`)."""

from __future__ import annotations

from flask import Flask, current_app

from pictolab.health import Check, liveness, readiness

from .site import index_path


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        return liveness()

    @app.get("/readyz")
    def readyz():
        index = index_path(current_app)
        # Not ready without a build: a broken image must not receive traffic.
        built = Check(True, f"{index} exists") if index.is_file() else Check(False, f"{index} missing: not built")
        return readiness("frontend", {"dist": built})
