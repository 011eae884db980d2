"""Forward ``/graphql``, ``/media/*`` and ``/m/*`` (exported models) to the BFF when
``settings.bff_url`` is set (under ``pictolab up``), so that the browser sees one origin as it
does behind the Ingress.

Bodies stream both ways (uploads are up to 20 MB, photos come back as bytes); cookies
pass through in both directions; the client's address is appended to X-Forwarded-For.
"""

from __future__ import annotations

import json
import logging

import urllib3
from flask import Flask, Response, current_app, request

from pictolab.contract.errors import ErrorCode, error_body

log = logging.getLogger(__name__)

# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never forwarded.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "trailers", "transfer-encoding", "upgrade", "proxy-connection",
})
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CHUNK = 64 * 1024


def _hop_by_hop(headers) -> set[str]:
    """The fixed hop-by-hop names plus every name the peer listed in its Connection header
    (RFC 9110 7.6.1): none of them may cross the proxy, in either direction."""
    listed = {name.strip().lower() for value in headers.getlist("Connection") for name in value.split(",")}
    return HOP_BY_HOP | listed


def _upstream_headers() -> dict[str, str]:
    drop = _hop_by_hop(request.headers) | {"host"}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in drop}
    client = request.remote_addr or ""
    previous = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{previous}, {client}" if previous else client
    headers["X-Forwarded-Proto"] = request.headers.get("X-Forwarded-Proto", request.scheme)
    headers["X-Forwarded-Host"] = request.headers.get("X-Forwarded-Host", request.host)
    return headers


def _unavailable(path: str) -> Response:
    if path.startswith("/graphql"):
        body = json.dumps(error_body(ErrorCode.UNAVAILABLE, "The BFF is not reachable"))
        return Response(body, status=502, mimetype="application/json")
    return Response("Bad Gateway\n", status=502, mimetype="text/plain")


def _too_large(path: str, limit: int) -> Response:
    """Refused here, before a byte is forwarded: the BFF would answer 413 and close the
    connection mid-upload, which a proxy can only report as a broken connection, and the
    app would retry a photo that can never fit."""
    message = f"The upload is larger than {limit // (1024 * 1024)} MB."
    if path.startswith("/graphql"):
        body = json.dumps(error_body(ErrorCode.PAYLOAD_TOO_LARGE, message))
        return Response(body, status=413, mimetype="application/json")
    return Response(message + "\n", status=413, mimetype="text/plain")


def _forward() -> Response:
    settings = current_app.config["SETTINGS"]
    if request.content_length is not None and request.content_length > settings.max_upload_bytes:
        return _too_large(request.path, settings.max_upload_bytes)
    pool: urllib3.PoolManager = current_app.extensions["pictolab_proxy_pool"]
    # Forward the path exactly as the browser sent it: re-encoding the decoded path would
    # turn "/media/..%2f..%2fhealthz" into "/healthz" and reach any BFF route.
    raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if ".." in raw_path.split("?", 1)[0] or "%2e" in raw_path.lower() or "%2f" in raw_path.lower():
        return Response("Not Found\n", status=404, mimetype="text/plain")
    url = settings.bff_url.rstrip("/") + request.full_path.rstrip("?") if request.query_string \
        else settings.bff_url.rstrip("/") + request.path
    headers = _upstream_headers()
    chunked_in = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    has_body = chunked_in or bool(request.content_length)
    body = iter(lambda: request.stream.read(CHUNK), b"") if has_body else None
    try:
        upstream = pool.urlopen(
            request.method, url, body=body, headers=headers, chunked=chunked_in and body is not None,
            redirect=False, retries=False, preload_content=False, decode_content=False,
            timeout=urllib3.Timeout(connect=current_app.config["PROXY_CONNECT_TIMEOUT"],
                                    read=current_app.config["PROXY_READ_TIMEOUT"]))
    except urllib3.exceptions.HTTPError as exc:
        log.warning("BFF unreachable at %s: %s", settings.bff_url, exc.__class__.__name__)
        return _unavailable(request.path)

    response = Response(upstream.stream(CHUNK, decode_content=False), status=upstream.status,
                        direct_passthrough=True)
    response.headers.clear()
    drop = _hop_by_hop(upstream.headers)
    for name, value in upstream.headers.iteritems():  # one entry per Set-Cookie
        if name.lower() not in drop:
            response.headers.add(name, value)
    response.proxied = True  # security.py: keep the BFF's own content policy
    response.call_on_close(upstream.release_conn)
    return response


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if not settings.bff_url:
        return
    app.extensions["pictolab_proxy_pool"] = urllib3.PoolManager(num_pools=4, maxsize=16, block=False)
    app.add_url_rule("/graphql", "proxy_graphql", _forward, methods=METHODS)
    app.add_url_rule("/media/<path:rest>", "proxy_media", lambda rest: _forward(), methods=METHODS)
    # A group's exported model (bff/exports.py): /m/<token>/ and its files, /m/_shared/.
    app.add_url_rule("/m/<path:rest>", "proxy_model_export", lambda rest: _forward(), methods=METHODS)
