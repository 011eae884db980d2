"""login / logout / me / adminLogin / revokeGroupToken and the session cookie."""

from __future__ import annotations

import pytest

from bff.models import Phase
from tests.bff.helpers import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    LOGIN,
    GraphQLClient,
    admin_login,
    login,
    set_phase,
)

ME = "{ me { id name emoji color } isAdmin }"
REVOKE = "mutation($g: ID!, $d: Boolean) { revokeGroupToken(groupId: $g, disable: $d) { id token loginUrl } }"


@pytest.fixture
def workshop(make_workshop):
    return make_workshop(phase=Phase.COLLECT)


def test_login_with_a_card_token_sets_a_safe_session_cookie(client, workshop):
    group = workshop["groups"][0]
    response = client.http.post("/graphql", json={"query": LOGIN, "variables": {"token": group["token"]}})
    assert response.get_json()["data"]["login"]["id"] == group["id"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain-HTTP laptop; see the production test below
    me = client.data(ME)
    assert me["me"] == {"id": group["id"], "name": group["name"], "emoji": group["emoji"], "color": group["color"]}
    assert me["isAdmin"] is False


def test_cookie_is_secure_in_production(make_app, make_workshop):
    app = make_app(env="production", public_url="https://pictolab.example.org", admin_password="x" * 16)
    client = GraphQLClient(app.test_client())
    response = client.http.post("/graphql", json={"query": ADMIN_LOGIN, "variables": {"password": "x" * 16}})
    assert response.get_json()["data"]["adminLogin"] is True
    assert "Secure" in response.headers["Set-Cookie"]


def test_group_names_are_app_chosen_animals(workshop):
    names = [g["name"] for g in workshop["groups"]]
    assert names == ["パンダ / Panda", "ペンギン / Penguin"]
    assert all(g["loginUrl"] == f"http://localhost:8000/join#{g['token']}" for g in workshop["groups"])


@pytest.mark.parametrize("token", ["", "nonsense", "A" * 43, "x" * 500])
def test_wrong_token(client, workshop, token):
    assert client.error_code(LOGIN, token=token) == "UNAUTHENTICATED"
    assert client.data(ME)["me"] is None


def test_token_of_one_group_with_another_groups_mac_is_refused(client, workshop):
    import base64

    a, b = (base64.urlsafe_b64decode(g["token"] + "=") for g in workshop["groups"])
    forged = base64.urlsafe_b64encode(a[:16] + b[16:]).rstrip(b"=").decode()
    assert client.error_code(LOGIN, token=forged) == "UNAUTHENTICATED"


def test_revoked_token_stops_working_and_logs_the_ipad_out(client, new_client, workshop):
    group = workshop["groups"][0]
    login(client, group["token"])
    admin = new_client()
    admin_login(admin)
    new_card = admin.data(REVOKE, g=group["id"])["revokeGroupToken"]
    assert new_card["token"] != group["token"]
    assert client.data(ME)["me"] is None, "the logged-in iPad must be logged out"
    assert client.error_code("{ photos { id } }") == "UNAUTHENTICATED"
    assert new_client().error_code(LOGIN, token=group["token"]) == "UNAUTHENTICATED"
    assert login(new_client(), new_card["token"])["id"] == group["id"]


def test_disabled_group_cannot_log_in_until_reissued(new_client, workshop):
    group = workshop["groups"][0]
    admin = new_client()
    admin_login(admin)
    card = admin.data(REVOKE, g=group["id"], d=True)["revokeGroupToken"]
    assert new_client().error_code(LOGIN, token=card["token"]) == "UNAUTHENTICATED"
    card = admin.data(REVOKE, g=group["id"], d=False)["revokeGroupToken"]
    assert login(new_client(), card["token"])["id"] == group["id"]


def test_reprinted_card_is_the_same_while_not_revoked(new_client, make_workshop):
    workshop = make_workshop(groups=30)  # more groups than animals: names get a number
    admin = new_client()
    admin_login(admin)
    cards = admin.data("query($w: ID!) { workshop(id: $w) { groups { id token loginUrl } } }", w=workshop["id"])
    assert [g["token"] for g in cards["workshop"]["groups"]] == [g["token"] for g in workshop["groups"]]


def test_session_survives_a_restart_with_the_same_secret_key(make_app, workshop, client):
    login(client, workshop["groups"][0]["token"])
    cookie = client.http.get_cookie("pictolab_session")
    restarted = GraphQLClient(make_app(migrate=False).test_client())
    restarted.http.set_cookie("pictolab_session", cookie.value)
    assert restarted.data(ME)["me"]["id"] == workshop["groups"][0]["id"]
    other_key = GraphQLClient(make_app(migrate=False, secret_key="z" * 48).test_client())
    other_key.http.set_cookie("pictolab_session", cookie.value)
    assert other_key.data(ME)["me"] is None


def test_login_refused_when_the_workshop_is_closed(app, client, workshop):
    set_phase(app, workshop["id"], Phase.CLOSED)
    assert client.error_code(LOGIN, token=workshop["groups"][0]["token"]) == "FAILED_PRECONDITION"


def test_logout(client, workshop):
    login(client, workshop["groups"][0]["token"])
    assert client.data("mutation { logout }")["logout"] is True
    assert client.data(ME)["me"] is None


def test_admin_login(client):
    assert client.error_code(ADMIN_LOGIN, password="wrong") == "UNAUTHENTICATED"
    assert client.data(ME)["isAdmin"] is False
    admin_login(client)
    assert client.data(ME)["isAdmin"] is True


def test_admin_logout_ends_the_session_even_for_a_copied_cookie(app, client):
    admin_login(client)
    copied = client.http.get_cookie("pictolab_session").value
    assert client.data("mutation { logout }")["logout"] is True
    assert client.data(ME)["isAdmin"] is False
    replay = GraphQLClient(app.test_client())
    replay.http.set_cookie("pictolab_session", copied)  # taken before logout
    assert replay.data(ME)["isAdmin"] is False
    assert replay.error_code("{ workshops { id } }") == "UNAUTHENTICATED"
    # Another instructor device stays logged in.
    other = GraphQLClient(app.test_client())
    admin_login(other)
    assert other.data(ME)["isAdmin"] is True


def test_admin_session_ends_when_the_password_changes(make_app, client):
    admin_login(client)
    cookie = client.http.get_cookie("pictolab_session")
    changed = GraphQLClient(make_app(migrate=False, admin_password="another-password-2").test_client())
    changed.http.set_cookie("pictolab_session", cookie.value)
    assert changed.data(ME)["isAdmin"] is False


def test_failed_admin_logins_are_rate_limited(make_app):
    client = GraphQLClient(make_app(ADMIN_LOGIN_FAILURES_PER_MINUTE=3).test_client())
    for _ in range(3):
        assert client.error_code(ADMIN_LOGIN, password="guess") == "UNAUTHENTICATED"
    # Even the right password waits now: guessing must not be told apart from knowing.
    assert client.error_code(ADMIN_LOGIN, password=ADMIN_PASSWORD) == "RATE_LIMITED"


def test_one_device_guessing_does_not_lock_out_the_instructor_behind_the_same_nat(make_app):
    app = make_app(ADMIN_LOGIN_FAILURES_PER_MINUTE=3)
    ipad = GraphQLClient(app.test_client())
    for _ in range(3):
        assert ipad.error_code(ADMIN_LOGIN, password="guess") == "UNAUTHENTICATED"
    assert ipad.error_code(ADMIN_LOGIN, password=ADMIN_PASSWORD) == "RATE_LIMITED"
    # Logging out (a fresh session) does not reset the count on that iPad.
    ipad.data("mutation { logout }")
    assert ipad.error_code(ADMIN_LOGIN, password=ADMIN_PASSWORD) == "RATE_LIMITED"
    # The instructor's laptop, same address, still gets in.
    laptop = GraphQLClient(app.test_client())
    admin_login(laptop)
    # Requests without a device id the server issued are no device: they share the address's
    # budget (and lock the account they guess): cookie-less guessing runs into both.
    for _ in range(3 * 10):
        code = GraphQLClient(app.test_client()).error_code(ADMIN_LOGIN, password="guess")
        assert code in ("UNAUTHENTICATED", "RATE_LIMITED")
    assert GraphQLClient(app.test_client()).error_code(ADMIN_LOGIN, password=ADMIN_PASSWORD) == "RATE_LIMITED"
    # The laptop, where the account signed in before, is let in all the same.
    laptop.data("mutation { logout }")
    admin_login(laptop)


def test_failed_card_logins_are_rate_limited(make_app):
    client = GraphQLClient(make_app(LOGIN_FAILURES_PER_MINUTE=2).test_client())
    for _ in range(2):
        assert client.error_code(LOGIN, token="bad") == "UNAUTHENTICATED"
    assert client.error_code(LOGIN, token="bad") == "RATE_LIMITED"


def test_group_cannot_use_admin_operations(client, workshop):
    login(client, workshop["groups"][0]["token"])
    assert client.error_code(REVOKE, g=workshop["groups"][1]["id"]) == "FORBIDDEN"
    assert client.error_code("{ workshop { groups { loginUrl } } }") == "FORBIDDEN"


def test_login_is_audited_without_the_token(app, client, workshop, db_session):
    from sqlalchemy import select

    from bff.models import AuditEvent

    login(client, workshop["groups"][0]["token"])
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "group.login")).all()
    assert [e.actor for e in events] == [f"group:{workshop['groups'][0]['id']}"]
    assert workshop["groups"][0]["token"] not in str([e.details for e in events])


