"""HTTP-level errors as JSON in the GraphQL error shape, so the SPA handles them like the rest."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import RequestEntityTooLarge

from pictolab.contract.errors import ErrorCode, error_body


def init_app(app) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc):
        limit = app.config["MAX_CONTENT_LENGTH"]
        message = f"The upload is too large (at most {limit / 1_000_000:.1f} MB)."
        response = jsonify(error_body(ErrorCode.PAYLOAD_TOO_LARGE, message, maxBytes=limit))
        response.status_code = 413
        return response
