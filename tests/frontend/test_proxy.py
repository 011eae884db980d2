"""Forwarding /graphql and /media to the BFF (``PICTOLAB_BFF_URL``): real HTTP on both
sides: the frontend server and a small upstream app each run in a real werkzeug server."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.helpers import free_port, wait_for_port

BIG = bytes(range(256)) * 4096 * 5  # 5 MiB


@Request.application
def fake_bff(request: Request) -> Response:
    """Echoes what arrived; /media streams a large body; sets two cookies."""
    if request.path.startswith("/media/"):
        if request.path.endswith("/missing"):
            return Response("no such photo", status=404)

        def chunks():
            for start in range(0, len(BIG), 65536):
                yield BIG[start:start + 65536]
        return Response(chunks(), mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=60"})
    body = request.get_data()
    echo = {
        "method": request.method, "path": request.path, "query": request.query_string.decode(),
        "cookie": request.headers.get("Cookie"), "xff": request.headers.get("X-Forwarded-For"),
        "proto": request.headers.get("X-Forwarded-Proto"), "host": request.headers.get("Host"),
        "forwarded_host": request.headers.get("X-Forwarded-Host"),
        "preflight": request.headers.get("Apollo-Require-Preflight"),
        "content_type": request.headers.get("Content-Type"), "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(), "connection": request.headers.get("Connection"),
        "x_secret": request.headers.get("X-Secret"),
    }
    response = Response(json.dumps(echo), mimetype="application/json", status=200)
    response.set_cookie("session", "s3cr3t", httponly=True, samesite="Lax")
    response.set_cookie("other", "two")
    response.headers["Content-Security-Policy"] = "default-src 'self' 'unsafe-inline'"
    response.headers["X-Upstream-Only"] = "internal"
    response.headers["Connection"] = "X-Upstream-Only"
    return response


class ServerThread:
    def __init__(self, app):
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def upstream():
    with ServerThread(fake_bff) as server:
        yield server


@pytest.fixture
def frontend(make_app, fake_dist, upstream):
    app = make_app(DIST_DIR=fake_dist, bff_url=upstream.url)
    with ServerThread(app) as server:
        yield server


def test_graphql_is_forwarded_with_cookies_and_forwarding_headers(frontend, upstream):
    response = requests.post(frontend.url + "/graphql?op=Me", json={"query": "{ me { id } }"},
                             headers={"Cookie": "session=abc", "X-Forwarded-For": "10.1.2.3"}, timeout=10)
    assert response.status_code == 200
    echo = response.json()
    assert echo["method"] == "POST" and echo["path"] == "/graphql" and echo["query"] == "op=Me"
    assert echo["cookie"] == "session=abc"
    assert echo["xff"] == "10.1.2.3, 127.0.0.1"  # the client's address appended, never replaced
    assert echo["proto"] == "http"
    assert echo["forwarded_host"] == f"127.0.0.1:{frontend.port}"
    assert echo["host"] == f"127.0.0.1:{upstream.port}"
    assert echo["sha256"] == hashlib.sha256(json.dumps({"query": "{ me { id } }"}).encode()).hexdigest()
    # Both cookies come back as two Set-Cookie headers.
    set_cookies = response.raw.headers.getlist("Set-Cookie")
    assert len(set_cookies) == 2
    assert any(c.startswith("session=s3cr3t") and "HttpOnly" in c for c in set_cookies)
    assert response.cookies["other"] == "two"
    # The BFF's own policy stays (GraphiQL needs it); harmless headers are added.
    assert response.headers["Content-Security-Policy"] == "default-src 'self' 'unsafe-inline'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_multipart_upload_streams_through_intact(frontend):
    photo = BIG[: 3 * 1024 * 1024]
    response = requests.post(
        frontend.url + "/graphql",
        data={"operations": json.dumps({"query": "mutation($f: Upload!) { uploadPhoto(classId: \"c\", file: $f) { id } }",
                                        "variables": {"f": None}}),
              "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("photo.jpg", photo, "image/jpeg")},
        headers={"Apollo-Require-Preflight": "true"}, timeout=30)
    echo = response.json()
    assert echo["preflight"] == "true"
    assert echo["content_type"].startswith("multipart/form-data; boundary=")
    assert echo["length"] > len(photo)
    assert echo["sha256"] == hashlib.sha256(response.request.body).hexdigest()


def test_chunked_request_body_is_forwarded(frontend):
    parts = [b"a" * 100_000, b"b" * 50_000, b"c"]
    response = requests.post(frontend.url + "/graphql", data=iter(parts),
                             headers={"Content-Type": "application/json"}, timeout=10)
    echo = response.json()
    assert echo["length"] == 150_001
    assert echo["sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()


def test_media_bytes_stream_back_with_status_and_headers(frontend):
    response = requests.get(frontend.url + "/media/photos/abc", stream=True, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert response.content == BIG
    missing = requests.get(frontend.url + "/media/photos/missing", timeout=10)
    assert missing.status_code == 404 and missing.text == "no such photo"


def test_app_routes_are_still_served_locally(frontend):
    assert requests.get(frontend.url + "/class/3", timeout=10).status_code == 200
    assert requests.get(frontend.url + "/nope.js", timeout=10).status_code == 404


def test_body_over_the_upload_cap_is_refused_before_forwarding(make_app, fake_dist, upstream):
    app = make_app(DIST_DIR=fake_dist, bff_url=upstream.url, max_upload_bytes=1024 * 1024)
    with ServerThread(app) as server:
        too_big = requests.post(server.url + "/graphql", data=b"x" * (1024 * 1024 + 1),
                                headers={"Content-Type": "multipart/form-data; boundary=x"}, timeout=10)
        assert too_big.status_code == 413
        assert too_big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        just_fits = requests.post(server.url + "/graphql", data=b"x" * (1024 * 1024), timeout=10)
        assert just_fits.status_code == 200 and just_fits.json()["length"] == 1024 * 1024


def test_bff_down_is_a_typed_graphql_error(make_app, fake_dist):
    app = make_app(DIST_DIR=fake_dist, bff_url=f"http://127.0.0.1:{free_port()}")
    with ServerThread(app) as server:
        graphql = requests.post(server.url + "/graphql", json={"query": "{ me { id } }"}, timeout=10)
        assert graphql.status_code == 502
        assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        media = requests.get(server.url + "/media/photos/x", timeout=10)
        assert media.status_code == 502


def test_headers_named_in_connection_never_cross_the_proxy(frontend):
    response = requests.post(frontend.url + "/graphql", json={"query": "{ me { id } }"}, timeout=10,
                             headers={"Connection": "keep-alive, X-Secret", "X-Secret": "hop-only"})
    assert response.status_code == 200
    assert response.json()["x_secret"] is None  # the client's hop-by-hop header stayed here
    assert "X-Upstream-Only" not in response.headers  # and the BFF's stayed there


@pytest.mark.parametrize("path", ["/media/..%2f..%2fhealthz", "/media/%2e%2e/%2e%2e/graphql",
                                  "/media/photos/..%2F..%2Freadyz"])
def test_encoded_traversal_cannot_reach_other_bff_routes(frontend, path):
    response = requests.get(frontend.url + path, timeout=10)
    assert response.status_code == 404
    assert "path" not in response.text  # nothing came back from the upstream echo
