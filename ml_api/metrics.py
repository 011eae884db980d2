"""``GET /metrics``: the job queue's figures in the Prometheus text format, for Google Cloud
Managed Service for Prometheus (the PodMonitoring in k8s/base/ml-api.yaml scrapes it) and the
alert on the oldest queued job's age (infra/monitoring.tf). The figures are the queue
table's, so every replica reports the same values; alerts take the max over replicas."""

from __future__ import annotations

import logging

from flask import Response, current_app

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def render(stats: dict) -> str:
    """The exposition text for ``JobQueue.stats()``'s answer."""
    lines = [
        "# HELP pictolab_ml_oldest_queued_seconds Age of the oldest queued ML job (0: none queued).",
        "# TYPE pictolab_ml_oldest_queued_seconds gauge",
        f"pictolab_ml_oldest_queued_seconds {float(stats.get('oldestQueuedSeconds', 0.0)):.3f}",
        "# HELP pictolab_ml_train_jobs Training jobs in the queue, by status (what KEDA scales on).",
        "# TYPE pictolab_ml_train_jobs gauge",
        f'pictolab_ml_train_jobs{{status="queued"}} {int(stats.get("queued", 0))}',
        f'pictolab_ml_train_jobs{{status="running"}} {int(stats.get("running", 0))}',
    ]
    return "\n".join(lines) + "\n"


def init_app(app) -> None:
    @app.get("/metrics")
    def _metrics():
        try:
            stats = current_app.extensions["ml_api"].queue.stats()
        except Exception:
            log.exception("queue figures unavailable for /metrics")
            return Response("# queue unavailable\n", status=503, content_type=CONTENT_TYPE)
        return Response(render(stats), content_type=CONTENT_TYPE)
