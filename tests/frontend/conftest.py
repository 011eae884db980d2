"""Fixtures for the frontend server and the browser tests.

``fake_dist`` is a tiny hand-made build (fast, exact file names); ``built_dist`` is the real
Vite build of frontend/, made with npm when it is missing or older than the sources.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.frontend.helpers import CHROMIUM, CHROMIUM_ARGS, build_frontend

INDEX_HTML = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>PictoLab</title>
<script type="module" crossorigin src="/assets/index-AbC123xy.js"></script>
<link rel="stylesheet" href="/assets/index-Zz9Yy8Xx.css"></head><body><div id="root"></div></body></html>
"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can print logs on failure."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


@pytest.fixture(autouse=True)
def _service_logs_on_failure(request):
    """A failed test that used the module's ``stack`` (tests.frontend.helpers.Stack) prints
    the services' last log lines, which say what the browser could not."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "stack" in request.fixturenames:
        print(request.getfixturevalue("stack").logs())


@pytest.fixture
def fake_dist(tmp_path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX_HTML)
    (dist / "assets" / "index-AbC123xy.js").write_text("console.log('pictolab');\n")
    (dist / "assets" / "index-AbC123xy.js.gz").write_bytes(gzip.compress(b"console.log('pictolab');\n"))
    (dist / "assets" / "index-Zz9Yy8Xx.css").write_text("body{margin:0}\n")
    (dist / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    return dist


@pytest.fixture(scope="session")
def built_dist() -> Path:
    return build_frontend()


@pytest.fixture
def make_app(tmp_path):
    """create_app with a test config; data_dir in tmp so nothing is written to the repo."""
    from frontend import create_app

    def make(**config):
        config.setdefault("data_dir", tmp_path / "data")
        app = create_app(config)
        app.testing = True
        return app

    return make


@pytest.fixture(scope="session")
def chromium():
    from tests.helpers import require

    require(Path(CHROMIUM).exists(), f"{CHROMIUM} not found; install it with: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield playwright, browser
        browser.close()
