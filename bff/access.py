"""The venue allow-list: requests from outside ``PICTOLAB_ALLOWED_CIDRS`` get a 403.

The client address is the entry ``PICTOLAB_TRUSTED_PROXY_HOPS`` places from the right of
``X-Forwarded-For`` + the socket peer: each trusted proxy appends the address it saw, so
only those entries are facts; anything further left was written by the client and is
ignored. With 0 hops the socket peer is the client, and so it is when the header has fewer
entries than the trusted hops: such a request skipped a proxy (it reached us directly), so
every entry it carries may be its own invention. The health endpoints are exempt so
Kubernetes probes (which come from the node, not the venue) keep working; they reveal
nothing but "up". A workshop's own networks (bff/networks.py) let its venue in besides, and
hold its groups to them.
"""

from __future__ import annotations

import logging

from flask import current_app, g, jsonify, request

from pictolab.contract.errors import ErrorCode

from . import networks
from .networks import parse_address

log = logging.getLogger(__name__)

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
# A group's exported model (bff/exports.py): taken home, so reachable from anywhere by its
# unguessable link; it holds weights and class names, never a photo.
EXEMPT_PREFIXES = ("/m/",)


def client_ip(remote_addr: str | None, forwarded_for: str | None, trusted_hops: int) -> str:
    peer = remote_addr or ""
    if trusted_hops <= 0:
        return peer
    entries = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    if len(entries) < trusted_hops:
        # Not every trusted proxy appended to this header, so none of it is a fact: judging
        # by its leftmost entry would let a direct request claim a venue address.
        return peer
    return entries[len(entries) - trusted_hops]


def is_allowed(ip: str, networks) -> bool:
    if not networks:
        return True
    address = parse_address(ip)
    return address is not None and any(address in network for network in networks)


def init_app(app) -> None:
    @app.before_request
    def _check_client_address():
        settings = current_app.config["SETTINGS"]
        g.client_ip = client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                settings.trusted_proxy_hops)
        if request.path in EXEMPT_PATHS or request.path.startswith(EXEMPT_PREFIXES):
            return None
        if not (is_allowed(g.client_ip, settings.allowed_cidrs) or _some_workshop_allows(g.client_ip)):
            return _forbidden("request from outside the allowed networks")
        # A group's requests (its uploads among them) come from its own workshop's networks,
        # when it has them (bff/networks.py); the card login is checked in the login mutation.
        if settings.allowed_cidrs or _workshops_have_networks():
            group = _current_group()
            if group is not None and not networks.workshop_allows(group.workshop, g.client_ip,
                                                                  settings.allowed_cidrs):
                return _forbidden("group request from outside its workshop's networks")
        return None


def _forbidden(reason: str):
    log.warning(reason, extra={"client_ip": g.client_ip})
    # Spelled in lower case: the runbook (docs/deploy.md, "403 at the venue") tells this body
    # from Cloud Armor's 403 page by {"error": "forbidden"}.
    response = jsonify(error=ErrorCode.FORBIDDEN.lower(),
                       message="PictoLab only answers inside the workshop's network.")
    response.status_code = 403
    return response


def _some_workshop_allows(ip: str) -> bool:
    from . import db

    return networks.any_workshop_allows(db.session(), ip)


def _workshops_have_networks() -> bool:
    from . import db

    return bool(networks._open.get(db.session()))


def _current_group():
    from . import auth, db

    return auth.current_group(db.session())
