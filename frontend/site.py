"""The built SPA: files from dist/, index.html for the app's client routes, a real 404
for everything else, and a clear 503 page when the app has not been built."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, send_file
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

# Must match the routes of frontend/src/lib/router.tsx.
SPA_ROUTES = tuple(re.compile(p) for p in (
    r"^/$",
    r"^/join(?:/([^/]+))?/?$",  # /join#<token>; /join/<token> from cards printed before
    r"^/class/[^/]+/?$",
    r"^/train/?$",
    r"^/try/?$",
    r"^/ranking/?$",
    r"^/admin/?$",
    r"^/admin/workshops/[^/]+/?$",
    r"^/admin/workshops/[^/]+/cards/?$",
    r"^/admin/workshops/[^/]+/scoreboard/?$",
    r"^/admin/workshops/[^/]+/projector/?$",
    r"^/admin/groups/[^/]+/?$",
    r"^/admin/instructors/?$",
    r"^/admin/account/?$",
    r"^/admin/accept/?$",  # /admin/accept#<token>: an instructor's invitation link
))

# Vite names every file under assets/ by its content hash: it never changes under a name.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PictoLab: frontend not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>The PictoLab app is not built yet</h1>
<p>This server has no <code>frontend/dist/index.html</code>. Build it once with</p>
<pre>make frontend</pre>
<p>or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code> (Node.js 20+), then reload this page.</p>
<p>アプリが まだ ビルドされていません。<code>make frontend</code> を じっこうしてください。</p>
</body></html>
"""


def dist_dir(app: Flask) -> Path:
    return app.config["DIST_DIR"]


def index_path(app: Flask) -> Path:
    return dist_dir(app) / "index.html"


def is_spa_route(path: str) -> bool:
    return any(pattern.match(path) for pattern in SPA_ROUTES)


def _send_index() -> Response:
    index = index_path(current_app)
    if not index.is_file():
        response = Response(NOT_BUILT_PAGE, status=503, mimetype="text/html")
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response
    response = send_file(index, mimetype="text/html", conditional=True, etag=True, max_age=None)
    response.headers["Cache-Control"] = REVALIDATE
    return response


def _accepts_gzip() -> bool:
    return any(coding.strip().split(";")[0] == "gzip"
               for coding in request.headers.get("Accept-Encoding", "").split(","))


def _send_built_file(relative: str) -> Response | None:
    root = dist_dir(current_app)
    joined = safe_join(str(root), relative)
    if joined is None or relative.endswith("/"):
        return None
    path = Path(joined)
    if not path.is_file() or path.name == "index.html" or path.suffix == ".gz":
        return None
    # The build writes a .gz beside each text asset (vite.config.ts): send it when accepted.
    compressed = path.with_name(path.name + ".gz")
    if compressed.is_file() and _accepts_gzip():
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        response = send_file(compressed, mimetype=mimetype, conditional=True, etag=True, max_age=None)
        response.headers["Content-Encoding"] = "gzip"  # (its ETag is the .gz file's own)
    else:
        response = send_file(path, conditional=True, etag=True, max_age=None)
    response.vary.add("Accept-Encoding")
    hashed = relative.startswith("assets/")
    response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
    return response


def init_app(app: Flask) -> None:
    @app.route("/", methods=["GET", "HEAD"])
    def index():
        return _send_index()

    @app.route("/<path:relative>", methods=["GET", "HEAD"])
    def built_file_or_route(relative: str):
        if is_spa_route(request.path):
            return _send_index()
        response = _send_built_file(relative)
        if response is None:
            abort(404)
        return response

    @app.errorhandler(NotFound)
    def not_found(error):
        # A real 404, short and uncached: a missing asset must not turn into the app's HTML.
        response = Response("Not Found\n", status=404, mimetype="text/plain")
        response.headers["Cache-Control"] = "no-store"
        return response
