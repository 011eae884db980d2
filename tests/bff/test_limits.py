"""Limits that cannot be walked around: the body cap counts the bytes read, chunked
bodies included; a query's width is capped before anything runs; a batch is a 400."""

from __future__ import annotations

import io
import json

from tests.bff.factories import solid_jpeg
from tests.bff.helpers import PREFLIGHT, UPLOAD, GraphQLClient, assert_nothing_stored, login, workshop_on


def chunked(http, body: bytes, content_type: str, headers=None):
    # No Content-Length; gunicorn (like werkzeug's server) marks such a stream terminated.
    return http.post("/graphql", input_stream=io.BytesIO(body),
                     headers={"Transfer-Encoding": "chunked", "Content-Type": content_type, **(headers or {})},
                     environ_overrides={"wsgi.input_terminated": True})


def multipart_body(operations: dict, file_bytes: bytes) -> tuple[bytes, str]:
    boundary = "pictolab-test-boundary"
    parts = []
    for name, value in (("operations", json.dumps(operations)), ("map", json.dumps({"0": ["variables.file"]}))):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_a_chunked_upload_over_the_cap_is_413_and_stores_nothing(make_app):
    app = make_app(max_upload_bytes=200_000)
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    operations = {"query": UPLOAD, "variables": {"classId": workshop["classes"][0]["id"], "file": None}}
    small, content_type = multipart_body(operations, solid_jpeg())
    assert chunked(client.http, small, content_type, PREFLIGHT).get_json()["data"]["uploadPhoto"]["id"]
    big, content_type = multipart_body(operations, solid_jpeg() + b"\0" * 300_000)
    response = chunked(client.http, big, content_type, PREFLIGHT)
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert_nothing_stored_but(app, 1)


def assert_nothing_stored_but(app, count: int) -> None:
    from tests.bff.helpers import photo_count, stored_keys

    assert photo_count(app) == count and len(stored_keys(app)) == count


def test_a_chunked_json_body_is_held_to_the_json_cap(client):
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }"
    response = chunked(client.http, json.dumps({"query": query}).encode(), "application/json")
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_thousand_aliased_photo_lists_are_refused_before_execution(app, client):
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    query = "{ " + " ".join(f"p{i}: photos {{ id }}" for i in range(1000)) + " }"
    result = client.execute(query)
    assert result.get("data") is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["QUERY_TOO_COMPLEX"]


def test_a_batched_body_is_400_not_500(client):
    response = client.http.post("/graphql", json=[{"query": "{ me { id } }"}, {"query": "{ isAdmin }"}])
    assert response.status_code == 400
    assert "batching" in response.get_data(as_text=True)


def test_nothing_half_written_by_a_refused_upload(make_app):
    # The same chunked upload without the preflight header: refused, nothing stored.
    app = make_app()
    client = GraphQLClient(app.test_client())
    workshop = workshop_on(app)
    login(client, workshop["groups"][0]["token"])
    operations = {"query": UPLOAD, "variables": {"classId": workshop["classes"][0]["id"], "file": None}}
    body, content_type = multipart_body(operations, solid_jpeg())
    assert chunked(client.http, body, content_type).status_code == 400
    assert_nothing_stored(app)
