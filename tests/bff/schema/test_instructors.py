"""Instructor accounts: invitations (one use, 72 h), sign-in by email, the first org admin
behind PICTOLAB_ADMIN_PASSWORD, guessing behind a venue NAT, locks, sessions, passwords."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bff.db import session_scope
from bff.models import InstructorInvitation, utcnow
from tests.bff.helpers import ADMIN_PASSWORD, GraphQLClient, admin_login

INVITE = "mutation($e: String!) { inviteInstructor(email: $e) }"
ACCEPT = "mutation($t: String!, $p: String!) { acceptInvite(token: $t, password: $p) }"
SIGN_IN = "mutation($e: String, $p: String!) { adminLogin(email: $e, password: $p) }"
WHO = "{ isAdmin currentInstructor { email isOrgAdmin locked hasPassword } }"
SESSIONS = "{ adminSessions { id current userAgent } }"
CHANGE = "mutation($o: String!, $n: String!) { changePassword(currentPassword: $o, newPassword: $n) }"
PASSWORD = "correct horse battery"


def invite(org: GraphQLClient, email: str) -> str:
    url = org.data(INVITE, e=email)["inviteInstructor"]
    assert url.startswith("http://localhost:8000/admin/accept#")  # a fragment: it reaches no log
    return url.split("#", 1)[1]


def browser(app) -> GraphQLClient:
    """A browser that opened the admin screen (which issues its device id)."""
    client = GraphQLClient(app.test_client())
    client.data("{ isAdmin }")
    return client


def new_instructor(app, org: GraphQLClient, email: str, password: str = PASSWORD) -> GraphQLClient:
    assert GraphQLClient(app.test_client()).data(ACCEPT, t=invite(org, email), p=password)["acceptInvite"] is True
    client = browser(app)
    assert client.data(SIGN_IN, e=email, p=password)["adminLogin"] is True
    return client


def test_invitation_sign_in_and_reuse(app, client):
    admin_login(client)
    token = invite(client, "Teacher@School.example")
    invitee = GraphQLClient(app.test_client())
    assert invitee.error_code(ACCEPT, t=token, p="short") == "BAD_USER_INPUT"
    assert invitee.data(ACCEPT, t=token, p=PASSWORD)["acceptInvite"] is True
    # One use only: the same link again (even with another password) is refused.
    assert invitee.error_code(ACCEPT, t=token, p="another password 2") == "NOT_FOUND"
    assert invitee.error_code(ACCEPT, t="made-up", p=PASSWORD) == "NOT_FOUND"
    assert invitee.error_code(SIGN_IN, e="teacher@school.example", p="wrong password") == "UNAUTHENTICATED"
    assert invitee.data(SIGN_IN, e="teacher@school.example", p=PASSWORD)["adminLogin"] is True
    assert invitee.data(WHO)["currentInstructor"] == {"email": "teacher@school.example", "isOrgAdmin": False,
                                                      "locked": False, "hasPassword": True}
    assert client.error_code(INVITE, e="teacher@school.example") == "CONFLICT"
    assert client.error_code(INVITE, e="not an email") == "BAD_USER_INPUT"
    # Only org admins invite or list instructors.
    assert invitee.error_code(INVITE, e="x@school.example") == "FORBIDDEN"
    assert invitee.error_code("{ instructors { email } }") == "FORBIDDEN"
    assert [i["email"] for i in client.data("{ instructors { email } }")["instructors"]] == \
        ["admin", "teacher@school.example"]


def test_invitation_expires_after_72_hours(app, client, db_session):
    admin_login(client)
    tokens = [invite(client, f"t{i}@school.example") for i in range(2)]
    created = utcnow()
    db_session.execute(update(InstructorInvitation).where(InstructorInvitation.email == "t0@school.example")
                       .values(created_at=created - timedelta(hours=72, seconds=1),
                               expires_at=created - timedelta(seconds=1)))
    db_session.execute(update(InstructorInvitation).where(InstructorInvitation.email == "t1@school.example")
                       .values(created_at=created - timedelta(hours=71, minutes=59),
                               expires_at=created + timedelta(minutes=1)))
    db_session.commit()
    assert client.error_code(ACCEPT, t=tokens[0], p=PASSWORD) == "NOT_FOUND"
    assert client.data(ACCEPT, t=tokens[1], p=PASSWORD)["acceptInvite"] is True
    invite(client, "t2@school.example")
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        fresh = db.get(InstructorInvitation, hashlib.sha256(tokens[0].encode()).hexdigest())
        assert fresh is not None  # stored by the hash of the link's token, never the token
        fresh = db.query(InstructorInvitation).filter_by(email="t2@school.example").one()
        assert fresh.expires_at - fresh.created_at == timedelta(hours=72)


def test_first_org_admin_is_the_laptop_password(client):
    # No email: the account `pictolab up` prints the password of.
    admin_login(client)
    assert client.data(WHO)["currentInstructor"] == {"email": "admin", "isOrgAdmin": True, "locked": False,
                                                     "hasPassword": False}
    assert client.data(SIGN_IN, e="admin", p=ADMIN_PASSWORD)["adminLogin"] is True
    assert client.error_code(CHANGE, o=ADMIN_PASSWORD, n="a new password 1") == "FAILED_PRECONDITION"


def test_guessing_behind_the_venue_nat_never_keeps_another_instructor_out(make_app):
    app = make_app(ADMIN_ACCOUNT_MAX_FAILURES=5)  # fewer argon2 checks than the default
    org = browser(app)
    admin_login(org)
    victim = "victim@venue.example"
    victim_laptop = new_instructor(app, org, victim)
    victim_laptop.data("mutation { logout }")
    other = "other@venue.example"
    assert GraphQLClient(app.test_client()).data(ACCEPT, t=invite(org, other), p=PASSWORD)["acceptInvite"]
    # 150 cookie-less wrong guesses from the venue's one address, for the victim's account.
    codes = [GraphQLClient(app.test_client()).error_code(SIGN_IN, e=victim, p=f"guess {i}") for i in range(150)]
    assert set(codes) <= {"UNAUTHENTICATED", "RATE_LIMITED"} and codes[-1] == "RATE_LIMITED"
    assert codes.count("UNAUTHENTICATED") <= app.config["ADMIN_ACCOUNT_MAX_FAILURES"]
    # Another instructor's browser (same address, no failures) signs in at once; so does the laptop.
    assert browser(app).data(SIGN_IN, e=other, p=PASSWORD)["adminLogin"] is True
    admin_login(browser(app))
    # The guessed account is locked, for the right password too, until an org admin unlocks it.
    victim_browser = browser(app)
    result = victim_browser.execute(SIGN_IN, e=victim, p=PASSWORD)
    assert result["errors"][0]["extensions"] == {"code": "RATE_LIMITED", "locked": True}
    assert [i["locked"] for i in org.data("{ instructors { email locked } }")["instructors"]
            if i["email"] == victim] == [True]
    # ... but the victim's own laptop, where the account signed in before, still gets in.
    assert victim_laptop.data(SIGN_IN, e=victim, p=PASSWORD)["adminLogin"] is True
    assert org.data("mutation($e: String!) { unlockInstructor(email: $e) { locked } }",
                    e=victim)["unlockInstructor"] == {"locked": False}
    assert victim_browser.data(SIGN_IN, e=victim, p=PASSWORD)["adminLogin"] is True


def test_a_failing_device_waits_but_not_the_account_elsewhere(make_app):
    app = make_app(ADMIN_LOGIN_FAILURES_PER_MINUTE=3)
    org = browser(app)
    admin_login(org)
    new_instructor(app, org, "t@venue.example")
    ipad = browser(app)
    for _ in range(3):
        assert ipad.error_code(SIGN_IN, e="t@venue.example", p="guess") == "UNAUTHENTICATED"
    # Even the right password waits on that device: guessing must not be told apart from knowing.
    assert ipad.error_code(SIGN_IN, e="t@venue.example", p=PASSWORD) == "RATE_LIMITED"
    ipad.data("mutation { logout }")  # a fresh session keeps the device id and its count
    assert ipad.error_code(SIGN_IN, e="t@venue.example", p=PASSWORD) == "RATE_LIMITED"
    assert browser(app).data(SIGN_IN, e="t@venue.example", p=PASSWORD)["adminLogin"] is True


def test_sessions_are_listed_ended_and_die_with_the_password(make_app):
    app = make_app()
    org = browser(app)
    admin_login(org)
    laptop = new_instructor(app, org, "t@venue.example")
    ipad = browser(app)
    assert ipad.data(SIGN_IN, e="t@venue.example", p=PASSWORD)["adminLogin"] is True
    sessions = laptop.data(SESSIONS)["adminSessions"]
    assert len(sessions) == 2 and sorted(s["current"] for s in sessions) == [False, True]
    assert len(org.data(SESSIONS)["adminSessions"]) == 1  # only one's own
    other = next(s["id"] for s in sessions if not s["current"])
    assert org.error_code("mutation($i: ID!) { endAdminSession(id: $i) }", i=other) == "NOT_FOUND"
    assert laptop.data("mutation($i: ID!) { endAdminSession(id: $i) }", i=other)["endAdminSession"] is True
    assert ipad.data(WHO)["isAdmin"] is False
    # A password change ends every other session, and keeps this one.
    assert ipad.data(SIGN_IN, e="t@venue.example", p=PASSWORD)["adminLogin"] is True
    assert laptop.error_code(CHANGE, o="not it at all", n="a new password 1") == "UNAUTHENTICATED"
    assert laptop.data(CHANGE, o=PASSWORD, n="a new password 1")["changePassword"] is True
    assert ipad.data(WHO)["isAdmin"] is False
    assert laptop.data(WHO)["isAdmin"] is True
    assert [s["current"] for s in laptop.data(SESSIONS)["adminSessions"]] == [True]
    assert browser(app).error_code(SIGN_IN, e="t@venue.example", p=PASSWORD) == "UNAUTHENTICATED"
    assert browser(app).data(SIGN_IN, e="t@venue.example", p="a new password 1")["adminLogin"] is True


PICTOLAB = str(Path(sys.executable).with_name("pictolab"))


def test_cli_invite_and_reset(tmp_path):
    # The commands' plumbing, once (bff.cli's functions run on both databases above and below).
    from tests.services import base_env

    env = base_env(tmp_path / "data", PICTOLAB_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
                   PICTOLAB_PUBLIC_URL="https://ws.example.org")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([PICTOLAB, "instructor", *args], check=False, env=env, capture_output=True,
                              text=True, timeout=120)

    invited = run("invite", "new@school.example")
    assert invited.returncode == 0, invited.stderr
    assert invited.stdout.strip().startswith("https://ws.example.org/admin/accept#")
    assert run("reset", "nobody@school.example").returncode != 0
    reset = run("reset", "admin")
    assert reset.returncode == 0 and "unlocked" in reset.stdout and "PICTOLAB_ADMIN_PASSWORD" in reset.stdout


def test_reset_unlocks_and_gives_a_one_time_link(make_app):
    from bff.cli import reset_instructor

    app = make_app(ADMIN_ACCOUNT_MAX_FAILURES=2)
    org = browser(app)
    admin_login(org)
    new_instructor(app, org, "t@venue.example")
    for _ in range(2):
        browser(app).error_code(SIGN_IN, e="t@venue.example", p="guess")
    assert browser(app).error_code(SIGN_IN, e="t@venue.example", p=PASSWORD) == "RATE_LIMITED"
    result = reset_instructor(app.config["SETTINGS"], "T@venue.example")
    assert result["unlocked"] and result["resetUrl"].startswith("http://localhost:8000/admin/accept#")
    assert browser(app).data(SIGN_IN, e="t@venue.example", p=PASSWORD)["adminLogin"] is True
    token = result["resetUrl"].split("#", 1)[1]
    assert org.data(ACCEPT, t=token, p="a new password 1")["acceptInvite"] is True
    assert org.error_code(ACCEPT, t=token, p="a new password 2") == "NOT_FOUND"
    assert browser(app).data(SIGN_IN, e="t@venue.example", p="a new password 1")["adminLogin"] is True
    # The same from the instructors page: an org admin's reset link.
    reset = "mutation($e: String!) { resetInstructorPassword(email: $e) }"
    assert org.error_code(reset, e="admin") == "NOT_FOUND"  # its password is the setting
    url = org.data(reset, e="t@venue.example")["resetInstructorPassword"]
    assert org.data(ACCEPT, t=url.split("#", 1)[1], p="a new password 3")["acceptInvite"] is True
    assert browser(app).data(SIGN_IN, e="t@venue.example", p="a new password 3")["adminLogin"] is True


@pytest.mark.parametrize("email", [None, "admin"])
def test_audit_names_the_instructor_who_signed_in(client, db_session, email):
    from sqlalchemy import select

    from bff.models import AuditEvent, Instructor

    assert client.data(SIGN_IN, e=email, p=ADMIN_PASSWORD)["adminLogin"] is True
    admin_id = db_session.scalars(select(Instructor.id).where(Instructor.email == "admin")).one()
    actors = db_session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "admin.login")).all()
    assert actors == [f"instructor:{admin_id}"]
