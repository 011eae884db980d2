"""The venue allow-list: requests from outside ``PICTOLAB_ALLOWED_CIDRS`` get a 403.

The client address is the entry ``PICTOLAB_TRUSTED_PROXY_HOPS`` places from the right of
``X-Forwarded-For`` + the socket peer: each trusted proxy appends the address it saw, so
only those entries are facts; anything further left was written by the client and is
ignored. With 0 hops the socket peer is the client, and so it is when the header has fewer
entries than the trusted hops: such a request skipped a proxy (it reached us directly), so
every entry it carries may be its own invention. The health endpoints are exempt so
Kubernetes probes (which come from the node, not the venue) keep working; they reveal
nothing but "up".
"""

from __future__ import annotations

import ipaddress
import logging

from flask import current_app, g, jsonify, request

log = logging.getLogger(__name__)

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})


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
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def init_app(app) -> None:
    @app.before_request
    def _check_client_address():
        settings = current_app.config["SETTINGS"]
        g.client_ip = client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"),
                                settings.trusted_proxy_hops)
        if request.path in EXEMPT_PATHS or is_allowed(g.client_ip, settings.allowed_cidrs):
            return None
        log.warning("request from outside the allowed networks", extra={"client_ip": g.client_ip})
        response = jsonify(error="forbidden", message="PictoLab only answers inside the workshop's network.")
        response.status_code = 403
        return response
