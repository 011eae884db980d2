"""Instructor accounts: invitations, the org admins' instructors list and unlock, one's own
password and sessions."""

from __future__ import annotations

import graphene
from sqlalchemy import select

from pictolab.contract.errors import FailedPrecondition, NotFound, RateLimited, Unauthenticated

from .. import audit, auth, instructors
from ..models import Instructor as InstructorModel
from ..ratelimit import AdminLoginLimit


class Instructor(graphene.ObjectType):
    id = graphene.ID(required=True)
    email = graphene.String(required=True, description='The sign-in email ("admin": the first org admin)')
    is_org_admin = graphene.Boolean(required=True)
    locked = graphene.Boolean(required=True, description="Too many wrong passwords: signing in is refused")
    has_password = graphene.Boolean(required=True, description="False for the first org admin "
                                                               "(PICTOLAB_ADMIN_PASSWORD is its password)")
    created_at = graphene.DateTime(required=True)

    def resolve_locked(instructor, info):
        return instructors.is_locked(instructor)

    def resolve_has_password(instructor, info):
        return not instructor.uses_admin_password


class AdminSessionInfo(graphene.ObjectType):
    """One of the signed-in instructor's own sessions (devices)."""

    id = graphene.ID(required=True)
    created_at = graphene.DateTime(required=True)
    user_agent = graphene.String()
    current = graphene.Boolean(required=True, description="The session of this very device")


class InstructorQuery:
    current_instructor = graphene.Field(Instructor, description="The signed-in instructor, or null")
    instructors = graphene.List(graphene.NonNull(Instructor), required=True,
                                description="Org admin: every instructor account")
    admin_sessions = graphene.List(graphene.NonNull(AdminSessionInfo), required=True,
                                   description="Admin: your own sessions, newest first")

    def resolve_current_instructor(root, info):
        return info.context.instructor

    def resolve_instructors(root, info):
        ctx = info.context
        ctx.require_org_admin()
        return list(ctx.db.scalars(select(InstructorModel).order_by(InstructorModel.created_at,
                                                                    InstructorModel.email)))

    def resolve_admin_sessions(root, info):
        ctx = info.context
        instructor = ctx.require_admin()
        current = auth.current_session_hash()
        return [AdminSessionInfo(id=auth.session_public_id(s), created_at=s.created_at, user_agent=s.user_agent,
                                 current=s.id_hash == current)
                for s in auth.instructor_sessions(ctx.db, instructor, ctx.config["ADMIN_SESSION_MAX_AGE"])]


class InstructorMutation:
    invite_instructor = graphene.String(
        required=True, email=graphene.String(required=True), org_admin=graphene.Boolean(default_value=False),
        description="Org admin: a one-time URL (valid 72 h) where the invitee sets a password")
    accept_invite = graphene.Boolean(
        token=graphene.String(required=True), password=graphene.String(required=True),
        description="Set the password an invitation (or reset) link is for; then sign in with adminLogin")
    unlock_instructor = graphene.Field(Instructor, email=graphene.String(required=True),
                                       description="Org admin: let a locked account sign in again")
    reset_instructor_password = graphene.String(
        required=True, email=graphene.String(required=True),
        description="Org admin: a one-time URL (valid 72 h) where the instructor sets a new password "
                    "(the old one works until then); also unlocks the account")
    change_password = graphene.Boolean(
        current_password=graphene.String(required=True), new_password=graphene.String(required=True),
        description="Admin: a new password for your account; every other session of it ends")
    end_admin_session = graphene.Boolean(id=graphene.ID(required=True),
                                         description="Admin: end one of your sessions (from adminSessions)")

    def resolve_invite_instructor(root, info, email, org_admin=False):
        ctx = info.context
        ctx.require_org_admin()
        token = instructors.invite(ctx.db, email, actor=ctx.admin_actor, is_org_admin=bool(org_admin))
        ctx.db.commit()
        return instructors.invitation_url(ctx.settings.public_url, token)

    def resolve_accept_invite(root, info, token, password):
        ctx = info.context
        instructors.accept(ctx.db, token, password)
        ctx.db.commit()
        return True

    def resolve_unlock_instructor(root, info, email):
        ctx = info.context
        ctx.require_org_admin()
        instructor = instructors.by_email(ctx.db, email)
        if instructor is None:
            raise NotFound("No instructor has this email.")
        instructors.unlock(ctx.db, instructor, actor=ctx.admin_actor)
        ctx.db.commit()
        return instructor

    def resolve_reset_instructor_password(root, info, email):
        ctx = info.context
        ctx.require_org_admin()
        instructor = instructors.by_email(ctx.db, email)
        if instructor is None or instructor.uses_admin_password:
            raise NotFound("No instructor with a password of its own has this email.")
        instructors.unlock(ctx.db, instructor, actor=ctx.admin_actor)
        token = instructors.invite(ctx.db, instructor.email, actor=ctx.admin_actor, kind="reset")
        ctx.db.commit()
        return instructors.invitation_url(ctx.settings.public_url, token)

    def resolve_change_password(root, info, current_password, new_password):
        ctx = info.context
        instructor = ctx.require_admin()
        if instructor.uses_admin_password:
            raise FailedPrecondition("This account's password is PICTOLAB_ADMIN_PASSWORD: change it there.")
        failures = AdminLoginLimit(auth.known_device_id(), auth.device_id(), ctx.client_ip)
        if failures.blocked():
            raise RateLimited("Too many wrong passwords; wait a minute.")
        if not auth.check_password(ctx.settings, instructor, current_password):
            failures.record()
            raise Unauthenticated("The current password is wrong.")
        keep = auth.current_session_hash()
        instructors.set_password(ctx.db, instructor, new_password, keep_session=keep)
        audit.record(ctx.db, instructors.instructor_actor(instructor), "instructor.change_password",
                     target_id=instructor.id)
        ctx.db.commit()
        # This device stays signed in: its cookie gets the new password's fingerprint.
        auth.refresh_admin_fingerprint(ctx.settings, instructor)
        return True

    def resolve_end_admin_session(root, info, id):
        ctx = info.context
        instructor = ctx.require_admin()
        for admin_session in auth.instructor_sessions(ctx.db, instructor, ctx.config["ADMIN_SESSION_MAX_AGE"]):
            if auth.session_public_id(admin_session) == id:
                ctx.db.delete(admin_session)
                audit.record(ctx.db, instructors.instructor_actor(instructor), "admin.end_session",
                             target_id=instructor.id)
                ctx.db.commit()
                return True
        raise NotFound("Unknown session.")
