"""Instructor accounts: passwords (argon2), invitations and resets, locks, workshop owners.

The first org admin is the account behind PICTOLAB_ADMIN_PASSWORD: email "admin", no stored
hash (the setting is its password, so `pictolab up` keeps printing the one password that
opens it, and changing the setting changes it). Migration 0011 creates it and gives it every
workshop that existed before; :func:`first_admin` creates it on a database that lacks it.
Every other instructor is invited by an org admin (or `pictolab instructor invite`), gets a
one-time link valid for ``INVITATION_LIFETIME`` and sets a password there.

Which workshops an instructor may touch is decided here (:func:`may_manage`,
:func:`visible_workshops`); the GraphQL layer's one helper, ``admin_workshop`` in
bff/schema/context.py, answers NOT_FOUND for the rest, exactly as for a missing workshop.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pictolab.contract.errors import BadInput, Conflict, FailedPrecondition, NotFound

from . import audit
from .models import AdminSession, Instructor, InstructorInvitation, Workshop, WorkshopOwner, utcnow

FIRST_ADMIN_EMAIL = "admin"
INVITATION_LIFETIME = timedelta(hours=72)
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 200
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{1,63}$")

_hasher = PasswordHasher()  # argon2id, RFC 9106's low-memory profile
# Verified against when the email is unknown, so the answer takes as long as for a real one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def instructor_actor(instructor: Instructor) -> str:
    """The audit log's actor for what this instructor did."""
    return f"instructor:{instructor.id}"


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def check_email(email: str) -> str:
    email = normalize_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise BadInput("That is not an email address.")
    return email


