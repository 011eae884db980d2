"""Card tokens are secrets: the frontend server serves the join screen for
/join (token in the fragment, never sent) and for older cards' /join/<token>, and its
request log never holds a token."""

from __future__ import annotations

import logging

import pytest

TOKEN = "q2VbUeXv0pYl1J5bO3nJmBKxD7X3i3eF8aYg2Kd1w5c"


@pytest.fixture
def client(make_app, fake_dist):
    return make_app(DIST_DIR=fake_dist).test_client()


def test_join_without_a_path_token_serves_the_app(client):
    response = client.get("/join")  # the browser asked for /join#<token>: no token here
    assert response.status_code == 200 and b'<div id="root">' in response.data


def test_an_older_cards_path_token_is_served_but_logged_redacted(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(f"/join/{TOKEN}")
    assert response.status_code == 200 and b'<div id="root">' in response.data
    assert response.headers["Referrer-Policy"] == "no-referrer"
    lines = [r for r in caplog.records if hasattr(r, "httpRequest")]
    assert [r.httpRequest["requestUrl"] for r in lines] == ["/join/[redacted]"]
    assert TOKEN not in caplog.text
    assert all(TOKEN not in r.getMessage() and TOKEN not in str(vars(r)) for r in caplog.records)
