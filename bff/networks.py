"""The venue's networks, per workshop.

``PICTOLAB_ALLOWED_CIDRS`` (bff/access.py) is the global default: the laptop's, or the usual
venue. An instructor may give a workshop its own networks (``setAllowedNetworks``) on the
admin page; they replace the default for that workshop, at once and without a restart:

- the outer gate (access.py) lets a request in when the global list or any open workshop's
  own networks contain its address (read from the database, at most a second old);
- a group's requests, its uploads among them, and its login with its card must then come from
  its own workshop's networks (or the global list when the workshop has none).

Cloud Armor stays the coarse edge rule in front of both (every venue of the season). The
client address is access.py's, behind the trusted proxy hops (PICTOLAB_TRUSTED_PROXY_HOPS).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pictolab.contract.errors import DomainError, ErrorCode

from . import audit
from .models import Workshop

#: More would be a typo or a paste of something else; a venue has a handful.
MAX_NETWORKS = 32
#: How long the outer gate may use its view of every workshop's networks (seconds).
CACHE_SECONDS = 1.0

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BadNetwork(DomainError):
    default_code = ErrorCode.BAD_USER_INPUT


class OutsideNetwork(DomainError):
    default_code = ErrorCode.FORBIDDEN


def parse_networks(cidrs: Iterable[str]) -> list[str]:
    """Canonical CIDR strings (a bare address is its /32 or /128; host bits are cleared),
    without duplicates, in the order given. BadNetwork for anything else."""
    result: list[str] = []
    cidrs = list(cidrs)
    if len(cidrs) > MAX_NETWORKS:
        raise BadNetwork(f"At most {MAX_NETWORKS} networks.", limit=MAX_NETWORKS)
    for raw in cidrs:
        text = (raw or "").strip()
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise BadNetwork(f"Not a network: {raw!r} (write e.g. 203.0.113.0/24).", value=raw) from None
        if network.prefixlen == 0:
            raise BadNetwork("A /0 network would let everyone in: name the venue's networks.", value=raw)
        if str(network) not in result:
            result.append(str(network))
    return result


def own_networks(workshop: Workshop) -> list[IPNetwork]:
    return [ipaddress.ip_network(c) for c in (workshop.allowed_networks or [])]


def parse_address(ip: str):
    """The client's address (IPv4-mapped IPv6 as IPv4, a zone id dropped), or None if it is not one."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address


def contains(networks: Iterable[IPNetwork], ip: str) -> bool:
    address = parse_address(ip)
    return address is not None and any(address in network for network in networks)


def workshop_allows(workshop: Workshop, ip: str, global_networks) -> bool:
    """The workshop's own networks, or the global list (empty: everyone) when it has none."""
    own = own_networks(workshop)
    if own:
        return contains(own, ip)
    return not global_networks or contains(global_networks, ip)


def require_network(workshop: Workshop, ip: str, global_networks) -> None:
    if not workshop_allows(workshop, ip, global_networks):
        raise OutsideNetwork("This workshop only answers inside its venue's network.")


def set_allowed_networks(db: Session, workshop: Workshop, cidrs: Iterable[str], *, actor: str) -> Workshop:
    networks = parse_networks(cidrs)
    workshop.allowed_networks = networks or None
    audit.record(db, actor, "workshop.networks", workshop_id=workshop.id, details={"networks": networks})
    invalidate()
    return workshop


def suggested_network(ip: str) -> str | None:
    """The instructor's current network as the venue's: the address's /24 (IPv4) or /64 (IPv6)."""
    address = parse_address(ip)
    if address is None:
        return None
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


class _OpenNetworks:
    """Every open workshop's own networks, read at most once a CACHE_SECONDS per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._at = -1e9
        self._networks: list[IPNetwork] = []

    def get(self, db: Session) -> list[IPNetwork]:
        now = time.monotonic()
        with self._lock:
            if now - self._at < CACHE_SECONDS:
                return self._networks
        rows = db.scalars(select(Workshop.allowed_networks).where(
            Workshop.purged_at.is_(None), Workshop.allowed_networks.is_not(None))).all()
        networks = [ipaddress.ip_network(c) for row in rows for c in (row or [])]
        with self._lock:
            self._networks, self._at = networks, now
        return networks

    def invalidate(self) -> None:
        with self._lock:
            self._at = -1e9


_open = _OpenNetworks()


def any_workshop_allows(db: Session, ip: str) -> bool:
    return contains(_open.get(db), ip)


def invalidate() -> None:
    """This process sees a change at once; other processes within CACHE_SECONDS."""
    _open.invalidate()
