"""PICTOLAB_ML_API_URL as a comma list is for failover only: a URL that refuses the
connection or times out is skipped for the next, and the client sticks to the one that
answered; any answer, a 503 BUSY included, is not a reason to fail over. Real HTTP servers
on loopback."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bff.ml_client import MLClient, MLError, MLUnavailable, split_urls
from tests.helpers import free_port

HEALTH = {"device": "cpu", "deviceName": "cpu", "backbone": "b", "ready": True, "queued": 0, "running": 0,
          "capacity": 1, "worker": "w:1", "oldestQueuedSeconds": None}
PREDICTION = {"label": "a", "confidence": 1.0, "scores": [{"label": "a", "confidence": 1.0}], "heatmap": None}


class Replica:
    """A stand-in ML API: answers every POST with ``status`` and ``body`` after ``delay``."""

    def __init__(self, status=200, body=None, delay=0.0):
        self.status, self.body, self.delay = status, body or {"data": {"health": HEALTH, "predict": PREDICTION}}, delay
        self.requests = 0
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                replica.requests += 1
                time.sleep(replica.delay)
                payload = json.dumps(replica.body).encode()
                self.send_response(replica.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replicas():
    made = []

    def make(**kwargs) -> Replica:
        made.append(Replica(**kwargs))
        return made[-1]

    yield make
    for replica in made:
        replica.close()


def test_a_refused_connection_fails_over_and_sticks(replicas):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    live = replicas()
    client = MLClient(f"{dead}, {live.url}/")
    assert client.health()["worker"] == "w:1"
    assert client.endpoint == live.url + "/graphql"  # sticky: the next call goes there first
    client.health()
    assert live.requests == 2


def test_a_timeout_fails_over(replicas):
    slow, fast = replicas(delay=2.0), replicas()
    client = MLClient(f"{slow.url},{fast.url}", timeout=0.5)
    started = time.monotonic()
    assert client.predict("r", "file:///x.jpg")["label"] == "a"  # (predict waits the client's timeout)
    assert time.monotonic() - started < 1.9 and slow.requests == 1 and fast.requests == 1


def test_a_busy_replica_is_not_failed_over(replicas):
    busy = replicas(status=503, body={"errors": [{"message": "busy", "extensions": {"code": "BUSY"}}]})
    other = replicas()
    client = MLClient(f"{busy.url},{other.url}")
    with pytest.raises(MLUnavailable):
        client.health()
    assert busy.requests == 1 and other.requests == 0  # "try later", not "replica down"
    assert client.endpoint == busy.url + "/graphql"
    # BUSY in a 200 answer's errors is "try later" too.
    busy.status = 200
    with pytest.raises(MLUnavailable):
        client.health()


def test_every_url_down_is_unavailable_and_a_refusal_is_an_error(replicas):
    client = MLClient(f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}")
    with pytest.raises(MLUnavailable, match="all 2 URLs"):
        client.health()
    refusing = replicas(status=413, body={"errors": [{"message": "too big",
                                                      "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]})
    with pytest.raises(MLError) as refused:
        MLClient(refusing.url).health()
    assert refused.value.permanent and refused.value.code == "PAYLOAD_TOO_LARGE"


def test_split_urls():
    assert split_urls(" http://a:1/ ,http://b:2") == ["http://a:1", "http://b:2"]
    with pytest.raises(ValueError):
        split_urls(" , ")
