"""login / logout / me and the instructors' adminLogin, revokeGroupToken."""

from __future__ import annotations

import logging

import graphene

from pictolab.graphql import ApiError

from .. import audit, auth
from ..models import Group as GroupModel
from ..ratelimit import FailureLimit
from ..workshops import revoke_group_token
from .types import Group

log = logging.getLogger(__name__)


class AuthQuery:
    me = graphene.Field(Group, description="The logged-in group, or null")
    is_admin = graphene.Boolean(required=True, description="Whether this session is an instructor's")

    def resolve_me(root, info):
        return info.context.group

    def resolve_is_admin(root, info):
        return info.context.is_admin


class AuthMutation:
    login = graphene.Field(Group, token=graphene.String(required=True),
                           description="Log this device in as the group of a QR card's token")
    logout = graphene.Boolean(description="End this device's session (group and admin)")
    admin_login = graphene.Boolean(password=graphene.String(required=True))
    revoke_group_token = graphene.Field(
        Group, group_id=graphene.ID(required=True), disable=graphene.Boolean(default_value=False),
        description="Admin: the group's printed cards and sessions stop working; reprint its new card")

    def resolve_login(root, info, token):
        ctx = info.context
        failures = FailureLimit("login", auth.device_id(), ctx.client_ip)
        # The failing device waits, whatever it sends now (see bff/ratelimit.py) ...
        if failures.device_blocked():
            raise ApiError("Too many wrong cards; wait a minute.", code="RATE_LIMITED")
        group = auth.group_for_token(ctx.db, ctx.settings, token)
        if group is None:
            # ... but a busy venue address never keeps a real card out: it only refuses wrong ones.
            address_blocked = failures.address_blocked()
            failures.record()
            log.info("login refused", extra={"client_ip": ctx.client_ip})
            if address_blocked:
                raise ApiError("Too many wrong cards; wait a minute.", code="RATE_LIMITED")
            raise ApiError("This login card is not valid.", code="UNAUTHENTICATED")
        if not auth.can_log_in(group.workshop):
            raise ApiError("This workshop is closed.", code="FAILED_PRECONDITION")
        auth.login_group(ctx.db, group)
        audit.record(ctx.db, audit.group_actor(group.id), "group.login", workshop_id=group.workshop_id,
                     target_id=group.id)
        ctx.db.commit()
        return group

    def resolve_logout(root, info):
        auth.logout(info.context.db)
        return True

    def resolve_admin_login(root, info, password):
        ctx = info.context
        failures = FailureLimit("admin_login", auth.device_id(), ctx.client_ip)
        if failures.blocked():
            raise ApiError("Too many wrong passwords; wait a minute.", code="RATE_LIMITED")
        if not auth.check_admin_password(ctx.settings, password):
            failures.record()
            audit.record(ctx.db, "anonymous", "admin.login_failed", details={"clientIp": ctx.client_ip})
            ctx.db.commit()
            raise ApiError("Wrong password.", code="UNAUTHENTICATED")
        auth.login_admin(ctx.settings, ctx.db, ctx.config["ADMIN_SESSION_MAX_AGE"])
        audit.record(ctx.db, "admin", "admin.login", details={"clientIp": ctx.client_ip})
        ctx.db.commit()
        return True

    def resolve_revoke_group_token(root, info, group_id, disable=False):
        ctx = info.context
        ctx.require_admin()
        group = ctx.db.get(GroupModel, group_id) if isinstance(group_id, str) else None
        if group is None:
            raise ApiError("Unknown group.", code="NOT_FOUND")
        revoke_group_token(ctx.db, group, actor="admin", disable=disable)
        ctx.db.commit()
        return group
