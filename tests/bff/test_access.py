"""The CIDR allow-list and X-Forwarded-For hop counting."""

from __future__ import annotations

import ipaddress

import pytest

from bff.access import client_ip, is_allowed
from tests.bff.helpers import GraphQLClient


@pytest.mark.parametrize("remote,xff,hops,expected", [
    ("10.0.0.1", None, 0, "10.0.0.1"),
    ("10.0.0.1", "1.2.3.4", 0, "10.0.0.1"),                  # no trusted proxy: XFF ignored
    ("10.0.0.1", "1.2.3.4", 1, "1.2.3.4"),                   # the load balancer appended the client
    ("10.0.0.1", "6.6.6.6, 1.2.3.4", 1, "1.2.3.4"),          # a spoofed left entry is ignored
    ("10.0.0.1", "6.6.6.6, 1.2.3.4, 130.211.0.5", 2, "1.2.3.4"),  # GCLB: client, LB
    # Fewer entries than hops: the request did not come through every trusted proxy, so
    # every entry may be the client's own: only the socket peer is a fact.
    ("10.0.0.1", None, 2, "10.0.0.1"),
    ("10.0.0.1", "1.2.3.4", 3, "10.0.0.1"),
    ("203.0.113.9", "192.168.10.5", 2, "203.0.113.9"),
    ("10.0.0.1", " , 192.168.10.5", 2, "10.0.0.1"),          # empty entries are not entries
])
def test_client_ip(remote, xff, hops, expected):
    assert client_ip(remote, xff, hops) == expected


def test_is_allowed():
    nets = (ipaddress.ip_network("192.168.10.0/24"), ipaddress.ip_network("2001:db8::/32"))
    assert is_allowed("192.168.10.7", nets)
    assert is_allowed("::ffff:192.168.10.7", nets)
    assert is_allowed("2001:db8::1", nets)
    assert not is_allowed("192.168.11.7", nets)
    assert not is_allowed("not an ip", nets)
    assert is_allowed("8.8.8.8", ())  # empty list allows all


@pytest.fixture
def venue_app(make_app):
    return make_app(allowed_cidrs=(ipaddress.ip_network("192.168.10.0/24"),), trusted_proxy_hops=1)


def test_outsider_gets_403_on_graphql_and_media(venue_app):
    http = venue_app.test_client()
    outside = {"REMOTE_ADDR": "10.1.1.1"}
    response = http.post("/graphql", json={"query": "{ me { id } }"}, headers={"X-Forwarded-For": "203.0.113.9"},
                         environ_base=outside)
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert http.get("/media/photos/" + "a" * 32, headers={"X-Forwarded-For": "203.0.113.9"},
                    environ_base=outside).status_code == 403


def test_spoofed_forwarded_for_does_not_get_in(venue_app):
    http = venue_app.test_client()
    response = http.post("/graphql", json={"query": "{ me { id } }"},
                         headers={"X-Forwarded-For": "192.168.10.5, 203.0.113.9"},
                         environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert response.status_code == 403


def test_venue_client_gets_in(venue_app):
    client = GraphQLClient(venue_app.test_client())
    response = client.http.post("/graphql", json={"query": "{ me { id } }"},
                                headers={"X-Forwarded-For": "192.168.10.5"},
                                environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert response.status_code == 200 and response.get_json() == {"data": {"me": None}}


def test_health_endpoints_are_exempt_for_probes(venue_app):
    http = venue_app.test_client()
    assert http.get("/healthz", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200
    assert http.get("/readyz", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 200


def test_outsider_upload_is_refused_and_stores_nothing(venue_app):
    from tests.bff.factories import solid_jpeg
    from tests.bff.helpers import UPLOAD, assert_nothing_stored, workshop_on

    workshop = workshop_on(venue_app)
    client = GraphQLClient(venue_app.test_client())
    inside = {"X-Forwarded-For": "192.168.10.5"}
    client.http.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    response = client.http.post("/graphql", headers=inside, json={
        "query": "mutation($t: String!) { login(token: $t) { id } }",
        "variables": {"t": workshop["groups"][0]["token"]}})
    assert response.get_json()["data"]["login"]["id"] == workshop["groups"][0]["id"]
    # The same logged-in iPad, now seen from outside the venue (its cookie does not help).
    response = client.upload(UPLOAD, {"classId": workshop["classes"][0]["id"]},
                             {"file": (solid_jpeg(), "a.jpg", "image/jpeg")},
                             headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403
    assert_nothing_stored(venue_app)


def test_a_direct_request_claiming_a_venue_address_is_refused(make_app):
    # Two trusted hops (e.g. the Google load balancer and the Ingress); a request
    # that skipped them cannot pick its own address with a one-entry X-Forwarded-For.
    app = make_app(allowed_cidrs=(ipaddress.ip_network("192.168.10.0/24"),), trusted_proxy_hops=2)
    http = app.test_client()
    forged = http.post("/graphql", json={"query": "{ me { id } }"}, headers={"X-Forwarded-For": "192.168.10.5"},
                       environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert forged.status_code == 403
    through_both = http.post("/graphql", json={"query": "{ me { id } }"},
                             headers={"X-Forwarded-For": "6.6.6.6, 192.168.10.5, 130.211.0.5"},
                             environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert through_both.status_code == 200
