"""A workshop's own networks (bff/networks.py) through the real GraphQL endpoint, on SQLite and
PostgreSQL: the instructor sets them (validated, suggested from their own network), the venue's
groups log in and upload from them at once, and nobody else does."""

from __future__ import annotations

import ipaddress

import pytest

from bff.models import Phase
from tests.bff.factories import solid_jpeg
from tests.bff.helpers import ADMIN_LOGIN, ADMIN_PASSWORD, LOGIN, UPLOAD, GraphQLClient

LAPTOP = "198.51.100.7"        # the global default (PICTOLAB_ALLOWED_CIDRS): the instructor's laptop
VENUE = "203.0.113.50"         # the venue: only in workshop A's own networks
OUTSIDER = "192.0.2.10"        # neither

SET = """mutation($id: ID!, $cidrs: [String!]!) {
  setAllowedNetworks(workshopId: $id, cidrs: $cidrs) { id allowedNetworks }
}"""
ME = "{ me { id } workshop { allowedNetworks } }"


@pytest.fixture
def app(make_app):
    return make_app(allowed_cidrs=(ipaddress.ip_network("198.51.100.0/24"),), trusted_proxy_hops=0)


def device(app, ip: str) -> GraphQLClient:
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = ip
    return GraphQLClient(http)


def post(client: GraphQLClient, query: str, **variables):
    return client.http.post("/graphql", json={"query": query, "variables": variables})


def test_a_workshops_networks_admit_its_venue_and_hold_its_groups(app, make_workshop):
    a = make_workshop(phase=Phase.COLLECT, groups=2, title="A")
    b = make_workshop(phase=Phase.COLLECT, groups=1, title="B")
    admin = device(app, LAPTOP)
    assert admin.data(ADMIN_LOGIN, password=ADMIN_PASSWORD)["adminLogin"] is True
    # The page suggests the instructor's own network.
    assert admin.data("{ myNetwork }")["myNetwork"] == "198.51.100.0/24"

    # Before: the venue is outside the global list.
    venue = device(app, VENUE)
    assert post(venue, LOGIN, token=a["groups"][0]["token"]).status_code == 403

    # Validated and normalised; a /0 or a typo is a typed error that changes nothing.
    for bad in (["nope"], ["0.0.0.0/0"], ["203.0.113.0/24", "::/0"], ["10.0.0.0/8"] * 40):
        assert admin.error_code(SET, id=a["id"], cidrs=bad) == "BAD_USER_INPUT"
    assert admin.data("query($id: ID) { workshop(id: $id) { allowedNetworks } }",
                      id=a["id"])["workshop"]["allowedNetworks"] == []
    result = admin.data(SET, id=a["id"], cidrs=[" 203.0.113.9/24", "2001:db8::1/64", "203.0.113.0/24"])
    assert result["setAllowedNetworks"]["allowedNetworks"] == ["203.0.113.0/24", "2001:db8::/64"]

    # At once: the venue's iPad logs in with A's card and uploads.
    group = venue.data(LOGIN, token=a["groups"][0]["token"])["login"]
    assert group["id"] == a["groups"][0]["id"]
    class_id = a["classes"][0]["id"]
    uploaded = venue.upload(UPLOAD, {"classId": class_id}, {"file": (solid_jpeg(), "a.jpg", "image/jpeg")})
    assert uploaded.status_code == 200 and not uploaded.get_json().get("errors"), uploaded.get_data(as_text=True)
    # A group sees no network list (the venue's addresses are the instructors' business).
    assert venue.data(ME)["workshop"]["allowedNetworks"] == []

    # Workshop B has no networks of its own: the global default holds its card to the laptop's.
    other = device(app, VENUE)
    assert other.error_code(LOGIN, token=b["groups"][0]["token"]) == "FORBIDDEN"
    # Anyone else stays out at the gate.
    assert post(device(app, OUTSIDER), LOGIN, token=a["groups"][1]["token"]).status_code == 403
    # A's own networks replace the global default for A: its card does not work on the laptop's network.
    assert device(app, LAPTOP).error_code(LOGIN, token=a["groups"][1]["token"]) == "FORBIDDEN"

    # The venue changes: the logged-in iPad on the old network is refused at once, uploads included.
    admin.data(SET, id=a["id"], cidrs=["192.0.2.0/24"])
    refused = venue.upload(UPLOAD, {"classId": class_id}, {"file": (solid_jpeg(), "b.jpg", "image/jpeg")})
    assert refused.status_code == 403
    # Cleared: the global default applies to A again.
    admin.data(SET, id=a["id"], cidrs=[])
    assert post(device(app, VENUE), ME).status_code == 403
    assert device(app, LAPTOP).data(LOGIN, token=a["groups"][1]["token"])["login"]["id"] == a["groups"][1]["id"]


def test_only_instructors_set_networks(app, make_workshop):
    a = make_workshop(groups=1)
    laptop = device(app, LAPTOP)
    assert laptop.error_code(SET, id=a["id"], cidrs=["203.0.113.0/24"]) == "UNAUTHENTICATED"
    assert laptop.error_code("{ myNetwork }") == "UNAUTHENTICATED"
    laptop.data(LOGIN, token=a["groups"][0]["token"])
    assert laptop.error_code(SET, id=a["id"], cidrs=["203.0.113.0/24"]) == "FORBIDDEN"