TEST_PHOTOS = "query($w: ID!) { testPhotos(workshopId: $w) { id } }"


def test_a_card_scanned_on_the_instructors_ipad_ends_the_admin_session(app, client, workshop):
    # The instructor logs in on an iPad, then hands it to a group.
    admin_login(client)
    copied = client.http.get_cookie("pictolab_session").value
    login(client, workshop["groups"][0]["token"])
    me = client.data(ME)
    assert me["isAdmin"] is False and me["me"]["id"] == workshop["groups"][0]["id"]
    assert client.error_code(TEST_PHOTOS, w=workshop["id"]) == "FORBIDDEN"
    assert client.error_code(REVOKE, g=workshop["groups"][1]["id"]) == "FORBIDDEN"
    # The admin session itself ended, not just this cookie's claim to it.
    replay = GraphQLClient(app.test_client())
    replay.http.set_cookie("pictolab_session", copied)
    assert replay.data(ME)["isAdmin"] is False


def test_admin_login_ends_the_group_session_on_that_device(client, workshop):
    login(client, workshop["groups"][0]["token"])
    admin_login(client)
    me = client.data(ME)
    assert me == {"me": None, "isAdmin": True}
    assert client.error_code("{ photos { id } }") == "UNAUTHENTICATED"


def test_admin_sessions_expire_absolutely_however_active(app, client, db_session):
    # The cookie is refreshed on every request, so only the row's age can end it.
    from datetime import timedelta

    from sqlalchemy import update

    from bff.models import AdminSession, utcnow

    admin_login(client)
    assert client.data(ME)["isAdmin"] is True
    max_age = app.config["ADMIN_SESSION_MAX_AGE"]
    assert max_age <= timedelta(hours=12)
    db_session.execute(update(AdminSession).values(created_at=utcnow() - max_age + timedelta(minutes=1)))
    db_session.commit()
    assert client.data(ME)["isAdmin"] is True, "a minute before the limit: still in"
    db_session.execute(update(AdminSession).values(created_at=utcnow() - max_age - timedelta(minutes=1)))
    db_session.commit()
    assert client.data(ME)["isAdmin"] is False
    assert client.error_code("{ workshops { id } }") == "UNAUTHENTICATED"
    admin_login(client)  # logging in again starts a new session
    assert client.data(ME)["isAdmin"] is True


