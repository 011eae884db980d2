"""Sessions and roles.

Flask's signed cookie session (HttpOnly, SameSite=Lax, Secure off localhost) holds, for a
group, its id and the token version it logged in with: every request re-reads the group,
so revoking a card (bumping the version) logs the iPad out at its next request. The admin
role is an instructor's (bff/instructors.py): the session holds a fingerprint of that
instructor's password (the first org admin's is PICTOLAB_ADMIN_PASSWORD: changing it ends
every session of that account) and a random session id whose hash is a row in
``admin_sessions`` naming the instructor (logout deletes it, so a cookie copied before
logout stops working; a password change deletes every other row of the account).
An admin session also ends ``ADMIN_SESSION_MAX_AGE`` after login however active it is (the
cookie is re-issued on every request, so only the row's creation time can bound it).
One device holds one role: a card scanned on the instructor's iPad ends the admin session
(the iPad is now the group's), and an admin login ends the group session.
The session also carries a device id the server issued (what failed logins are counted
per; see :func:`known_device_id`).
The secret key is persistent, so sessions survive a BFF restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pictolab.settings import Settings

from .instructors import verify_hash
from .models import AdminSession, Group, Instructor, Phase, Workshop, utcnow
from .tokens import parse_token, token_matches

_GROUP = "group"
_GROUP_VERSION = "gv"
_ADMIN = "admin"
_ADMIN_SESSION = "as"
_DEVICE = "dev"
_TRUSTED = "ti"  # the instructors that signed in on this device


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _admin_fingerprint(settings: Settings, instructor: Instructor) -> str:
    """Changes whenever the account's password does, ending the sessions made with the old one."""
    if instructor.uses_admin_password:
        secret = b"admin:" + settings.admin_password.encode()
    else:
        secret = f"instructor:{instructor.id}:{instructor.password_hash}".encode()
    return hmac.new(settings.secret_key.encode(), secret, hashlib.sha256).hexdigest()[:32]


def check_admin_password(settings: Settings, password: str) -> bool:
    # Compare digests so the comparison time says nothing about the password's length.
    given = hashlib.sha256(password.encode()).digest()
    expected = hashlib.sha256(settings.admin_password.encode()).digest()
    return bool(settings.admin_password) and hmac.compare_digest(given, expected)


def check_password(settings: Settings, instructor: Instructor | None, password: str) -> bool:
    """The account's password (PICTOLAB_ADMIN_PASSWORD for the first org admin). An unknown
    account (None) costs the same hash check and is never right."""
    if instructor is not None and instructor.uses_admin_password:
        return check_admin_password(settings, password)
    return verify_hash(instructor.password_hash if instructor is not None else None, password)


def group_for_token(db: Session, settings: Settings, token: str) -> Group | None:
    """The group a login card belongs to, or None for a wrong, revoked or stale card."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    group_id, mac = parsed
    group = db.get(Group, group_id)
    if group is None or group.revoked:
        # Still spend the MAC computation so timing does not tell ids apart.
        token_matches(settings.secret_key, group_id, 0, mac)
        return None
    if not token_matches(settings.secret_key, group.id, group.token_version, mac):
        return None
    return group


def device_id() -> str:
    """This browser's id, kept in its session (also across login and logout): what the
    failed card-login limits count per device. Issued on first use."""
    known_device_id()
    value = session.get(_DEVICE)
    if not isinstance(value, str):
        value = session[_DEVICE] = secrets.token_hex(8)
    return value


def known_device_id() -> str | None:
    """The device id this request came with: one the server issued in an earlier answer
    (the session is signed, so nobody else can make one), or None. A request without one
    is no device: a cookie-less guesser counts against its address instead."""
    if "_pictolab_known_device" not in g:
        value = session.get(_DEVICE)
        g._pictolab_known_device = value if isinstance(value, str) else None
    return g._pictolab_known_device


def signed_in_here_before(instructor: Instructor) -> bool:
    """Whether this account signed in on this device before (the signed session says so):
    such a device may still sign in while guessers elsewhere keep the account locked."""
    trusted = session.get(_TRUSTED)
    return isinstance(trusted, list) and instructor.id in trusted


def _remember_sign_in(instructor: Instructor) -> None:
    trusted = session.get(_TRUSTED)
    trusted = [i for i in trusted if isinstance(i, str) and i != instructor.id] if isinstance(trusted, list) else []
    session[_TRUSTED] = [*trusted[-4:], instructor.id]


def _end_admin_session(db: Session) -> None:
    """Delete this cookie's admin session row (so a copy of the cookie is worthless too)."""
    session_id = session.pop(_ADMIN_SESSION, None)
    session.pop(_ADMIN, None)
    g.pop("_pictolab_admin", None)
    if isinstance(session_id, str):
        admin_session = db.get(AdminSession, _hash(session_id))
        if admin_session is not None:
            db.delete(admin_session)
            db.commit()


