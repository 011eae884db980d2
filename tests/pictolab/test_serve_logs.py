"""gunicorn's own log lines (pictolab/serve.py) are JSON with ``severity``, like the apps'."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pictolab.serve import gunicorn_logconfig, service_name

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_service_name_from_the_factory():
    assert service_name("ml_api:create_app") == "ml_api"
    assert service_name("bff:create_app") == "bff"
    assert service_name("tests.ml_api.slow_app:create_app") == "tests"
    config = gunicorn_logconfig("bff")
    assert config["formatters"]["json"]["service"] == "bff"
    assert set(config["loggers"]) == {"gunicorn.error", "gunicorn.access"}


CARD_TOKEN = "q2VbUeXv0pYl1J5bO3nJmBKxD7X3i3eF8aYg2Kd1w5c"


def test_a_running_service_writes_gunicorn_lines_as_json(tmp_path):
    port = _free_port()
    # accesslog "-" turns gunicorn's access log on (the services keep it off and log their
    # own request line): it must be JSON too.
    code = ("from pictolab.serve import serve; "
            f"serve('tests.ml_api.slow_app:create_app', '127.0.0.1', {port}, workers=1, threads=2, "
            "extra={'accesslog': '-'})")
    stderr_path = tmp_path / "stderr"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=dict(os.environ),
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                        assert response.status == 200
                    break
                except OSError:
                    assert time.monotonic() < deadline, stderr_path.read_text()
                    time.sleep(0.1)
            # A card's path with the route percent-encoded: gunicorn logs the request line as
            # sent, and it must still not show the token.
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/%6Aoin/{CARD_TOKEN}", timeout=5).close()
            except urllib.error.HTTPError:
                pass  # the test app has no such route: only the log line matters
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    lines = [line for line in stderr_path.read_text().splitlines() if line.strip()]
    assert lines
    records = []
    for line in lines:
        record = json.loads(line)  # every line, gunicorn's included, is one JSON object
        assert record["severity"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), line
        records.append(record)
    by_logger = {}
    for record in records:
        by_logger.setdefault(record["logger"], []).append(record)
    messages = [r["message"] for r in by_logger["gunicorn.error"]]
    assert any(m.startswith("Starting gunicorn") for m in messages), messages
    assert any("Booting worker" in m for m in messages), messages
    assert any("Shutting down" in m or "Handling signal" in m for m in messages), messages
    assert all(r["service"] == "tests" for r in by_logger["gunicorn.error"])
    access = by_logger["gunicorn.access"]
    assert any("/healthz" in r["message"] for r in access), access
    assert CARD_TOKEN not in stderr_path.read_text()
    assert any("/join/[redacted]" in r["message"] for r in access), access
