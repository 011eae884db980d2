"""Several ML API replicas pulling from one job queue behind one BFF, as real processes on
loopback: the scenario that tests/e2e/test_replicas.py checks and bench/replicas.py times.

Lean on purpose (a 2-core CI runner): two classes, two 64-px photos each, no hidden test
set (no scoring), one worker per ML API process.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from tests.datasets import texture_jpegs
from tests.e2e.helpers import Browser, create_workshop
from tests.services import PICTOLAB, ServiceProcess, base_env

CLASSES = ["brick", "grass"]
PER_CLASS = 2
LOGIN = "mutation($token: String!) { login(token: $token) { id } }"
ADMIN_LOGIN = "mutation($p: String!) { adminLogin(password: $p) }"
SET_PHASE = "mutation($w: ID!, $p: Phase!) { setPhase(workshopId: $w, phase: $p) { phase } }"
UPLOAD = "mutation($c: ID!, $file: Upload!) { uploadPhoto(classId: $c, file: $file) { id } }"
TRAIN = "mutation { train(mode: QUICK) { id status } }"
RUNS = "{ trainingRuns { id status error } }"
PREDICT = "mutation($file: Upload!) { predict(file: $file) { label } }"
FINAL = ("SUCCEEDED", "FAILED")


class ReplicaCluster:
    """``replicas`` ML API processes and one BFF whose PICTOLAB_ML_API_URL lists them all.
    Every process is stopped (or killed) on exit, also when starting one failed."""

    def __init__(self, data_dir: Path, replicas: int = 3):
        self.data_dir = data_dir
        # A short lease: a killed replica's runs go back to the queue within seconds.
        self.env = base_env(data_dir, PICTOLAB_MIN_PHOTOS_PER_CLASS=str(PER_CLASS),
                            PICTOLAB_ML_GPU_CONCURRENCY="1", PICTOLAB_LOG_LEVEL="WARNING",
                            PICTOLAB_ML_LEASE_SECONDS="3")
        self.ml = [ServiceProcess("ml-api", self.env, ready_timeout=240) for _ in range(replicas)]
        self.env["PICTOLAB_ML_API_URL"] = ",".join(ml.url for ml in self.ml)
        self.bff = ServiceProcess("bff", self.env)
        self.workers: dict[str, ServiceProcess] = {}  # health.worker (hostname:pid) -> process

    def __enter__(self) -> ReplicaCluster:
        try:
            subprocess.run([PICTOLAB, "db", "upgrade"], env=self.env, check=True, capture_output=True)
            errors: list[BaseException] = []

            def start(process: ServiceProcess) -> None:
                try:
                    process.start()
                except BaseException as exc:  # noqa: BLE001 (re-raised below)
                    errors.append(exc)

            # In parallel: each ML API spends most of its start importing torch and the backbone.
            threads = [threading.Thread(target=start, args=(p,)) for p in (*self.ml, self.bff)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            for ml in self.ml:
                self.workers[self.health(ml)["worker"]] = ml
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in (self.bff, *self.ml):
            process.stop(timeout=20)

    @staticmethod
    def health(ml: ServiceProcess) -> dict:
        response = requests.post(ml.url + "/graphql", json={"query": "{ health { worker queued running capacity } }"},
                                 timeout=10)
        return response.json()["data"]["health"]

    # ---- the workshop ----------------------------------------------------------------------
    def open_workshop(self, groups: int) -> list[Browser]:
        """A workshop in TRAIN with ``groups`` logged-in groups that have their photos."""
        workshop = create_workshop(self.env, "replicas", CLASSES, groups)
        admin = Browser(self.bff.url)
        password = (self.data_dir / "admin_password").read_text().strip()
        assert admin.data(ADMIN_LOGIN, p=password)["adminLogin"] is True
        admin.data(SET_PHASE, w=workshop["id"], p="COLLECT")
        classes = {c["name"]: c["id"] for c in workshop["classes"]}
        photos = {name: texture_jpegs(name, PER_CLASS, seed=7 + n, patch=64) for n, name in enumerate(CLASSES)}
        browsers = []
        for group in workshop["groups"]:
            browser = Browser(self.bff.url)
            browser.data(LOGIN, token=group["token"])
            for name, jpegs in photos.items():
                for jpeg in jpegs:  # the same photos for every group: embeddings computed per replica
                    browser.upload(UPLOAD, {"c": classes[name]}, jpeg)
            browsers.append(browser)
        admin.data(SET_PHASE, w=workshop["id"], p="TRAIN")
        return browsers

    @staticmethod
    def train_all(browsers: list[Browser]) -> list[str]:
        """Every group presses "train" at once (as near as one thread can)."""
        return [browser.data(TRAIN)["train"]["id"] for browser in browsers]

    @staticmethod
    def wait_all(browsers: list[Browser], run_ids: list[str], timeout: float = 180) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            runs = [next(r for r in b.data(RUNS)["trainingRuns"] if r["id"] == run_id)
                    for b, run_id in zip(browsers, run_ids)]
            if all(r["status"] in FINAL for r in runs) or time.monotonic() > deadline:
                return runs
            time.sleep(0.25)

    # ---- who trained what (the job's queue row names its worker) ----------------------------
    def jobs(self, run_ids: list[str]) -> dict[str, dict]:
        """The runs' jobs as any live replica answers them (the queue is shared)."""
        query = "query($r: [ID!]!) { trainingJobs(runIds: $r) { runId status worker attempt } }"
        for ml in self.ml:
            if ml.proc is None or ml.proc.poll() is not None:
                continue
            try:
                body = requests.post(ml.url + "/graphql", json={"query": query, "variables": {"r": run_ids}},
                                     timeout=10).json()
            except requests.RequestException:
                continue
            return {job["runId"]: job for job in body["data"]["trainingJobs"]}
        raise AssertionError("no live replica")

    def status(self, run_id: str) -> dict | None:
        return self.jobs([run_id]).get(run_id)

    def replica_of(self, run_id: str) -> ServiceProcess | None:
        status = self.status(run_id) or {}
        return self.workers.get(status.get("worker"))

    def trained_by(self, run_ids: list[str]) -> Counter:
        """How many of the runs each replica (by index) trained."""
        jobs = self.jobs(run_ids)
        return Counter(self.ml.index(self.workers[jobs[r]["worker"]]) if jobs.get(r, {}).get("worker") in self.workers
                       else None for r in run_ids)

    def kill_when_busy(self, victim: ServiceProcess, run_ids: list[str], timeout: float = 60) -> list[str]:
        """SIGKILL ``victim`` as soon as it holds an unfinished run of ``run_ids``; returns
        the runs it left unfinished (read after the kill: the dead cannot change them)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._held_by(victim, run_ids):
                victim.kill()
                return self._held_by(victim, run_ids)
            time.sleep(0.02)
        raise AssertionError("the replica never got a run of the wave")

    def _held_by(self, victim: ServiceProcess, run_ids: list[str]) -> list[str]:
        return [run_id for run_id, job in self.jobs(run_ids).items()
                if job["status"] == "RUNNING" and self.workers.get(job["worker"]) is victim]
