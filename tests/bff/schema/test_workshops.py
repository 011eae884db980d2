"""workshop / workshops / createWorkshop / setPhase / purgeWorkshop, and the GraphQL guards."""

from __future__ import annotations

import pytest

from bff.models import Phase
from pictolab.contract import storage_keys
from tests.bff.helpers import GraphQLClient, admin_login, login, photo_count, stored_keys
from tests.bff.factories import solid_jpeg

CREATE = """mutation($t: String!, $c: [String!]!, $g: Int!) {
  createWorkshop(title: $t, classes: $c, groups: $g) {
    id title phase classes { id name } groups { id name emoji color loginUrl token }
  }
}"""
SET_PHASE = "mutation($w: ID!, $p: Phase!) { setPhase(workshopId: $w, phase: $p) { id phase } }"
WORKSHOP = "{ workshop { id title phase classes { id name emoji } } }"


def test_admin_creates_a_workshop_with_login_cards(client):
    admin_login(client)
    workshop = client.data(CREATE, t="Kids AI day", c=["cat", "cup", "shoe"], g=3)["createWorkshop"]
    assert workshop["phase"] == "SETUP"
    assert [c["name"] for c in workshop["classes"]] == ["cat", "cup", "shoe"]
    assert len(workshop["groups"]) == 3 and len({g["name"] for g in workshop["groups"]}) == 3
    for group in workshop["groups"]:
        assert group["loginUrl"].endswith("/join#" + group["token"])
        assert len(group["token"]) >= 43  # 32 bytes base64url: id + 128-bit MAC
    group_client = GraphQLClient(client.http.application.test_client())
    login(group_client, workshop["groups"][0]["token"])
    assert group_client.data(WORKSHOP)["workshop"]["id"] == workshop["id"]


@pytest.mark.parametrize("title,classes,groups", [
    ("", ["a", "b"], 2), ("T", ["only one"], 2), ("T", ["a", "A"], 2), ("T", ["a", ""], 2),
    ("T", ["a", "b"], 0), ("T", ["a", "b"], 201), ("T" * 201, ["a", "b"], 1),
])
def test_create_workshop_bad_input(client, db_session, title, classes, groups):
    from sqlalchemy import func, select

    from bff.models import Workshop

    admin_login(client)
    assert client.error_code(CREATE, t=title, c=classes, g=groups) == "BAD_USER_INPUT"
    assert db_session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_only_admins_create_workshops(client, make_workshop):
    assert client.error_code(CREATE, t="T", c=["a", "b"], g=1) == "UNAUTHENTICATED"
    login(client, make_workshop()["groups"][0]["token"])
    assert client.error_code(CREATE, t="T", c=["a", "b"], g=1) == "FORBIDDEN"


def test_set_phase(client, make_workshop):
    workshop = make_workshop(phase=Phase.SETUP)
    admin_login(client)
    for phase in ("COLLECT", "TRAIN", "COMPETE", "CLOSED"):
        assert client.data(SET_PHASE, w=workshop["id"], p=phase)["setPhase"]["phase"] == phase
    assert client.error_code(SET_PHASE, w="f" * 32, p="TRAIN") == "NOT_FOUND"
    assert client.error_code(SET_PHASE, w=workshop["id"], p="NOPE") in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")


def test_group_cannot_set_phase(client, make_workshop):
    workshop = make_workshop()
    login(client, workshop["groups"][0]["token"])
    assert client.error_code(SET_PHASE, w=workshop["id"], p="COMPETE") == "FORBIDDEN"


def test_group_sees_only_its_own_workshop(client, make_workshop):
    mine, other = make_workshop(title="mine"), make_workshop(title="other")
    login(client, mine["groups"][0]["token"])
    assert client.data(WORKSHOP)["workshop"]["title"] == "mine"
    assert client.error_code("query($id: ID) { workshop(id: $id) { id } }", id=other["id"]) == "NOT_FOUND"
    assert client.error_code("{ workshops { id } }") == "FORBIDDEN"


def test_workshop_requires_a_login(client):
    assert client.error_code(WORKSHOP) == "UNAUTHENTICATED"


def test_admin_lists_workshops_and_defaults_to_the_newest(client, make_workshop):
    make_workshop(title="first")
    make_workshop(title="second")
    admin_login(client)
    assert {w["title"] for w in client.data("{ workshops { title } }")["workshops"]} == {"first", "second"}
    assert client.data(WORKSHOP)["workshop"]["title"] in {"first", "second"}


def test_purge_deletes_photos_and_closes_the_workshop(app, client, new_client, make_workshop):
    workshop = make_workshop()
    group = new_client()
    login(group, workshop["groups"][0]["token"])
    response = group.upload("mutation($c: ID!, $f: Upload!) { uploadPhoto(classId: $c, file: $f) { id } }",
                            {"c": workshop["classes"][0]["id"]}, {"f": (solid_jpeg(), "a.jpg", "image/jpeg")})
    assert response.get_json()["data"]["uploadPhoto"]["id"]
    storage = app.extensions["pictolab.storage"]
    # What the ML API caches while training: the purge must take this workshop's, not the other's.
    storage.put_bytes(storage_keys.embedding_key(storage_keys.photo_key(workshop["id"], "x"), "effnet", "abc"), b"0")
    other = storage_keys.embedding_key(storage_keys.photo_key("otherworkshop", "y"), "effnet", "abc")
    storage.put_bytes(other, b"0")
    admin_login(client)
    result = client.data("mutation($w: ID!) { purgeWorkshop(workshopId: $w) { photos trainingRuns objects } }",
                         w=workshop["id"])["purgeWorkshop"]
    assert result == {"photos": 1, "trainingRuns": 0, "objects": 2}
    assert photo_count(app) == 0 and stored_keys(app) == []
    assert list(storage.list("cache")) == [other]
    assert group.data("{ me { id } }")["me"] is None, "a purged workshop's sessions end"


def _nested(levels: int) -> str:
    """workshop { classes { workshop { classes { ... { id } } } } } with ``levels`` fields."""
    names = ["workshop", "classes"] * levels
    return "{ " + " { ".join(names[:levels]) + " { id }" + " }" * levels


def test_query_nested_past_the_depth_limit_is_refused(client, make_workshop):
    login(client, make_workshop()["groups"][0]["token"])
    assert client.data(_nested(5))["workshop"]["classes"][0]["workshop"]["classes"]
    result = client.execute(_nested(12))
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in result["errors"][0]["message"]
    assert "data" not in result or result["data"] is None


def test_introspection_is_off_outside_development(make_app):
    client = GraphQLClient(make_app(env="production", public_url="https://p.example.org",
                                    admin_password="x" * 16).test_client())
    assert client.error_code("{ __schema { types { name } } }") == "GRAPHQL_VALIDATION_FAILED"
    assert client.data("{ __typename }") == {"__typename": "Query"}
