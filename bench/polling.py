"""Requests per minute of one iPad, measured on the real SPA: what Cloud Armor's per-address
rate limit must carry for a room of iPads behind one venue NAT address.

    .venv/bin/python bench/polling.py [--window 30] [--photos 10] [--ipads 30]

Starts the real BFF and frontend server (`pictolab bff|frontend` under gunicorn, SQLite,
loopback), creates a workshop, logs a group in through its QR URL, then opens each children's
screen (home, a class, train, try, ranking) in headless Debian Chromium (iPad viewport) and
counts every request the page sends to the server (/graphql, /media and the SPA's own files)
for --window seconds of sitting still: the steady rate. Then the upload burst: --photos photos
chosen at once on a class screen, counted until the page is quiet again. Prints a table, the
figure for --ipads iPads behind one address and the rate limit with 3x headroom, and writes
bench/results/polling.json (docs/benchmarks.md, "Requests per iPad").
"""

from __future__ import annotations

import argparse
import io
import json
import math
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.frontend import CHROMIUM, CHROMIUM_ARGS, ensure_build
from tests.services import PICTOLAB, ServiceProcess, base_env

RESULTS = REPO / "bench" / "results" / "polling.json"
ADMIN_PASSWORD = "bench-admin-password-1"
HEADROOM = 3


