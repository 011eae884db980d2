"""Login tokens: >= 128-bit MAC, nothing stored, reprintable, revocable by version."""

from __future__ import annotations

import base64
import uuid

from bff.tokens import login_url, make_token, parse_token, token_matches

SECRET = "s" * 40


def test_token_round_trip_and_size():
    group_id = uuid.uuid4().hex
    token = make_token(SECRET, group_id, 1)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) == 32 and raw[:16].hex() == group_id  # 16 bytes of id + 16 bytes (128 bits) of MAC
    parsed_id, mac = parse_token(token)
    assert parsed_id == group_id and token_matches(SECRET, group_id, 1, mac)


def test_same_version_reprints_the_same_token_and_a_new_version_changes_it():
    group_id = uuid.uuid4().hex
    assert make_token(SECRET, group_id, 1) == make_token(SECRET, group_id, 1)
    assert make_token(SECRET, group_id, 2) != make_token(SECRET, group_id, 1)
    _, old_mac = parse_token(make_token(SECRET, group_id, 1))
    assert not token_matches(SECRET, group_id, 2, old_mac)


def test_mac_depends_on_secret_and_group():
    a, b = uuid.uuid4().hex, uuid.uuid4().hex
    _, mac = parse_token(make_token(SECRET, a, 1))
    assert not token_matches("other" * 10, a, 1, mac)
    assert not token_matches(SECRET, b, 1, mac)


def test_malformed_tokens_parse_to_none():
    for token in ["", "abc", "!!!!", "A" * 100, make_token(SECRET, uuid.uuid4().hex, 1)[:-2], None]:
        assert parse_token(token) is None


def test_login_url_carries_the_token_in_the_fragment():
    # A browser never sends the fragment, so the token reaches no request log
    # (load balancer, gunicorn, the apps) and no Referer.
    assert login_url("https://x.example/", "TOKEN") == "https://x.example/join#TOKEN"
