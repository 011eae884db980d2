"""Helpers for the frontend and browser tests: the real services (``Stack``), screenshots,
the admin login, axe-core. Fixtures live in conftest.py; tests import these names from here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers import require_tool

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
DIST = FRONTEND / "dist"

# ---- real services and a real browser ---------------------------------------------------

ADMIN_PASSWORD = "e2e-admin-password-123"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


class Stack:
    """`pictolab db upgrade`, `pictolab workshop create --json`, then the BFF, the frontend
    server forwarding to it, and (optionally) the ML API: real processes on loopback."""

    def __init__(self, data_dir: Path, *, classes: str, groups: int, with_ml: bool):
        from tests.helpers import free_port
        from tests.services import PICTOLAB, ServiceProcess, base_env

        self.frontend_port = free_port()
        self.ml = None
        self.env = base_env(data_dir, PICTOLAB_ADMIN_PASSWORD=ADMIN_PASSWORD,
                            PICTOLAB_PUBLIC_URL=f"http://127.0.0.1:{self.frontend_port}")
        self.processes = []
        try:
            if with_ml:
                self.ml = ServiceProcess("ml-api", dict(self.env)).start()
                self.processes.append(self.ml)
                self.env["PICTOLAB_ML_API_URL"] = self.ml.url
            else:  # nothing listens there: only training would need it
                self.env["PICTOLAB_ML_API_URL"] = f"http://127.0.0.1:{free_port()}"
            for args in (["db", "upgrade"],):
                subprocess.run([PICTOLAB, *args], env=self.env, check=True, capture_output=True, timeout=120)
            created = subprocess.run(
                [PICTOLAB, "workshop", "create", "--title", "E2E ワークショップ", "--classes", classes,
                 "--groups", str(groups), "--json"],
                env=self.env, check=True, capture_output=True, text=True, timeout=120)
            import json

            self.workshop = json.loads(created.stdout)
            self.bff = ServiceProcess("bff", dict(self.env)).start()
            self.processes.append(self.bff)
            self.frontend = ServiceProcess("frontend", {**self.env, "PICTOLAB_BFF_URL": self.bff.url},
                                           port=self.frontend_port).start()
            self.processes.append(self.frontend)
        except BaseException:
            self.stop()
            raise

    @property
    def url(self) -> str:
        return self.frontend.url

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop(timeout=20)

    def logs(self) -> str:
        return "\n".join(f"--- {p.service} ---\n{p.log_tail(60)}" for p in self.processes)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def admin_login(page, base_url: str) -> None:
    page.goto(base_url + "/admin")
    page.get_by_test_id("admin-password").fill(ADMIN_PASSWORD)
    page.get_by_test_id("admin-login-button").click()  # "ログイン" or "Log in": by id
    page.get_by_test_id("create-workshop").wait_for()


AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page, screen: str) -> None:
    """axe-core (npm devDependency) on the page as it is: no serious or critical violation.

    Injected with page.evaluate, which the app's CSP does not govern (a <script> tag would be
    refused, rightly)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary)}));
    }""")
    assert result == [], f"axe on {screen}: {json.dumps(result, ensure_ascii=False, indent=1)}"


def screenshot_both_languages(page, name: str) -> None:
    """<name>.png in the language shown, then <name>-<other>.png, and back. The toggle is
    clicked from script (untrusted), so the tap counter of the e2e test does not see it."""
    screenshot(page, name)
    before = page.locator("html").get_attribute("lang")
    other = "en" if before == "ja" else "ja"
    if page.locator(".lang-toggle").count():
        page.evaluate("() => document.querySelector('.lang-toggle').click()")
        page.wait_for_selector(f"html[lang={other}]")
        screenshot(page, f"{name}-{other}")
        page.evaluate("() => document.querySelector('.lang-toggle').click()")
    else:  # projector and print pages have no toggle: the stored choice, and a reload
        page.evaluate(f"() => localStorage.setItem('pictolab.lang', '{other}')")
        page.reload()
        page.wait_for_selector(f"html[lang={other}]")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"{name}-{other}")
        page.evaluate(f"() => localStorage.setItem('pictolab.lang', '{before}')")
        page.reload()
    page.wait_for_selector(f"html[lang={before}]")


def _newest_source_mtime() -> float:
    sources = [FRONTEND / name for name in ("index.html", "package.json", "package-lock.json",
                                            "vite.config.ts", "tsconfig.json")]
    sources += [p for p in (FRONTEND / "src").rglob("*") if p.is_file() and ".test." not in p.name]
    sources += [p for p in (FRONTEND / "public").rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in sources if p.exists())


def build_frontend() -> Path:
    """The real build in frontend/dist, rebuilt when a source is newer (``make frontend`` does
    the same in CI before the tests run). pytest-xdist workers take turns under a file lock:
    one builds, the others find it fresh."""
    import fcntl
    import tempfile

    index = DIST / "index.html"
    with open(Path(tempfile.gettempdir()) / "pictolab-frontend-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if index.is_file() and index.stat().st_mtime >= _newest_source_mtime():
            return DIST
        npm = require_tool("npm", "apt-get install nodejs npm (Node.js 20+)")
        if not (FRONTEND / "node_modules").is_dir():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True, timeout=600)
        subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True, timeout=600, capture_output=True)
    return DIST