def jpeg(seed: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (640, 480), ((seed * 40) % 256, (seed * 90) % 256, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def set_phase(bff_url: str, workshop_id: str, phase: str) -> None:
    import requests

    with requests.Session() as http:
        http.post(bff_url + "/graphql", json={"query": "mutation($p: String!) { adminLogin(password: $p) }",
                                               "variables": {"p": ADMIN_PASSWORD}}, timeout=30).raise_for_status()
        answer = http.post(bff_url + "/graphql", json={
            "query": "mutation($id: ID!, $phase: Phase!) { setPhase(workshopId: $id, phase: $phase) { phase } }",
            "variables": {"id": workshop_id, "phase": phase}}, timeout=30).json()
        assert not answer.get("errors"), answer


def count_requests(page, seconds: float) -> list[str]:
    seen: list[str] = []
    handler = lambda request: seen.append(request.url)
    page.on("request", handler)
    page.wait_for_timeout(seconds * 1000)
    page.remove_listener("request", handler)
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=float, default=30.0, help="seconds counted per screen")
    parser.add_argument("--photos", type=int, default=10, help="photos in the upload burst")
    parser.add_argument("--ipads", type=int, default=30, help="iPads behind one address")
    args = parser.parse_args()
    ensure_build()

    from playwright.sync_api import sync_playwright

    from tests.helpers import free_port

    screens: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="pictolab-bench-poll-") as tmp:
        frontend_port = free_port()
        env = base_env(Path(tmp) / "data", PICTOLAB_PUBLIC_URL=f"http://127.0.0.1:{frontend_port}",
                       PICTOLAB_ML_API_URL=f"http://127.0.0.1:{free_port()}", PICTOLAB_LOG_LEVEL="WARNING",
                       PICTOLAB_ADMIN_PASSWORD=ADMIN_PASSWORD)
        subprocess.run([PICTOLAB, "db", "upgrade"], env=env, check=True, capture_output=True)
        created = json.loads(subprocess.run(
            [PICTOLAB, "workshop", "create", "--title", "Bench", "--classes", "りんご,えんぴつ,ぬいぐるみ",
             "--groups", "1", "--json"], env=env, check=True, capture_output=True, text=True).stdout)
        photos_dir = Path(tmp) / "photos"
        photos_dir.mkdir()
        files = []
        for i in range(args.photos):
            path = photos_dir / f"p{i}.jpg"
            path.write_bytes(jpeg(i))
            files.append(str(path))
        with ServiceProcess("bff", dict(env)) as bff, \
                ServiceProcess("frontend", {**env, "PICTOLAB_BFF_URL": bff.url}, port=frontend_port) as fe, \
                sync_playwright() as playwright:
            set_phase(bff.url, created["id"], "COLLECT")
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            device = {k: v for k, v in playwright.devices["iPad (gen 7)"].items() if k != "default_browser_type"}
            context = browser.new_context(**device, locale="ja-JP")
            page = context.new_page()
            page.goto(created["groups"][0]["loginUrl"])
            page.get_by_test_id("home-ready").wait_for(timeout=60_000)
            class_id = created["classes"][0]["id"]

            def screen(name: str, path: str, ready: str, phase: str) -> None:
                page.goto(fe.url + path)
                page.get_by_test_id(ready).wait_for(timeout=60_000)
                page.wait_for_timeout(2000)  # the first render's own loads are not the steady rate
                urls = count_requests(page, args.window)
                screens.append({"screen": name, "phase": phase, "requests": len(urls),
                                "graphql": sum("/graphql" in u for u in urls),
                                "per_minute": len(urls) * 60.0 / args.window})
                print(f"  {name:<10} {len(urls):>4} requests in {args.window:.0f} s", flush=True)

            print("steady rate per screen (sitting still):", flush=True)
            screen("home", "/", "home-ready", "COLLECT")
            screen("class", f"/class/{class_id}", "class-page", "COLLECT")

            # The upload burst: the photos chosen at once; every request of the minute that
            # follows (the uploads, the thumbnails, and the screen's own polling meanwhile).
            page.goto(fe.url + f"/class/{class_id}")
            page.get_by_test_id("class-page").wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            seen: list[str] = []
            page.on("request", lambda request: seen.append(request.url))
            page.locator("input[type=file][multiple]").set_input_files(files)
            page.wait_for_timeout(60_000)
            burst = {"photos": args.photos, "requests": len(seen), "graphql": sum("/graphql" in u for u in seen),
                     "media": sum("/media/" in u for u in seen), "seconds": 60.0, "per_minute": float(len(seen))}
            print(f"  upload burst: {len(seen)} requests in the minute after choosing {args.photos} photos",
                  flush=True)

            set_phase(bff.url, created["id"], "COMPETE")
            screen("train", "/train", "train-page", "COMPETE")
            screen("try", "/try", "try-page", "COMPETE")
            screen("ranking", "/ranking", "ranking-page", "COMPETE")
            context.close()
            browser.close()

    steady = max(s["per_minute"] for s in screens)
    room_steady = steady * args.ipads
    # The worst minute: every iPad on its busiest screen, and a third of them sending a burst.
    room_peak = room_steady + math.ceil(args.ipads / 3) * max(0.0, burst["per_minute"] - steady)
    limit = HEADROOM * room_peak
    result = {
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}",
        "window_seconds": args.window, "screens": screens, "upload_burst": burst,
        "ipads": args.ipads, "steady_per_ipad_per_minute": steady,
        "room_steady_per_minute": room_steady, "room_peak_per_minute": room_peak,
        "rate_limit_with_headroom": limit, "headroom": HEADROOM,
    }
    print(f"\n{'screen':<10} {'phase':<8} {'requests':>9} {'graphql':>8} {'per min':>8}")
    for s in screens:
        print(f"{s['screen']:<10} {s['phase']:<8} {s['requests']:>9} {s['graphql']:>8} {s['per_minute']:>8.1f}")
    print(f"upload burst: {burst['requests']} requests ({burst['graphql']} GraphQL, {burst['media']} photo bytes)"
          f" in the minute after choosing {burst['photos']} photos")
    print(f"\n{args.ipads} iPads behind one address: {room_steady:.0f}/min steady (busiest screen), "
          f"{room_peak:.0f}/min in a minute where a third of them upload {burst['photos']} photos")
    print(f"Cloud Armor per-address limit with {HEADROOM}x headroom: >= {limit:.0f}/min")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
