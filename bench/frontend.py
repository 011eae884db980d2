"""Frontend budget: initial JavaScript (gzipped) and first render of the children's home.

    .venv/bin/python bench/frontend.py [--runs 10]

Builds frontend/dist if needed (npm run build), then
1. sums the JavaScript that index.html loads before anything else (the entry module and
   every <link rel=modulepreload>), raw and gzipped (level 9, as the server sends it);
2. starts the real BFF and frontend server (`pictolab bff|frontend` under gunicorn, SQLite,
   loopback), logs a group in through its QR URL once, then loads "/" in headless Debian
   Chromium (iPad viewport) in a fresh context each time (cold HTTP cache, session cookie
   kept) and reads the Performance API: the `pictolab:home-ready` mark the home sets after
   its first render with the group's classes, plus FCP and DOMContentLoaded; then the same
   with a warm cache (reloads).
Prints a table and writes bench/results/frontend.json.
Targets: initial JS <= 150 KB gzipped; first render of the home <= 1.0 s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.services import PICTOLAB, ServiceProcess, base_env

FRONTEND = REPO / "frontend"
DIST = FRONTEND / "dist"
RESULTS = REPO / "bench" / "results" / "frontend.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
JS_BUDGET_KB = 150.0
RENDER_BUDGET_MS = 1000.0
MARK = "pictolab:home-ready"


def ensure_build() -> None:
    sources = [p for p in (FRONTEND / "src").rglob("*") if p.is_file()]
    sources += [FRONTEND / n for n in ("index.html", "package.json", "vite.config.ts")]
    index = DIST / "index.html"
    if index.is_file() and index.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    print("building frontend/dist (npm run build) ...", flush=True)
    subprocess.run(["npm", "run", "build"], cwd=FRONTEND, check=True, capture_output=True)


def initial_js() -> dict:
    html = (DIST / "index.html").read_text()
    entry = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', html)
    preloads = re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', html)
    files = []
    for url in entry + preloads:
        data = (DIST / url.lstrip("/")).read_bytes()
        files.append({"url": url, "raw_bytes": len(data), "gzip_bytes": len(gzip.compress(data, 9))})
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    css_gzip = sum(len(gzip.compress((DIST / u.lstrip("/")).read_bytes(), 9)) for u in css)
    lazy = sorted(p.name for p in (DIST / "assets").glob("*.js") if f"/assets/{p.name}" not in entry + preloads)
    return {
        "files": files,
        "raw_kb": sum(f["raw_bytes"] for f in files) / 1024,
        "gzip_kb": sum(f["gzip_bytes"] for f in files) / 1024,
        "css_gzip_kb": css_gzip / 1024,
        "lazy_chunks": lazy,
    }


def measure_render(page, reload: bool = False, url: str = "") -> dict:
    if reload:
        page.reload()
    else:
        page.goto(url)
    page.get_by_test_id("home-ready").wait_for(timeout=30_000)
    page.wait_for_function("1")  # let the mark land (React effects run right after paint)
    return page.evaluate("""(mark) => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const ready = performance.getEntriesByName(mark)[0];
        const js = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'));
        return {
          home_ready_ms: ready ? ready.startTime : null,
          fcp_ms: fcp ? fcp.startTime : null,
          dom_content_loaded_ms: nav.domContentLoadedEventEnd,
          js_transfer_bytes: js.reduce((sum, r) => sum + r.transferSize, 0),
        };
    }""", MARK)


def summarize(samples: list[dict], key: str) -> dict:
    values = sorted(s[key] for s in samples if s[key] is not None)
    if not values:
        return {"median": None, "p95": None, "max": None}
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return {"median": statistics.median(values), "p95": p95, "max": values[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    ensure_build()
    js = initial_js()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pictolab-bench-fe-") as tmp:
        from tests.helpers import free_port

        frontend_port = free_port()
        env = base_env(Path(tmp) / "data", PICTOLAB_PUBLIC_URL=f"http://127.0.0.1:{frontend_port}",
                       PICTOLAB_ML_API_URL=f"http://127.0.0.1:{free_port()}", PICTOLAB_LOG_LEVEL="WARNING")
        subprocess.run([PICTOLAB, "db", "upgrade"], env=env, check=True, capture_output=True)
        created = subprocess.run([PICTOLAB, "workshop", "create", "--title", "Bench", "--classes",
                                  "🍎 りんご,✏️ えんぴつ,🧸 ぬいぐるみ", "--groups", "1", "--json"],
                                 env=env, check=True, capture_output=True, text=True)
        login_url = json.loads(created.stdout)["groups"][0]["loginUrl"]
        with ServiceProcess("bff", dict(env)) as bff, \
                ServiceProcess("frontend", {**env, "PICTOLAB_BFF_URL": bff.url}, port=frontend_port) as fe, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            device = {k: v for k, v in playwright.devices["iPad (gen 7)"].items() if k != "default_browser_type"}
            login = browser.new_context(**device, locale="ja-JP")
            page = login.new_page()
            page.goto(login_url)
            page.get_by_test_id("home-ready").wait_for()
            state = login.storage_state()
            login.close()

            cold = []
            for _ in range(args.runs):
                context = browser.new_context(**device, locale="ja-JP", storage_state=state)
                cold.append(measure_render(context.new_page(), url=fe.url + "/"))
                context.close()
            context = browser.new_context(**device, locale="ja-JP", storage_state=state)
            page = context.new_page()
            measure_render(page, url=fe.url + "/")
            warm = [measure_render(page, reload=True) for _ in range(args.runs)]
            context.close()
            browser.close()

    cold_ready = summarize(cold, "home_ready_ms")
    result = {
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}",
        "initial_js": js,
        "cold": {k: summarize(cold, k) for k in ("home_ready_ms", "fcp_ms", "dom_content_loaded_ms")},
        "warm": {k: summarize(warm, k) for k in ("home_ready_ms", "fcp_ms", "dom_content_loaded_ms")},
        "cold_js_transfer_bytes": cold[0]["js_transfer_bytes"],
        "runs": args.runs,
        "targets": {"initial_js_gzip_kb": JS_BUDGET_KB, "home_first_render_ms": RENDER_BUDGET_MS},
        "met": {"initial_js": js["gzip_kb"] <= JS_BUDGET_KB,
                "home_first_render": cold_ready["p95"] is not None and cold_ready["p95"] <= RENDER_BUDGET_MS},
    }

    print(f"\nInitial JavaScript ({len(js['files'])} files loaded by index.html)")
    print(f"{'file':<40} {'raw KB':>9} {'gzip KB':>9}")
    for f in js["files"]:
        print(f"{f['url']:<40} {f['raw_bytes'] / 1024:>9.1f} {f['gzip_bytes'] / 1024:>9.1f}")
    print(f"{'total':<40} {js['raw_kb']:>9.1f} {js['gzip_kb']:>9.1f}   budget {JS_BUDGET_KB:.0f} KB gzip"
          f" -> {'OK' if result['met']['initial_js'] else 'OVER'}")
    print(f"(CSS {js['css_gzip_kb']:.1f} KB gzip; lazy chunks not loaded at start: {', '.join(js['lazy_chunks'])})")
    print(f"\nChildren's home, {args.runs} loads each, headless Chromium on loopback (ms)")
    print(f"{'':<12} {'metric':<24} {'median':>8} {'p95':>8} {'max':>8}")
    for cache in ("cold", "warm"):
        for key, stats in result[cache].items():
            print(f"{cache:<12} {key:<24} {stats['median']:>8.0f} {stats['p95']:>8.0f} {stats['max']:>8.0f}")
    print(f"budget: home first render <= {RENDER_BUDGET_MS:.0f} ms (cold p95) -> "
          f"{'OK' if result['met']['home_first_render'] else 'OVER'}")
    print(f"JS bytes over the wire on a cold load: {result['cold_js_transfer_bytes'] / 1024:.1f} KB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
