"""Sessions and roles.

Flask's signed cookie session (HttpOnly, SameSite=Lax, Secure off localhost) holds, for a
group, its id and the token version it logged in with: every request re-reads the group,
so revoking a card (bumping the version) logs the iPad out at its next request. The admin
role is separate: the session holds a fingerprint of the admin password (changing the
password ends every admin session) and a random session id whose hash is a row in
``admin_sessions`` (logout deletes it, so a cookie copied before logout stops working).
An admin session also ends ``ADMIN_SESSION_MAX_AGE`` after login however active it is (the
cookie is re-issued on every request, so only the row's creation time can bound it).
One device holds one role: a card scanned on the instructor's iPad ends the admin session
(the iPad is now the group's), and an admin login ends the group session.
The secret key is persistent, so sessions survive a BFF restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, g, session
from sqlalchemy import delete
from sqlalchemy.orm import Session

from pictolab.settings import Settings

from .models import AdminSession, Group, Phase, Workshop, utcnow
from .tokens import parse_token, token_matches

_GROUP = "group"
_GROUP_VERSION = "gv"
_ADMIN = "admin"
_ADMIN_SESSION = "as"
_DEVICE = "dev"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _admin_fingerprint(settings: Settings) -> str:
    return hmac.new(settings.secret_key.encode(), b"admin:" + settings.admin_password.encode(),
                    hashlib.sha256).hexdigest()[:32]


def check_admin_password(settings: Settings, password: str) -> bool:
    # Compare digests so the comparison time says nothing about the password's length.
    given = hashlib.sha256(password.encode()).digest()
    expected = hashlib.sha256(settings.admin_password.encode()).digest()
    return bool(settings.admin_password) and hmac.compare_digest(given, expected)


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
    """A random id for this browser, kept in its session (also across login and logout):
    what failed-login limits count per device."""
    value = session.get(_DEVICE)
    if not isinstance(value, str):
        value = session[_DEVICE] = secrets.token_hex(8)
    return value


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


def login_admin(settings: Settings, db: Session, max_age: timedelta) -> None:
    _end_admin_session(db)  # a second login on this device replaces its session row
    # This device's group session ends: one role per device.
    session.pop(_GROUP, None)
    session.pop(_GROUP_VERSION, None)
    g.pop("_pictolab_group", None)
    session_id = secrets.token_urlsafe(24)
    # Sessions past their absolute age are dead anyway: drop them as we go.
    db.execute(delete(AdminSession).where(AdminSession.created_at < utcnow() - max_age))
    db.add(AdminSession(id_hash=_hash(session_id)))
    db.commit()
    session[_ADMIN] = _admin_fingerprint(settings)
    session[_ADMIN_SESSION] = session_id
    session.permanent = True
    g.pop("_pictolab_admin", None)


def logout(db: Session) -> None:
    _end_admin_session(db)
    device = session.get(_DEVICE)
    session.clear()
    if isinstance(device, str):
        session[_DEVICE] = device  # logging out does not reset the failed-login count
    g.pop("_pictolab_group", None)
    g.pop("_pictolab_admin", None)


def is_admin(settings: Settings, db: Session) -> bool:
    """Right password fingerprint and a session that was neither logged out nor older than
    ``ADMIN_SESSION_MAX_AGE`` (checked once per request)."""
    if "_pictolab_admin" not in g:
        fingerprint, session_id = session.get(_ADMIN), session.get(_ADMIN_SESSION)
        admin_session = None
        if (isinstance(fingerprint, str) and isinstance(session_id, str)
                and hmac.compare_digest(fingerprint, _admin_fingerprint(settings))):
            admin_session = db.get(AdminSession, _hash(session_id))
        max_age = current_app.config["ADMIN_SESSION_MAX_AGE"]
        g._pictolab_admin = admin_session is not None and admin_session.created_at > utcnow() - max_age
    return g._pictolab_admin


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
