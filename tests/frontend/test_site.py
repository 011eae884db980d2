"""The frontend server: built files, SPA routes, real 404s, caching, security headers, 503."""

from __future__ import annotations

import re

import pytest

from frontend.site import SPA_ROUTES
from tests.helpers import assert_readiness_shape

SPA_PATHS = ["/", "/join", "/join/Abc_123-xyz", "/class/3", "/class/0123456789abcdef0123456789abcdef", "/train",
             "/try", "/ranking", "/admin", "/admin/workshops/w1", "/admin/workshops/w1/cards",
             "/admin/workshops/w1/scoreboard", "/admin/workshops/w1/projector", "/admin/groups/g1", "/train/"]
NOT_FOUND_PATHS = ["/nope.js", "/assets/missing.css", "/assets/", "/class/3/extra", "/classes", "/join/a/b",
                   "/admin/workshops", "/admin/unknown", "/index.html", "/assets/../index.html",
                   "/assets/..%2F..%2Fetc%2Fpasswd", "/graphql", "/media/photos/1"]


@pytest.fixture
def client(make_app, fake_dist):
    return make_app(DIST_DIR=fake_dist).test_client()


@pytest.mark.parametrize("path", SPA_PATHS)
def test_app_routes_serve_index_uncached(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b'<div id="root">' in response.data
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", NOT_FOUND_PATHS)
def test_everything_else_is_a_real_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b'<div id="root">' not in response.data
    assert response.headers["Cache-Control"] == "no-store"


def test_hashed_assets_are_immutable(client):
    js = client.get("/assets/index-AbC123xy.js")
    assert js.status_code == 200
    assert js.data == b"console.log('pictolab');\n"
    assert js.mimetype in ("text/javascript", "application/javascript")
    assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    css = client.get("/assets/index-Zz9Yy8Xx.css")
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]


def test_precompressed_assets_for_browsers_that_accept_gzip(client):
    import gzip

    zipped = client.get("/assets/index-AbC123xy.js", headers={"Accept-Encoding": "br, gzip;q=0.9"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == b"console.log('pictolab');\n"
    assert zipped.mimetype == "text/javascript"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/assets/index-AbC123xy.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data == b"console.log('pictolab');\n"
    assert plain.headers["ETag"] != zipped.headers["ETag"]
    assert client.get("/assets/index-AbC123xy.js.gz").status_code == 404


def test_unhashed_files_revalidate_and_support_conditional_get(client):
    first = client.get("/favicon.svg")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = client.get("/favicon.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/", "/class/3", "/assets/index-AbC123xy.js", "/nope.js", "/healthz"])
def test_security_headers_everywhere(client, path):
    headers = client.get(path).headers
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no eval
    assert csp["frame-ancestors"] == "'none'"
    assert csp["connect-src"] == "'self'"
    assert set(csp["img-src"].split()) == {"'self'", "blob:", "data:"}
    assert csp["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"  # login tokens are in URLs
    assert "camera=(self)" in headers["Permissions-Policy"]


def test_only_get_and_head(client):
    assert client.post("/").status_code == 405
    assert client.head("/class/3").status_code == 200
    assert client.delete("/assets/index-AbC123xy.js").status_code == 405


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert assert_readiness_shape(ready, "frontend")["dist"]["ok"] is True


def test_missing_build_gives_a_clear_503_and_not_ready(make_app, tmp_path):
    client = make_app(DIST_DIR=tmp_path / "no-dist").test_client()
    for path in ("/", "/class/3", "/admin"):
        response = client.get(path)
        assert response.status_code == 503
        text = response.get_data(as_text=True)
        assert "npm run build" in text and "make frontend" in text
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/nope.js").status_code == 404
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    dist = assert_readiness_shape(ready, "frontend")["dist"]
    assert dist["ok"] is False and "not built" in dist["detail"]


def test_no_proxy_routes_without_bff_url(client):
    assert client.post("/graphql", json={"query": "{ me { id } }"}).status_code in (404, 405)


def test_spa_routes_match_the_client_router():
    """frontend/src/lib/router.tsx and frontend/site.py must list the same routes."""
    from tests.frontend.helpers import FRONTEND

    router = (FRONTEND / "src" / "lib" / "router.tsx").read_text()
    client_patterns = re.findall(r'\["\w+", /(.+)/\],$', router, re.MULTILINE)
    server_patterns = [p.pattern for p in SPA_ROUTES]
    assert len(client_patterns) == len(server_patterns) == 15

    def normalized(pattern: str) -> str:
        return pattern.replace("\\/", "/").replace("(", "").replace(")", "")

    assert sorted(map(normalized, client_patterns)) == sorted(map(normalized, server_patterns))


def test_real_build_is_served_with_strict_assets(make_app, built_dist):
    client = make_app(DIST_DIR=built_dist).test_client()
    index = client.get("/class/3")
    html = index.get_data(as_text=True)
    assert index.status_code == 200
    # Our CSP forbids inline scripts: every script is a file under /assets/.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all('src="/assets/' in attrs and body.strip() == "" for attrs, body in scripts)
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/nope.js").status_code == 404
    assert client.get("/assets/missing.css").status_code == 404