def test_cards_guessed_behind_the_venue_nat_never_lock_out_a_real_card(make_app):
    # Every iPad of the venue shares one address. Tokens carry a 128-bit MAC, so
    # failures may slow the failing device but never keep a valid card out.
    from tests.bff.helpers import workshop_on

    app = make_app(LOGIN_FAILURES_PER_MINUTE=2)
    workshop = workshop_on(app)
    # Cookie-less guessing (a fresh device each time) blows the address's budget many times over.
    for _ in range(2 * 10 + 5):
        code = GraphQLClient(app.test_client()).error_code(LOGIN, token="bad")
        assert code in ("UNAUTHENTICATED", "RATE_LIMITED")
    assert GraphQLClient(app.test_client()).error_code(LOGIN, token="bad") == "RATE_LIMITED"
    # A real card on a new iPad, same address, gets in.
    assert login(GraphQLClient(app.test_client()), workshop["groups"][0]["token"])["id"] == workshop["groups"][0]["id"]
    # The guessing iPad itself is slowed: while its own budget is spent it gets no answer,
    # right card or not (so it cannot keep guessing), until its bucket refills.
    guesser = GraphQLClient(app.test_client())
    for _ in range(2):
        assert guesser.error_code(LOGIN, token="bad") in ("UNAUTHENTICATED", "RATE_LIMITED")
    assert guesser.error_code(LOGIN, token=workshop["groups"][1]["token"]) == "RATE_LIMITED"
