"""Mounts the GraphQL schema at ``POST /graphql`` (JSON only: no multipart in the ML API)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from pictolab.graphql import PictolabGraphQLView

from .schema import build_schema


@dataclass
class Context:
    service: object
    response: object = None


def init_app(app) -> None:
    view = PictolabGraphQLView.as_view(
        "graphql", schema=build_schema(),
        context_factory=lambda request: Context(service=current_app.extensions["ml_api"]),
        graphiql=bool(app.config["SETTINGS"].graphiql), introspection=True,
        require_preflight_for_multipart=False, multipart_uploads_enabled=False,
        # Not browser-facing: its requests are lists of example URIs from the BFF, so the cap
        # is what the largest of them carries, not the 64 KB a browser's query needs.
        max_json_bytes=app.config["SETTINGS"].ml_max_request_bytes)
    app.add_url_rule("/graphql", view_func=view, methods=["GET", "POST"])
