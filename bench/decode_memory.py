"""Decode memory under concurrent uploads of huge progressive JPEGs (not a test).

A 49 MP progressive JPEG (under the 50 MP cap) makes libjpeg hold every DCT coefficient of
the whole image until its last scan, whatever the draft scale: ~150 MB at 4:2:0, ~300 MB at
4:4:4 (bff/images.py). Starts the real BFF as k8s/base/bff.yaml runs it (2 workers x 8
threads) with the decode budget that pod's 1.5 GiB limit gives each worker (1.5 GiB / 2 - 320 MiB
= 448 MiB), has 16 clients upload such photos at once, samples every worker's RSS every
50 ms and reports the peaks, the pod's total, and how the uploads ended (stored, told to send
again, refused). ``--budget-mib`` runs it with another budget (e.g. 620: two 4:4:4 decodes
at a time per process, what the former "two decodes at a time" allowed).

    .venv/bin/python bench/decode_memory.py [--uploads 32] [--clients 16] [--budget-mib 320]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import Browser, create_workshop
from tests.services import PICTOLAB, ServiceProcess, base_env

UPLOAD = "mutation($c: ID!, $file: Upload!) { uploadPhoto(classId: $c, file: $file) { id } }"
POD_LIMIT = 1536 * 2**20  # k8s/base/bff.yaml resources.limits.memory


def huge_progressive(seed: int, subsampling: int) -> bytes:
    w, h = 8100, 6050  # 49.0 MP
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 255, (h // 16, w // 16, 3), dtype=np.uint8))
    out = io.BytesIO()
    small.resize((w, h), Image.Resampling.BILINEAR).save(out, "JPEG", quality=88, progressive=True,
                                                         subsampling=subsampling)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=32)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--budget-mib", type=int, default=448)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "decode_memory.json"))
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pictolab-bench-decode-"))
    env = base_env(data_dir, PICTOLAB_LOG_LEVEL="WARNING",
                   PICTOLAB_DECODE_MEMORY_BYTES=str(args.budget_mib * 2**20))
    print("making 49 MP progressive JPEGs...", flush=True)
    # Distinct bytes per upload (no de-duplication shortcut): half 4:4:4, half 4:2:0.
    photos = [huge_progressive(i, 0 if i % 2 == 0 else 2) for i in range(4)]
    subprocess.run([PICTOLAB, "db", "upgrade"], env=env, check=True, capture_output=True)
    bff = ServiceProcess("bff", env, args=["--workers", "2", "--threads", "8"]).start()
    peaks: dict[int, int] = {}
    pod_peak = [0]
    stop = threading.Event()

    def sample() -> None:
        master = psutil.Process(bff.proc.pid)
        while not stop.wait(0.05):
            try:
                procs = [master, *master.children(recursive=True)]
                total = 0
                for proc in procs:
                    rss = proc.memory_info().rss
                    peaks[proc.pid] = max(peaks.get(proc.pid, 0), rss)
                    total += rss
                pod_peak[0] = max(pod_peak[0], total)
            except psutil.Error:
                continue

    sampler = threading.Thread(target=sample, daemon=True)
    outcomes: dict[str, int] = {}
    latencies: list[float] = []
    try:
        workshop = create_workshop(env, "decode", ["a", "b"], args.clients)
        admin = Browser(bff.url)
        admin.data("mutation($p: String!) { adminLogin(password: $p) }",
                   p=(data_dir / "admin_password").read_text().strip())
        admin.data("mutation($w: ID!) { setPhase(workshopId: $w, phase: COLLECT) { phase } }", w=workshop["id"])
        class_id = workshop["classes"][0]["id"]
        clients = []
        for card in workshop["groups"]:
            browser = Browser(bff.url)
            browser.data("mutation($t: String!) { login(token: $t) { id } }", t=card["token"])
            clients.append(browser)
        baseline = {p.pid: p.memory_info().rss for p in psutil.Process(bff.proc.pid).children(recursive=True)}
        sampler.start()

        def upload(i: int) -> None:
            data = photos[i % len(photos)] + i.to_bytes(4, "big")  # trailing bytes: distinct content
            t0 = time.perf_counter()
            body = clients[i % len(clients)].upload_raw(UPLOAD, {"c": class_id}, data)
            latencies.append(time.perf_counter() - t0)
            codes = [e["extensions"]["code"] for e in body.get("errors") or []]
            key = codes[0] if codes else "stored"
            outcomes[key] = outcomes.get(key, 0) + 1

        print(f"{args.uploads} uploads from {args.clients} clients at once, budget {args.budget_mib} MiB "
              f"per worker...", flush=True)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(upload, range(args.uploads)))
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        bff.stop()

    workers = {pid: rss for pid, rss in peaks.items() if pid != bff.proc.pid}
    result = {
        "budget_mib_per_worker": args.budget_mib, "uploads": args.uploads, "clients": args.clients,
        "photo_mb": [round(len(p) / 1e6, 1) for p in photos], "seconds": seconds, "outcomes": outcomes,
        "latency_max_s": max(latencies) if latencies else None,
        "worker_rss_before_mb": sorted(round(v / 2**20) for v in baseline.values()),
        "worker_peak_rss_mib": sorted(round(v / 2**20) for v in workers.values()),
        "pod_peak_rss_mib": round(pod_peak[0] / 2**20), "pod_limit_mib": POD_LIMIT // 2**20,
        "under_limit": pod_peak[0] < POD_LIMIT, "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
