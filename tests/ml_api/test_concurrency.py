"""Liveness is answered while long evaluate calls hold the ML API (ml_api/concurrency.py).

Runs gunicorn as in the pod (1 worker x 8 gthreads, pictolab/serve.py) with a stand-in app
whose evaluate sleeps: eight slow evaluates at once, then /healthz must answer within a
second. Without the limiter the same /healthz waits behind them (the second test), which is
how the kubelet would kill a busy GPU pod.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
THREADS = 8
SLOW_SECONDS = 4.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status


def _post(url: str, query: str, timeout: float) -> int:
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(),
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def gunicorn_app():
    processes = []

    def start(limit: int) -> str:
        port = _free_port()
        env = {**os.environ, "SLOW_APP_LIMIT": str(limit), "SLOW_APP_SECONDS": str(SLOW_SECONDS)}
        code = ("from pictolab.serve import serve; "
                f"serve('tests.ml_api.slow_app:create_app', '127.0.0.1', {port}, workers=1, threads={THREADS})")
        process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(base + "/healthz", 1) == 200:
                    return base
            except OSError:
                time.sleep(0.1)
        pytest.fail("gunicorn did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _hold_with_slow_evaluates(base: str, n: int) -> tuple[list[threading.Thread], list[int]]:
    statuses: list[int] = []

    def one():
        statuses.append(_post(base + "/graphql", '{ evaluate(input: {runId: "r"}) { accuracy } }', 30))

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # every request has reached a gunicorn thread
    return threads, statuses


def _healthz_latency(base: str) -> float | None:
    started = time.monotonic()
    try:
        assert _get(base + "/healthz", timeout=SLOW_SECONDS / 2) == 200
    except (TimeoutError, urllib.error.URLError):
        return None
    return time.monotonic() - started


def test_healthz_answers_while_every_thread_is_asked_for_evaluate(gunicorn_app):
    base = gunicorn_app(limit=THREADS - 2)
    threads, statuses = _hold_with_slow_evaluates(base, THREADS)
    latency = _healthz_latency(base)
    for t in threads:
        t.join()
    assert latency is not None and latency < 1.0, f"/healthz took {latency}"
    # Six ran, two were refused at once with 503 (the BFF retries those).
    assert sorted(statuses) == [200] * (THREADS - 2) + [503] * 2


def test_without_the_limit_healthz_waits_behind_the_evaluates(gunicorn_app):
    base = gunicorn_app(limit=0)
    threads, statuses = _hold_with_slow_evaluates(base, THREADS)
    latency = _healthz_latency(base)
    for t in threads:
        t.join()
    assert latency is None, "without the limiter /healthz should have waited for a thread"
    assert statuses == [200] * THREADS
