"""The venue's networks per workshop (bff/networks.py): setAllowedNetworks and the instructor's
own network as a suggestion (myNetwork)."""

from __future__ import annotations

import graphene

from .. import networks
from .types import Workshop


class NetworkQuery:
    my_network = graphene.String(description=(
        "Admin: the network this device is on, as the venue's (its /24, or /64 for IPv6): what the "
        "workshop page suggests for setAllowedNetworks"))

    def resolve_my_network(root, info):
        ctx = info.context
        ctx.require_admin()
        return networks.suggested_network(ctx.client_ip)


class NetworkMutation:
    set_allowed_networks = graphene.Field(
        Workshop, workshop_id=graphene.ID(required=True),
        cidrs=graphene.List(graphene.NonNull(graphene.String), required=True),
        description=("Admin: the venue's networks for this workshop (CIDR, e.g. 203.0.113.0/24): its group "
                     "logins and requests must come from them, at once. Empty: the global default."))

    def resolve_set_allowed_networks(root, info, workshop_id, cidrs):
        ctx = info.context
        workshop = ctx.workshop_for_admin(workshop_id)
        networks.set_allowed_networks(ctx.db, workshop, cidrs, actor=ctx.admin_actor)
        ctx.db.commit()
        return workshop
