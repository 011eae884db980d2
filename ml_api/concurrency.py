"""Keeps a gunicorn thread free for the probes while long GraphQL calls run.

The ML API runs one gunicorn worker with a few threads (k8s/base/ml-api.yaml). An ``evaluate`` on
a large hidden test set or a burst of ``predict`` calls can hold every thread for minutes;
the kubelet's /healthz then waits behind them, times out, and the pod (and its GPU node's
warm models) is killed while it is only busy. So at most ``limit`` heavy operations run at
once, ``limit`` below the thread count: a heavy request over the limit is answered at once
with 503 + Retry-After (the BFF treats 503 as "ML API unavailable" and retries), and the
remaining threads stay free for /healthz, /readyz and the light status queries.
"""

from __future__ import annotations

import logging
import threading

from flask import g, jsonify, request

from pictolab.contract.errors import ErrorCode, error_body

log = logging.getLogger(__name__)

# Operations that can hold a thread for long: they run a model over images.
HEAVY_FIELDS = frozenset({"evaluate", "predict"})
# Below the ML API's gunicorn thread count (`pictolab ml-api --threads`, k8s/base/ml-api.yaml):
# the threads left over stay free for the probes and status queries.
DEFAULT_LIMIT = 6


def heavy_fields(payload) -> set[str]:
    """Top-level field names of the GraphQL operation(s) in a JSON body that are heavy."""
    from graphql import GraphQLError, OperationDefinitionNode, parse

    documents = payload if isinstance(payload, list) else [payload]
    found: set[str] = set()
    for document in documents:
        query = document.get("query") if isinstance(document, dict) else None
        if not isinstance(query, str):
            continue
        try:
            ast = parse(query)
        except GraphQLError:
            continue  # the GraphQL view answers the syntax error itself, quickly
        for definition in ast.definitions:
            if isinstance(definition, OperationDefinitionNode):
                found.update(sel.name.value for sel in definition.selection_set.selections
                             if getattr(sel, "name", None) is not None)
    return found & HEAVY_FIELDS


class HeavyRequestLimiter:
    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError("limit must be >= 1")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    def try_acquire(self) -> bool:
        return self._slots.acquire(blocking=False)

    def release(self) -> None:
        self._slots.release()

    def in_use(self) -> int:
        """Heavy operations running now (the background embedder waits while any is:
        ml_api/workers.py)."""
        return self.limit - self._slots._value  # BoundedSemaphore keeps its count there


def init_app(app, limit: int = DEFAULT_LIMIT) -> HeavyRequestLimiter:
    limiter = HeavyRequestLimiter(limit)
    app.extensions["ml_api.limiter"] = limiter

    @app.before_request
    def _limit_heavy_requests():
        if request.method != "POST" or request.path != "/graphql":
            return None
        fields = heavy_fields(request.get_json(silent=True))
        if not fields:
            return None
        if not limiter.try_acquire():
            log.warning("busy: heavy request refused", extra={"operations": sorted(fields), "limit": limiter.limit})
            response = jsonify(error_body(ErrorCode.BUSY, "The ML API is busy; retry shortly."))
            response.status_code = 503
            response.headers["Retry-After"] = "1"
            return response
        g._ml_api_heavy_slot = True
        return None

    @app.teardown_request
    def _release_heavy_slot(_exc):
        if g.pop("_ml_api_heavy_slot", False):
            limiter.release()

    return limiter