def login_group(db: Session, group: Group) -> None:
    # A shared iPad: the instructor hands it to a group, which must not inherit the admin role.
    _end_admin_session(db)
    session.pop(_GROUP, None)
    session[_GROUP] = group.id
    session[_GROUP_VERSION] = group.token_version
    session.permanent = True
    g.pop("_pictolab_group", None)


def login_admin(settings: Settings, db: Session, max_age: timedelta, instructor: Instructor) -> None:
    _end_admin_session(db)  # a second login on this device replaces its session row
    # This device's group session ends: one role per device.
    session.pop(_GROUP, None)
    session.pop(_GROUP_VERSION, None)
    g.pop("_pictolab_group", None)
    session_id = secrets.token_urlsafe(24)
    # Sessions past their absolute age are dead anyway: drop them as we go.
    db.execute(delete(AdminSession).where(AdminSession.created_at < utcnow() - max_age))
    user_agent = (request.headers.get("User-Agent") or "")[:200] or None
    db.add(AdminSession(id_hash=_hash(session_id), instructor_id=instructor.id, user_agent=user_agent))
    db.commit()
    session[_ADMIN] = _admin_fingerprint(settings, instructor)
    session[_ADMIN_SESSION] = session_id
    session.permanent = True
    _remember_sign_in(instructor)
    g.pop("_pictolab_admin", None)


def logout(db: Session) -> None:
    _end_admin_session(db)
    device, trusted = session.get(_DEVICE), session.get(_TRUSTED)
    session.clear()
    if isinstance(device, str):
        session[_DEVICE] = device  # logging out does not reset the failed-login count
    if isinstance(trusted, list):
        session[_TRUSTED] = trusted
    g.pop("_pictolab_group", None)
    g.pop("_pictolab_admin", None)


def refresh_admin_fingerprint(settings: Settings, instructor: Instructor) -> None:
    """After this device changed the account's password: keep it signed in."""
    session[_ADMIN] = _admin_fingerprint(settings, instructor)
    g.pop("_pictolab_admin", None)


def current_session_hash() -> str | None:
    """``admin_sessions.id_hash`` of this cookie's admin session (None: none)."""
    session_id = session.get(_ADMIN_SESSION)
    return _hash(session_id) if isinstance(session_id, str) else None


def current_instructor(settings: Settings, db: Session) -> Instructor | None:
    """The signed-in instructor: a session that was neither logged out nor older than
    ``ADMIN_SESSION_MAX_AGE``, made with the account's current password (checked once per
    request)."""
    if "_pictolab_admin" not in g:
        instructor = None
        fingerprint, session_id = session.get(_ADMIN), session.get(_ADMIN_SESSION)
        if isinstance(fingerprint, str) and isinstance(session_id, str):
            admin_session = db.get(AdminSession, _hash(session_id))
            max_age = current_app.config["ADMIN_SESSION_MAX_AGE"]
            if admin_session is not None and admin_session.created_at > utcnow() - max_age:
                candidate = db.get(Instructor, admin_session.instructor_id)
                if candidate is not None and hmac.compare_digest(fingerprint,
                                                                 _admin_fingerprint(settings, candidate)):
                    instructor = candidate
        g._pictolab_admin = instructor
    return g._pictolab_admin


def is_admin(settings: Settings, db: Session) -> bool:
    """Whether an instructor is signed in on this device (see :func:`current_instructor`)."""
    return current_instructor(settings, db) is not None


def instructor_sessions(db: Session, instructor: Instructor, max_age: timedelta) -> list[AdminSession]:
    """The account's live sessions, newest first."""
    return list(db.scalars(select(AdminSession).where(AdminSession.instructor_id == instructor.id,
                                                      AdminSession.created_at > utcnow() - max_age)
                           .order_by(AdminSession.created_at.desc())))


def session_public_id(admin_session: AdminSession) -> str:
    """What the sessions list shows for a session (not its hash: nothing that is stored)."""
    return hashlib.sha256(b"public:" + admin_session.id_hash.encode()).hexdigest()[:24]


def current_group(db: Session) -> Group | None:
    """The logged-in group, re-validated against the database on every request."""
    if "_pictolab_group" in g:
        return g._pictolab_group
    group = None
    group_id = session.get(_GROUP)
    if isinstance(group_id, str):
        candidate = db.get(Group, group_id)
        if (candidate is not None and not candidate.revoked
                and candidate.token_version == session.get(_GROUP_VERSION)
                and candidate.workshop.purged_at is None):
            group = candidate
        else:
            # Revoked card, purged workshop or deleted group: this iPad is logged out.
            session.pop(_GROUP, None)
            session.pop(_GROUP_VERSION, None)
    g._pictolab_group = group
    return group


def can_log_in(workshop: Workshop) -> bool:
    return workshop.purged_at is None and workshop.phase != Phase.CLOSED
