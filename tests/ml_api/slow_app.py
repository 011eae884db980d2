"""A stand-in for the ML API under gunicorn: /graphql operations named evaluate/predict sleep
SLOW_APP_SECONDS, as a long evaluate does; SLOW_APP_LIMIT=0 leaves the limiter out, to show
what it prevents. Used by test_concurrency.py."""

from __future__ import annotations

import os
import time

from flask import Flask, jsonify, request


def create_app() -> Flask:
    from ml_api import concurrency

    app = Flask(__name__)
    limit = int(os.environ.get("SLOW_APP_LIMIT", concurrency.DEFAULT_LIMIT))
    if limit:
        concurrency.init_app(app, limit)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.post("/graphql")
    def graphql():
        if concurrency.heavy_fields(request.get_json(silent=True)):
            time.sleep(float(os.environ.get("SLOW_APP_SECONDS", "4")))
        return jsonify(data={"ok": True})

    return app
