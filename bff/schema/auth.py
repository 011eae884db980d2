"""login / logout / me and the instructors' adminLogin, revokeGroupToken."""

from __future__ import annotations

import logging

import graphene

from pictolab.contract.errors import FailedPrecondition, RateLimited, Unauthenticated

from .. import audit, auth, instructors, networks
from ..ratelimit import AdminLoginLimit, FailureLimit
from ..workshops import revoke_group_token
from .types import Group

log = logging.getLogger(__name__)


class AuthQuery:
    me = graphene.Field(Group, description="The logged-in group, or null")
    is_admin = graphene.Boolean(required=True, description="Whether this session is an instructor's")

    def resolve_me(root, info):
        return info.context.group

    def resolve_is_admin(root, info):
        # The admin screens ask this first: the answer issues this browser's device id, so
        # its sign-in counts as a device's (see bff/ratelimit.py).
        auth.device_id()
        return info.context.is_admin


class AuthMutation:
    login = graphene.Field(Group, token=graphene.String(required=True),
                           description="Log this device in as the group of a QR card's token")
    logout = graphene.Boolean(description="End this device's session (group and admin)")
    admin_login = graphene.Boolean(
        password=graphene.String(required=True), email=graphene.String(),
        description="An instructor signs in (no email: the first org admin, PICTOLAB_ADMIN_PASSWORD)")
    revoke_group_token = graphene.Field(
        Group, group_id=graphene.ID(required=True), disable=graphene.Boolean(default_value=False),
        description="Admin: the group's printed cards and sessions stop working; reprint its new card")

    def resolve_login(root, info, token):
        ctx = info.context
        failures = FailureLimit("login", auth.device_id(), ctx.client_ip)
        # The failing device waits, whatever it sends now (see bff/ratelimit.py) ...
        if failures.device_blocked():
            raise RateLimited("Too many wrong cards; wait a minute.")
        group = auth.group_for_token(ctx.db, ctx.settings, token)
        if group is None:
            # ... but a busy venue address never keeps a real card out: it only refuses wrong ones.
            address_blocked = failures.address_blocked()
            failures.record()
            log.info("login refused", extra={"client_ip": ctx.client_ip})
            if address_blocked:
                raise RateLimited("Too many wrong cards; wait a minute.")
            raise Unauthenticated("This login card is not valid.")
        if not auth.can_log_in(group.workshop):
            raise FailedPrecondition("This workshop is closed.")
        # The card works only inside its workshop's venue networks (bff/networks.py).
        networks.require_network(group.workshop, ctx.client_ip, ctx.settings.allowed_cidrs)
        auth.login_group(ctx.db, group)
        audit.record(ctx.db, audit.group_actor(group.id), "group.login", workshop_id=group.workshop_id,
                     target_id=group.id)
        ctx.db.commit()
        return group

    def resolve_logout(root, info):
        auth.logout(info.context.db)
        return True

    def resolve_admin_login(root, info, password, email=None):
        ctx = info.context
        known_device = auth.known_device_id()
        failures = AdminLoginLimit(known_device, auth.device_id(), ctx.client_ip)
        if failures.blocked():
            raise RateLimited("Too many wrong passwords; wait a minute.")
        # No email: the first org admin, whose password is PICTOLAB_ADMIN_PASSWORD (the laptop flow).
        email = email.strip() if isinstance(email, str) and email.strip() else None
        instructor = instructors.first_admin(ctx.db) if email is None else instructors.by_email(ctx.db, email)
        # A locked account stays open to the devices it signed in on before: guessers cannot
        # lock the instructor out of their own laptop.
        if instructor is not None and instructors.is_locked(instructor) and \
                not (known_device is not None and auth.signed_in_here_before(instructor)):
            ctx.db.commit()
            raise RateLimited("This account is locked after too many wrong passwords. An org admin can unlock it.",
                              locked=True)
        if not isinstance(password, str) or len(password) > 1024 or \
                not auth.check_password(ctx.settings, instructor, password):
            failures.record()
            if instructor is not None:
                instructors.record_failure(ctx.db, instructor, max_failures=ctx.config["ADMIN_ACCOUNT_MAX_FAILURES"],
                                           lock_for=ctx.config["ADMIN_ACCOUNT_LOCK"])
            audit.record(ctx.db, "anonymous", "admin.login_failed",
                         target_id=instructor.id if instructor is not None else None,
                         details={"clientIp": ctx.client_ip})
            ctx.db.commit()
            raise Unauthenticated("Wrong email or password." if email is not None else "Wrong password.")
        if not instructors.is_locked(instructor):  # signing in on one's own laptop unlocks nothing
            instructors.record_success(instructor)
        auth.login_admin(ctx.settings, ctx.db, ctx.config["ADMIN_SESSION_MAX_AGE"], instructor)
        audit.record(ctx.db, instructors.instructor_actor(instructor), "admin.login",
                     details={"clientIp": ctx.client_ip})
        ctx.db.commit()
        return True

    def resolve_revoke_group_token(root, info, group_id, disable=False):
        ctx = info.context
        group = ctx.group_for_admin(group_id)
        revoke_group_token(ctx.db, group, actor=ctx.admin_actor, disable=disable)
        ctx.db.commit()
        return group
