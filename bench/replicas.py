"""Several ML API replicas pulling from one job queue behind one BFF on this machine (not a
test): twelve groups press "train" (QUICK) at once, twice; in the second wave one replica is
SIGKILLed as soon as it holds a run. Prints a table, writes bench/results/replicas.json.

Figures, per wave: the time from the first "train" to the last run SUCCEEDED and the runs
per minute that makes; how the runs spread over the replicas (each free worker pulls the
next job: nothing places them); the deepest queue seen (health.queued, what an autoscaler
would scale on); and each job's claims (``attempt``): in the first wave every run is claimed
exactly once (no two workers ever share a job), in the second the killed replica's runs are
claimed once more, by a survivor, once their lease ran out (PICTOLAB_ML_LEASE_SECONDS=3
here), and the time from the kill until they finished.

    .venv/bin/python bench/replicas.py [--replicas 3] [--groups 12]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.replicas_scenario import FINAL, ReplicaCluster


class QueueDepth(threading.Thread):
    """The deepest queue any replica reported (health.queued) while a wave ran."""

    def __init__(self, cluster: ReplicaCluster):
        super().__init__(daemon=True)
        self.cluster = cluster
        self.deepest = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for ml in self.cluster.ml:
                if ml.proc is not None and ml.proc.poll() is None:
                    try:
                        self.deepest = max(self.deepest, self.cluster.health(ml)["queued"])
                    except (requests.RequestException, KeyError, TypeError):  # being killed: ask the next
                        continue
                    break

    def finish(self) -> int:
        self.stop.set()
        self.join(5)
        return self.deepest


def claims(cluster: ReplicaCluster, run_ids: list[str]) -> dict[str, int]:
    """How many times each run's job was claimed (its row's attempt)."""
    return {run_id: job["attempt"] for run_id, job in cluster.jobs(run_ids).items()}


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

            depth = QueueDepth(cluster)
            depth.start()
            t0 = time.monotonic()
            first = cluster.train_all(browsers)
            runs = cluster.wait_all(browsers, first, timeout=600)
            wave1_s = time.monotonic() - t0
            wave1_depth = depth.finish()
            wave1_ok = sum(r["status"] == "SUCCEEDED" for r in runs)
            shares = cluster.trained_by(first)
            wave1_claims = claims(cluster, first)

            depth = QueueDepth(cluster)
            depth.start()
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
                pending -= {r["id"] for r in runs if r["status"] in FINAL}
                if orphans and not pending and recovered_s is None:
                    recovered_s = time.monotonic() - killed_at
                if all(r["status"] in FINAL for r in runs) or time.monotonic() - t0 > 600:
                    break
                time.sleep(0.25)
            wave2_s = time.monotonic() - t0
            wave2_depth = depth.finish()
            wave2_ok = sum(r["status"] == "SUCCEEDED" for r in runs)
            survivors = cluster.trained_by(orphans)
            wave2_claims = claims(cluster, second)

    orphaned = set(orphans)
    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "replicas": args.replicas, "groups": args.groups,
        "startup_s": round(startup_s, 1),
        "wave1": {"seconds": round(wave1_s, 1), "succeeded": wave1_ok,
                  "runs_per_min": round(60 * wave1_ok / wave1_s, 1),
                  "runs_per_replica": [shares.get(i, 0) for i in range(args.replicas)],
                  "deepest_queue": wave1_depth,
                  "claims_per_run": dict(sorted(Counter(wave1_claims.values()).items())),
                  "every_run_claimed_once": sorted(wave1_claims.values()) == [1] * len(first)},
        "wave2_one_replica_killed": {
            "seconds": round(wave2_s, 1), "succeeded": wave2_ok,
            "runs_per_min": round(60 * wave2_ok / wave2_s, 1),
            "deepest_queue": wave2_depth,
            "killed_after_s": None if kill_s is None else round(kill_s, 2),
            "orphaned_runs": len(orphans),
            "orphans_finished_after_kill_s": None if recovered_s is None else round(recovered_s, 1),
            "orphans_finished_by": {str(k): v for k, v in survivors.items()},
            "claims_per_run": dict(sorted(Counter(wave2_claims.values()).items())),
            # The killed replica's runs once more (by a survivor), every other run once.
            "no_claim_shared": all(wave2_claims.get(r) == (2 if r in orphaned else 1) for r in second)},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")

    w1, w2 = result["wave1"], result["wave2_one_replica_killed"]
    print(f"{'replicas':<10}{args.replicas}   groups {args.groups}   startup {result['startup_s']} s")
    print(f"{'wave':<28}{'seconds':>9}{'runs/min':>10}{'succeeded':>11}{'queue max':>11}  detail")
    print(f"{'1: all train at once':<28}{w1['seconds']:>9}{w1['runs_per_min']:>10}{w1['succeeded']:>8}/{args.groups:<2}"
          f"{w1['deepest_queue']:>11}  runs per replica {w1['runs_per_replica']}, claims per run "
          f"{w1['claims_per_run']} (each once: {w1['every_run_claimed_once']})")
    print(f"{'2: one replica SIGKILLed':<28}{w2['seconds']:>9}{w2['runs_per_min']:>10}{w2['succeeded']:>8}/"
          f"{args.groups:<2}{w2['deepest_queue']:>11}  {w2['orphaned_runs']} orphaned, finished elsewhere "
          f"{w2['orphans_finished_after_kill_s']} s after the kill; claims per run {w2['claims_per_run']} "
          f"(none shared: {w2['no_claim_shared']})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
