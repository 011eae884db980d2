"""How long `make test` takes on a fresh clone: the README's test command, timed by phase.

    .venv/bin/python bench/make_test.py [--workers 3 0] [--cold-caches] [--ref HEAD]

Clones --ref into a temporary folder (no .venv, no node_modules, no frontend/dist), then runs
the three parts of `make test` one after another with CI=true and times each:

1. `make install-dev`: the virtualenvs (the project's and the deployment checkers') and the
   frontend (npm ci, the Vite build), side by side;
2. `make test-python`, once per --workers value (PYTEST_WORKERS: 3 is what `make test` uses,
   0 is one process, the figure before pytest-xdist);
3. `make test-frontend`: codegen --check, tsc, Vitest.

"make test" in the table is install + the first --workers run + frontend. The target is
12 minutes on 2 cores. --cold-caches gives pip and npm empty caches, as on a new machine.
Prints a table and writes bench/results/make_test.json. Takes the suite's time, once per
--workers value.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "make_test.json"
TARGET_SECONDS = 12 * 60
SUMMARY = re.compile(r"=+ (.*(?:passed|failed).*) in [\d.]+s")


def timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[float, int, str]:
    """Run ``command``; (seconds, exit status, its last lines)."""
    start = time.monotonic()
    with open(log, "w") as out:
        code = subprocess.run(command, check=False, cwd=cwd, env=env, stdout=out,
                              stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - start
    return seconds, code, log.read_text(errors="replace")[-4000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", default="HEAD", help="the commit to clone (default HEAD)")
    parser.add_argument("--workers", nargs="+", default=["3"],
                        help="PYTEST_WORKERS values to time pytest with (default: 3, as make test)")
    parser.add_argument("--cold-caches", action="store_true", help="empty pip and npm caches")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pictolab-make-test-") as tmp:
        clone = Path(tmp) / "pictolab"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True)
        subprocess.run(["git", "checkout", "--quiet", args.ref], cwd=clone, check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, check=True,
                                capture_output=True, text=True).stdout.strip()
        env = {**os.environ, "CI": "true"}
        env.pop("VIRTUAL_ENV", None)
        if args.cold_caches:
            env["PIP_CACHE_DIR"] = str(Path(tmp) / "pip-cache")
            env["npm_config_cache"] = str(Path(tmp) / "npm-cache")
        logs = Path(tmp) / "logs"
        logs.mkdir()

        phases: list[dict] = []

        def phase(name: str, command: list[str], **extra_env: str) -> dict:
            seconds, code, tail = timed(command, clone, {**env, **extra_env}, logs / f"{len(phases)}.log")
            summary = SUMMARY.findall(tail)
            row = {"phase": name, "seconds": round(seconds, 1), "exit": code,
                   "summary": summary[-1] if summary else ""}
            phases.append(row)
            print(f"  {name}: {seconds:.0f} s, exit {code} {row['summary']}", flush=True)
            if code:
                print(tail, file=sys.stderr)
            return row

        install = phase("make install-dev", ["make", "install-dev"])
        pytest_rows = [phase(f"make test-python (PYTEST_WORKERS={w})", ["make", "test-python"], PYTEST_WORKERS=w)
                       for w in (args.workers if install["exit"] == 0 else [])]
        frontend = phase("make test-frontend", ["make", "test-frontend"]) if install["exit"] == 0 else None

    total = install["seconds"] + (pytest_rows[0]["seconds"] if pytest_rows else 0) + (frontend or {}).get("seconds", 0)
    ok = all(row["exit"] == 0 for row in phases)
    result = {
        "commit": commit, "ref": args.ref, "cold_caches": args.cold_caches, "cpus": os.cpu_count(),
        "machine": platform.platform(), "phases": phases, "make_test_seconds": round(total, 1),
        "target_seconds": TARGET_SECONDS, "met": ok and total <= TARGET_SECONDS, "all_passed": ok,
    }
    print(f"\nmake test on a fresh clone of {commit} ({os.cpu_count()} CPUs"
          f"{', cold pip/npm caches' if args.cold_caches else ''})")
    print(f"{'phase':<40} {'seconds':>8}  result")
    for row in phases:
        print(f"{row['phase']:<40} {row['seconds']:>8.0f}  exit {row['exit']} {row['summary']}")
    print(f"{'make test (install + first pytest + frontend)':<40} {total:>8.0f}  "
          f"target {TARGET_SECONDS} s: {'met' if result['met'] else 'MISSED'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
