"""The shared GraphQL view: typed errors, masking, limits, CSRF rule, strict multipart."""

from __future__ import annotations

import json

import graphene
import pytest
from flask import Flask

from pictolab.contract.errors import FailedPrecondition
from pictolab.graphql import MAX_JSON_BYTES, PictolabGraphQLView, Upload


class Query(graphene.ObjectType):
    hello = graphene.String()
    items = graphene.List(graphene.String)
    refuse = graphene.String()
    crash = graphene.String()
    node = graphene.Field(lambda: Query)

    def resolve_hello(root, info):
        return "hi"

    def resolve_refuse(root, info):
        raise FailedPrecondition("No photos yet.", minimum=5)

    def resolve_crash(root, info):
        raise RuntimeError("secret internal detail /srv/db password=hunter2")

    def resolve_node(root, info):
        return {}

    def resolve_items(root, info):
        RESOLVED.append("items")
        return ["x"]


RESOLVED: list[str] = []


class Mutation(graphene.ObjectType):
    size = graphene.Int(file=Upload(required=True))

    def resolve_size(root, info, file):
        return len(file.read())


@pytest.fixture
def client():
    app = Flask(__name__)
    schema = graphene.Schema(query=Query, mutation=Mutation)
    app.add_url_rule("/graphql", view_func=PictolabGraphQLView.as_view(
        "graphql", schema=schema, context_factory=lambda request: {}, max_depth=3, introspection=False))
    return app.test_client()


def post(client, query, **variables):
    return client.post("/graphql", json={"query": query, "variables": variables})


def test_typed_errors_keep_their_code_and_unexpected_ones_are_masked(client):
    body = post(client, "{ refuse crash hello }").get_json()
    errors = {e["path"][0]: e for e in body["errors"]}
    assert errors["refuse"]["extensions"] == {"code": "FAILED_PRECONDITION", "minimum": 5}
    assert errors["crash"]["message"] == "Internal error" and errors["crash"]["extensions"]["code"] == "INTERNAL"
    assert "hunter2" not in json.dumps(body)
    assert body["data"]["hello"] == "hi"


