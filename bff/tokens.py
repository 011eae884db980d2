"""Login tokens printed on the groups' QR cards.

token = base64url(group id (16 bytes) + HMAC-SHA256(k, "login:<group id>:<version>")[:16])

128 bits of MAC; nothing secret is stored (the database holds only the version), so a
reprint while the version is unchanged yields the same card, and revoking (bumping the
version) makes every printed card of the group stop working. ``k`` is derived from the
secret key so the session signer and the token MAC never share a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

_MAC_BYTES = 16
_ID_BYTES = 16


def _token_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"pictolab login-token key v1", hashlib.sha256).digest()


def _mac(secret_key: str, group_id: str, version: int) -> bytes:
    message = f"login:{group_id}:{version}".encode()
    return hmac.new(_token_key(secret_key), message, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(secret_key: str, group_id: str, version: int) -> str:
    raw = bytes.fromhex(group_id) + _mac(secret_key, group_id, version)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def parse_token(token: str) -> tuple[str, bytes] | None:
    """(group id, MAC) of a well-formed token, else None. Says nothing about validity."""
    if not isinstance(token, str) or len(token) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _ID_BYTES + _MAC_BYTES:
        return None
    return raw[:_ID_BYTES].hex(), raw[_ID_BYTES:]


def token_matches(secret_key: str, group_id: str, version: int, mac: bytes) -> bool:
    return hmac.compare_digest(_mac(secret_key, group_id, version), mac)


def login_url(public_url: str, token: str) -> str:
    """The URL a QR card opens. The token is the fragment: browsers never send it, so it
    reaches no request log (load balancer, gunicorn, the apps) and no Referer; the app reads
    it from ``location.hash``."""
    return f"{public_url.rstrip('/')}/join#{token}"
