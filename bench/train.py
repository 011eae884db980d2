"""QUICK (and a DEEP figure) training time, phases timed separately.

    .venv/bin/python bench/train.py [--repeats 3] [--deep-epochs N] [--groups 3x20,5x30]

Runs the real job machinery in-process (the ML API's job queue on a SQLite file and one
worker pulling from it, a local storage folder, all in a temp dir) on photo-like 1024x768
JPEGs: each run is queued as `startTraining` queues it, and timed until its row says
SUCCEEDED. Prints a table and writes bench/results/train.json.
Targets: QUICK cold <= 10 s and cached <= 1 s on the 2-core CPU; on an H100 QUICK
<= 1 s end to end and DEEP (10 epochs) <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch
from ml_data import ml_service, photo_jpegs, store, train_and_wait

from ml_api.backbones import frozen_backbones
from ml_api.device import configure_torch, device_name, resolve_device, usable_cpus

GROUPS = ((3, 20), (5, 30))
PHASES = ("read", "cache_read", "decode", "embed", "cache_write", "fit", "save")


def run(service, classes, examples, **extra) -> tuple[float, dict]:
    """Wall time from startTraining to SUCCEEDED; returns it with ``cpu_s``, the process CPU
    time meanwhile (on a shared machine the wall time depends on the neighbours, CPU time
    less), and the job's ``timings`` (from its row)."""
    run_id = uuid.uuid4().hex
    cpu_started = time.process_time()
    started = time.perf_counter()
    row = train_and_wait(service, {"runId": run_id, "classes": classes, "examples": examples, **extra})
    wall = time.perf_counter() - started
    return wall, {"cpu_s": time.process_time() - cpu_started, "timings": row["result"]["timings"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--groups", default=",".join(f"{c}x{n}" for c, n in GROUPS),
                        help="classes x photos per class of each group timed (the first also for DEEP on the CPU)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--deep-epochs", type=int, default=None,
                        help="default: 10 on CUDA, 1 on the CPU (a short figure)")
    args = parser.parse_args()
    groups = [tuple(int(n) for n in group.split("x")) for group in args.groups.split(",")]

    device = resolve_device(args.device)
    configure_torch(device)
    load_before = os.getloadavg()
    load_started = time.perf_counter()
    frozen_backbones.get("efficientnet_lite0", device)
    load_seconds = time.perf_counter() - load_started
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = ml_service(tmp, device.type, slots=1)
        storage = jobs.storage
        run(jobs, ["brick", "grass"], store(storage, photo_jpegs(2, 2, seed=99)))  # warm-up (allocator, JIT)
        for n_classes, per_class in groups:
            photos = photo_jpegs(n_classes, per_class)
            classes = sorted({label for _, label in photos})
            for cache in ("cold", "cached"):
                walls, cpus, phases = [], [], {p: [] for p in PHASES}
                if cache == "cached":
                    examples = store(storage, photos)
                    run(jobs, classes, examples)  # fills the embedding cache; not counted
                for _ in range(args.repeats):
                    if cache == "cold":
                        examples = store(storage, photos)  # fresh keys: nothing cached yet
                    wall, status = run(jobs, classes, examples)
                    walls.append(wall)
                    cpus.append(status["cpu_s"])
                    for phase in PHASES:
                        phases[phase].append(status["timings"].get(phase, 0.0))
                rows.append({"mode": "QUICK", "group": f"{n_classes}x{per_class}", "embeddings": cache,
                             "wall_s_median": statistics.median(walls), "wall_s_all": walls,
                             "cpu_s_median": statistics.median(cpus),
                             "phases_s_median": {p: statistics.median(v) for p, v in phases.items()},
                             "target_s": 10.0 if cache == "cold" else 1.0,
                             "target_note": "2-core CPU target" if device.type == "cpu" else "H100: <= 1 s"})
        deep_epochs = args.deep_epochs or (10 if device.type == "cuda" else 1)
        for n_classes, per_class in groups[:1] if device.type == "cpu" else groups:
            photos = photo_jpegs(n_classes, per_class, seed=7)
            classes = sorted({label for _, label in photos})
            wall, status = run(jobs, classes, store(storage, photos), mode="DEEP", epochs=deep_epochs)
            rows.append({"mode": "DEEP", "group": f"{n_classes}x{per_class}", "epochs": deep_epochs,
                         "wall_s_median": wall, "cpu_s_median": status["cpu_s"],
                         "phases_s_median": status["timings"],
                         "seconds_per_epoch": status["timings"]["train"] / deep_epochs,
                         "target_s": 5.0 if device.type == "cuda" else None,
                         "target_note": "H100, 10 epochs" if device.type == "cuda" else "no CPU target"})
        jobs.shutdown(wait=True)

    print(f"device: {device_name(device)}; torch threads {torch.get_num_threads()}; "
          f"backbone load {load_seconds:.2f}s (once per process); load average before/after "
          f"{load_before[0]:.1f}/{os.getloadavg()[0]:.1f}")
    print(f"{'mode':6} {'group':6} {'emb/ep':8} {'wall s':>7} {'cpu s':>6} {'target':>7}  "
          + " ".join(f"{p:>11}" for p in PHASES))
    for row in rows:
        phases = row["phases_s_median"]
        print(f"{row['mode']:6} {row['group']:6} {row.get('embeddings', str(row.get('epochs')) + ' ep'):8} "
              f"{row['wall_s_median']:7.3f} {row['cpu_s_median']:6.2f} {row['target_s'] if row['target_s'] else '-':>7}  "
              + " ".join(f"{phases.get(p, 0.0):11.3f}" for p in PHASES)
              + (f"  train {phases.get('train', 0):.2f}s" if row["mode"] == "DEEP" else ""))
    result = {"bench": "train", "device": device.type, "device_name": device_name(device),
              "cpus": usable_cpus(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
              "backbone_load_s": load_seconds, "loadavg_1m_before_after": [load_before[0], os.getloadavg()[0]], "repeats": args.repeats, "rows": rows,
              "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    out = Path(__file__).resolve().parent / "results" / "train.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