def test_depth_limit_and_hidden_introspection(client):
    deep = post(client, "{ node { node { node { node { hello } } } } }").get_json()
    assert deep["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    schema = post(client, "{ __schema { types { name } } }").get_json()
    assert schema["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert post(client, "{ __typename }").get_json()["data"] == {"__typename": "Query"}  # clients send it


def test_oversized_json_is_refused_before_parsing(client):
    aliases = " ".join(f"a{i}: hello" for i in range(MAX_JSON_BYTES // 8))
    response = post(client, "{ " + aliases + " }")
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_queries_over_get_are_refused(client):
    assert client.get("/graphql?query={hello}").status_code == 400


def multipart(client, operations, files_map, files, preflight=True):
    data = {"operations": operations if isinstance(operations, str) else json.dumps(operations),
            "map": files_map if isinstance(files_map, str) else json.dumps(files_map), **files}
    headers = {"Apollo-Require-Preflight": "true"} if preflight else {}
    return client.post("/graphql", data=data, content_type="multipart/form-data", headers=headers)


def test_multipart_upload_works_with_the_preflight_header(client):
    import io

    ops = {"query": "mutation($f: Upload!) { size(file: $f) }", "variables": {"f": None}}
    response = multipart(client, ops, {"0": ["variables.f"]}, {"0": (io.BytesIO(b"12345"), "a.jpg")})
    assert response.get_json() == {"data": {"size": 5}}


@pytest.mark.parametrize("case", ["no-preflight", "map-not-json", "map-a-list", "missing-part", "path-outside",
                                  "path-not-null", "operations-a-list"])
def test_broken_multipart_requests_are_400(client, case):
    import io

    ops = {"query": "mutation($f: Upload!) { size(file: $f) }", "variables": {"f": None}}
    files = {"0": (io.BytesIO(b"12345"), "a.jpg")}
    files_map, preflight = {"0": ["variables.f"]}, True
    if case == "no-preflight":
        preflight = False
    elif case == "map-not-json":
        files_map = "{not json"
    elif case == "map-a-list":
        files_map = [["variables.f"]]
    elif case == "missing-part":
        files = {}
    elif case == "path-outside":
        files_map = {"0": ["query"]}
    elif case == "path-not-null":
        ops["variables"]["f"] = "already-here"
    elif case == "operations-a-list":
        ops = [ops]
    response = multipart(client, ops, files_map, files, preflight=preflight)
    assert response.status_code == 400, response.get_data(as_text=True)


def chunked(client, body: bytes, content_type="application/json"):
    """A body sent with Transfer-Encoding: chunked, so no Content-Length; gunicorn marks such
    streams terminated (``wsgi.input_terminated``), which is what lets werkzeug read them."""
    import io

    return client.post("/graphql", input_stream=io.BytesIO(body),
                       headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
                       environ_overrides={"wsgi.input_terminated": True})


def test_chunked_json_is_held_to_the_same_limit_by_the_bytes_read(client):
    # Without a Content-Length a check of the header alone saw 0 bytes and let any size through.
    assert chunked(client, json.dumps({"query": "{ hello }"}).encode()).get_json() == {"data": {"hello": "hi"}}
    aliases = " ".join(f"a{i}: hello" for i in range(MAX_JSON_BYTES // 8))
    response = chunked(client, json.dumps({"query": "{ " + aliases + " }"}).encode())
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("body", [[{"query": "{ hello }"}], "{ hello }", 5, None])
def test_a_body_that_is_not_one_json_object_is_400(client, body):
    # Batching ([{...}, {...}]) is not supported: a 400 the client can read, never a 500.
    response = client.post("/graphql", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "traceback" not in response.get_data(as_text=True).lower()


def test_many_aliased_lists_are_refused_before_execution(client):
    # 1000 aliased lists fit in a few kilobytes yet cost 1000 database queries.
    RESOLVED.clear()
    query = "{ " + " ".join(f"i{n}: items" for n in range(1000)) + " }"
    assert len(query) < MAX_JSON_BYTES
    body = post(client, query).get_json()
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert RESOLVED == [], "nothing may run"
    assert post(client, "{ a: items b: items hello }").get_json()["data"]["b"] == ["x"]


def test_fragments_cannot_multiply_fields_past_the_limit(client):
    # Ten spreads of a fragment of ten spreads of a ten-field fragment: 1000 fields, few bytes.
    ten = " ".join(f"h{n}: hello" for n in range(10))
    spreads = lambda name: " ".join(f"...{name}" for _ in range(10))
    query = (f"{{ ...C }} fragment A on Query {{ {ten} }} "
             f"fragment B on Query {{ {spreads('A')} }} fragment C on Query {{ {spreads('B')} }}")
    body = post(client, query).get_json()
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    cyclic = "{ ...C } fragment C on Query { node { ...C } }"  # reported by the spec rule, not a hang
    assert post(client, cyclic).get_json()["errors"]


def test_multipart_operations_get_the_json_cap(client):
    import io

    # The query alone is over the cap: refused while werkzeug reads it, never parsed.
    aliases = " ".join(f"a{i}: hello" for i in range(MAX_JSON_BYTES // 8))
    ops = {"query": "mutation($f: Upload!) { size(file: $f) " + aliases + " }", "variables": {"f": None}}
    response = multipart(client, ops, {"0": ["variables.f"]}, {"0": (io.BytesIO(b"12345"), "a.jpg")})
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_multipart_without_a_file_part_is_refused_before_parsing(client, monkeypatch):
    from pictolab.graphql import PictolabGraphQLView

    parsed = []
    monkeypatch.setattr(PictolabGraphQLView, "parse_multipart", lambda self, request: parsed.append(1) or {})
    response = multipart(client, {"query": "{ hello }"}, {}, {})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert parsed == []
