"""ml_api/metrics.py: /metrics speaks the Prometheus text format with the queue's real figures
(a JobQueue on a SQLite file), which the "oldest queued job" alert reads."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

from flask import Flask

from ml_api import metrics
from ml_api.queue import JobQueue, open_engine

LINE = re.compile(r"^(?P<name>[a-z_]+)(\{(?P<labels>[^}]*)\})? (?P<value>[0-9.]+)$")


def parse(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        match = LINE.match(line)
        assert match, f"not exposition format: {line!r}"
        values[match["name"] + (f"{{{match['labels']}}}" if match["labels"] else "")] = float(match["value"])
    return values


def app_with(queue) -> Flask:
    app = Flask(__name__)
    app.extensions["ml_api"] = SimpleNamespace(queue=queue)
    metrics.init_app(app)
    return app


def test_metrics_report_the_queue(tmp_path):
    from ml_api import queue as queue_module
    from ml_api.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'ml.db'}"
    upgrade(url)
    engine = open_engine(url)
    queue = JobQueue(engine)
    client = app_with(queue).test_client()
    empty = client.get("/metrics")
    assert empty.status_code == 200 and empty.content_type.startswith("text/plain; version=0.0.4")
    assert parse(empty.text)["pictolab_ml_oldest_queued_seconds"] == 0.0
    queue.enqueue(queue_module.TRAIN, "run-1", {"runId": "run-1"})
    time.sleep(0.05)
    values = parse(client.get("/metrics").text)
    assert values['pictolab_ml_train_jobs{status="queued"}'] == 1
    assert values['pictolab_ml_train_jobs{status="running"}'] == 0
    assert 0 < values["pictolab_ml_oldest_queued_seconds"] < 60


def test_metrics_answer_503_when_the_queue_does_not(tmp_path):
    class Broken:
        def stats(self):
            raise RuntimeError("database gone")

    response = app_with(Broken()).test_client().get("/metrics")
    assert response.status_code == 503