def check_new_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise BadInput(f"A password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters.",
                       minLength=MIN_PASSWORD_CHARS)
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_hash(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def first_admin(db: Session) -> Instructor:
    """The first org admin (created here when the database has none yet)."""
    found = db.scalars(select(Instructor).where(Instructor.uses_admin_password.is_(True))).first()
    if found is not None:
        return found
    instructor = Instructor(email=FIRST_ADMIN_EMAIL, is_org_admin=True, uses_admin_password=True)
    try:
        with db.begin_nested():
            db.add(instructor)
    except IntegrityError:  # another request made it at the same moment
        return db.scalars(select(Instructor).where(Instructor.uses_admin_password.is_(True))).one()
    return instructor


def by_email(db: Session, email: str | None) -> Instructor | None:
    email = normalize_email(email)
    if not email:
        return None
    if email == FIRST_ADMIN_EMAIL:
        return first_admin(db)
    return db.scalars(select(Instructor).where(Instructor.email == email)).first()


def is_locked(instructor: Instructor) -> bool:
    return instructor.locked_until is not None and instructor.locked_until > utcnow()


def record_failure(db: Session, instructor: Instructor, *, max_failures: int, lock_for: timedelta) -> bool:
    """Count a wrong password; True when this one locked the account."""
    instructor.failed_logins = (instructor.failed_logins or 0) + 1
    if instructor.failed_logins >= max_failures and not is_locked(instructor):
        instructor.locked_until = utcnow() + lock_for
        audit.record(db, "system", "instructor.locked", target_id=instructor.id,
                     details={"failedLogins": instructor.failed_logins})
        return True
    return False


def record_success(instructor: Instructor) -> None:
    instructor.failed_logins = 0
    instructor.locked_until = None


def unlock(db: Session, instructor: Instructor, *, actor: str) -> Instructor:
    was_locked = is_locked(instructor)
    record_success(instructor)
    audit.record(db, actor, "instructor.unlock", target_id=instructor.id, details={"wasLocked": was_locked})
    return instructor


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(public_url: str, token: str) -> str:
    # In the fragment, like the children's cards: it never reaches a server log.
    return f"{public_url.rstrip('/')}/admin/accept#{token}"


def invite(db: Session, email: str, *, actor: str, is_org_admin: bool = False,
           kind: str = "invite", now: datetime | None = None) -> str:
    """A one-time token to set the password of ``email``'s account (made when accepted)."""
    email = check_email(email) if kind == "invite" else normalize_email(email)
    existing = by_email(db, email)
    if kind == "invite" and existing is not None:
        raise Conflict("This email already has an instructor account.")
    if kind == "reset" and (existing is None or existing.uses_admin_password):
        raise NotFound("No instructor with a password of its own has this email.")
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    # A new link replaces the ones sent before: only the latest works.
    db.execute(update(InstructorInvitation).where(InstructorInvitation.email == email,
                                                  InstructorInvitation.used_at.is_(None),
                                                  InstructorInvitation.expires_at > now)
               .values(expires_at=now).execution_options(synchronize_session=False))
    db.add(InstructorInvitation(id_hash=_token_hash(token), email=email, kind=kind, is_org_admin=is_org_admin,
                                created_by=actor, created_at=now, expires_at=now + INVITATION_LIFETIME))
    audit.record(db, actor, f"instructor.{kind}", target_id=existing.id if existing else None,
                 details={"email": email, "orgAdmin": is_org_admin})
    return token


def accept(db: Session, token: str, password: str) -> Instructor:
    """Set the password an invitation or reset link is for; each link works once, and
    only within its lifetime (used, expired and unknown links look the same)."""
    invitation = db.get(InstructorInvitation, _token_hash(token)) if isinstance(token, str) and token else None
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        raise NotFound("This link is not valid any more. Ask an org admin for a new one.")
    check_new_password(password)
    instructor = by_email(db, invitation.email)
    if invitation.kind == "invite":
        if instructor is not None:
            raise Conflict("This email already has an instructor account.")
        instructor = Instructor(email=invitation.email, is_org_admin=invitation.is_org_admin)
        db.add(instructor)
    elif instructor is None or instructor.uses_admin_password:
        raise NotFound("This link is not valid any more. Ask an org admin for a new one.")
    set_password(db, instructor, password)
    record_success(instructor)
    invitation.used_at = utcnow()
    db.flush()
    audit.record(db, instructor_actor(instructor), f"instructor.{invitation.kind}_accepted",
                 target_id=instructor.id)
    return instructor


def set_password(db: Session, instructor: Instructor, password: str, *, keep_session: str | None = None) -> None:
    """Store a new password; every session of the account ends but ``keep_session`` (an
    ``admin_sessions.id_hash``), so a stolen session dies with the old password."""
    if instructor.uses_admin_password:
        raise FailedPrecondition("This account's password is PICTOLAB_ADMIN_PASSWORD: change it there.")
    instructor.password_hash = hash_password(check_new_password(password))
    instructor.password_changed_at = utcnow()
    if instructor.id is not None:
        query = delete(AdminSession).where(AdminSession.instructor_id == instructor.id)
        if keep_session is not None:
            query = query.where(AdminSession.id_hash != keep_session)
        db.execute(query.execution_options(synchronize_session=False))


# -- workshop owners ---------------------------------------------------------------------


def may_manage(db: Session, instructor: Instructor | None, workshop_id: str | None) -> bool:
    """Whether ``instructor`` may see and run this workshop: an owner, or any org admin."""
    if instructor is None or not isinstance(workshop_id, str):
        return False
    if instructor.is_org_admin:
        return True
    return db.get(WorkshopOwner, (workshop_id, instructor.id)) is not None


def visible_workshops(query: Select, instructor: Instructor) -> Select:
    """``query`` (over Workshop) narrowed to the workshops ``instructor`` may see."""
    if instructor.is_org_admin:
        return query
    return query.where(exists().where(WorkshopOwner.workshop_id == Workshop.id,
                                      WorkshopOwner.instructor_id == instructor.id))


def newest_open_workshop(db: Session, instructor: Instructor) -> Workshop | None:
    """What an instructor sees when no workshop is named: their newest one not purged."""
    query = select(Workshop).where(Workshop.purged_at.is_(None)).order_by(Workshop.created_at.desc()).limit(1)
    return db.scalars(visible_workshops(query, instructor)).first()


def add_owner(db: Session, workshop: Workshop, instructor: Instructor, *, actor: str) -> None:
    if db.get(WorkshopOwner, (workshop.id, instructor.id)) is None:
        db.add(WorkshopOwner(workshop_id=workshop.id, instructor_id=instructor.id))
        audit.record(db, actor, "workshop.add_owner", workshop_id=workshop.id, target_id=instructor.id)
        db.flush()


def owner_emails(db: Session, workshop_id: str) -> list[str]:
    return list(db.scalars(select(Instructor.email).join(WorkshopOwner, WorkshopOwner.instructor_id == Instructor.id)
                           .where(WorkshopOwner.workshop_id == workshop_id).order_by(WorkshopOwner.created_at,
                                                                                      Instructor.email)))
