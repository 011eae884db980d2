"""Several ML API replicas behind one BFF on this machine (not a test; issue 14): twelve
groups press "train" (QUICK) at once, twice; in the second wave one replica is SIGKILLed as
soon as it holds a run. Prints a table, writes bench/results/replicas.json.

Figures: how the runs spread over the replicas, each wave's time from the first "train" to
the last run SUCCEEDED, and how long the runs of the killed replica took to finish elsewhere
(the BFF nudges a run once its heartbeat is 15 s old: bff.training.STALE_HEARTBEAT).

    .venv/bin/python bench/replicas.py [--replicas 3] [--groups 12]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.replicas_scenario import ReplicaCluster


def finished_at(cluster: ReplicaCluster, run_ids: list[str]) -> dict[str, str]:
    return {run_id: (cluster.status(run_id) or {}).get("finishedAt") for run_id in run_ids}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--groups", type=int, default=12)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "replicas.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pictolab-bench-replicas-") as tmp:
        started = time.monotonic()
        with ReplicaCluster(Path(tmp) / "data", replicas=args.replicas) as cluster:
            startup_s = time.monotonic() - started
            browsers = cluster.open_workshop(args.groups)

            t0 = time.monotonic()
            first = cluster.train_all(browsers)
            runs = cluster.wait_all(browsers, first, timeout=600)
            wave1_s = time.monotonic() - t0
            wave1_ok = sum(r["status"] == "SUCCEEDED" for r in runs)
            shares = cluster.trained_by(first)

            t0 = time.monotonic()
            second = cluster.train_all(browsers)
            orphans, kill_s = [], None
            if args.replicas > 1:
                orphans = cluster.kill_when_busy(cluster.ml[0], second)
                kill_s = time.monotonic() - t0
            killed_at = time.monotonic()
            pending = set(orphans)
            recovered_s = None
            while True:  # the orphans' recovery, then the whole wave
                runs = [next(r for r in b.data("{ trainingRuns { id status } }")["trainingRuns"] if r["id"] == i)
                        for b, i in zip(browsers, second)]
                pending -= {r["id"] for r in runs if r["status"] in ("SUCCEEDED", "FAILED")}
                if orphans and not pending and recovered_s is None:
                    recovered_s = time.monotonic() - killed_at
                if all(r["status"] in ("SUCCEEDED", "FAILED") for r in runs) or time.monotonic() - t0 > 600:
                    break
                time.sleep(0.25)
            wave2_s = time.monotonic() - t0
            wave2_ok = sum(r["status"] == "SUCCEEDED" for r in runs)
            survivors = cluster.trained_by(orphans)

    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "replicas": args.replicas, "groups": args.groups,
        "startup_s": round(startup_s, 1),
        "wave1": {"seconds": round(wave1_s, 1), "succeeded": wave1_ok,
                  "runs_per_replica": [shares.get(i, 0) for i in range(args.replicas)]},
        "wave2_one_replica_killed": {"seconds": round(wave2_s, 1), "succeeded": wave2_ok,
                                     "killed_after_s": None if kill_s is None else round(kill_s, 2),
                                     "orphaned_runs": len(orphans),
                                     "orphans_finished_after_kill_s": None if recovered_s is None else round(recovered_s, 1),
                                     "orphans_finished_by": {str(k): v for k, v in survivors.items()}},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    w1, w2 = result["wave1"], result["wave2_one_replica_killed"]
    print(f"{'replicas':<10}{args.replicas}   groups {args.groups}   startup {result['startup_s']} s")
    print(f"{'wave':<28}{'seconds':>9}{'succeeded':>11}  detail")
    print(f"{'1: all train at once':<28}{w1['seconds']:>9}{w1['succeeded']:>8}/{args.groups:<2}"
          f"  runs per replica {w1['runs_per_replica']}")
    print(f"{'2: one replica SIGKILLed':<28}{w2['seconds']:>9}{w2['succeeded']:>8}/{args.groups:<2}"
          f"  {w2['orphaned_runs']} orphaned, finished elsewhere {w2['orphans_finished_after_kill_s']} s "
          f"after the kill")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
