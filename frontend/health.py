"""/healthz (the process serves) and /readyz (the built app is there to serve)."""

from __future__ import annotations

from flask import Flask, current_app, jsonify

from .site import index_path


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        built = index_path(current_app).is_file()
        # Not ready without a build: a broken image must not receive traffic.
        return jsonify(status="ok" if built else "not built", dist=built), 200 if built else 503
