"""The ML API's job queue across real processes: two replicas pull from one queue database.

- A replica SIGSTOPped past its lease (a stalled VM, a GC pause, a frozen node) loses its run
  to the other replica, which finishes it; woken with SIGCONT, it changes nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.datasets import texture_jpegs
from tests.services import ServiceProcess, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LEASE_SECONDS = 2.0
JOB = ("query($r: ID!) { trainingJob(runId: $r) { status worker attempt epoch epochs error modelUri "
       "trainAccuracy updatedAt } }")
START = "mutation($i: StartTrainingInput!) { startTraining(input: $i) { runId status } }"


def gql(ml: ServiceProcess, query: str, **variables) -> dict:
    body = requests.post(ml.url + "/graphql", json={"query": query, "variables": variables}, timeout=30).json()
    assert not body.get("errors"), body
    return body["data"]


def put_photos(storage: Path) -> list[dict]:
    examples = []
    for label in ("brick", "grass"):
        for index, jpeg in enumerate(texture_jpegs(label, 4, seed=3, patch=96)):
            path = storage / "photos" / "w1" / f"{label}{index}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(jpeg)
            examples.append({"uri": path.as_uri(), "label": label})
    return examples


def start_all(*processes: ServiceProcess) -> None:
    errors: list[BaseException] = []

    def start(process: ServiceProcess) -> None:
        try:
            process.start()
        except BaseException as exc:  # noqa: BLE001 (re-raised below)
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(p,)) for p in processes]  # torch imports in parallel
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@pytest.fixture
def replicas(tmp_path):
    env = base_env(tmp_path / "data", PICTOLAB_ML_LEASE_SECONDS=str(LEASE_SECONDS),
                   PICTOLAB_ML_GPU_CONCURRENCY="1", PICTOLAB_LOG_LEVEL="WARNING")
    processes = [ServiceProcess("ml-api", env, ready_timeout=240) for _ in range(2)]
    try:
        start_all(*processes)
        yield processes, tmp_path / "data" / "storage"
    finally:
        for process in processes:
            if process.proc and process.proc.poll() is None:
                os.killpg(process.proc.pid, signal.SIGCONT)
            process.stop(timeout=20)


def test_a_replica_stalled_past_its_lease_loses_the_run_and_changes_nothing(replicas):
    processes, storage = replicas
    workers = {gql(p, "{ health { worker } }")["health"]["worker"]: p for p in processes}
    run_id = "stalled0000000000000000000000001"
    gql(processes[0], START, i={"runId": run_id, "classes": ["brick", "grass"], "examples": put_photos(storage),
                                "mode": "DEEP", "epochs": 8, "imageSize": 64, "scope": "w1"})

    deadline = time.monotonic() + 120
    while (job := gql(processes[0], JOB, r=run_id)["trainingJob"])["epoch"] in (None, 0):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    stalled = workers[job["worker"]]
    survivor = next(p for p in processes if p is not stalled)
    os.killpg(stalled.proc.pid, signal.SIGSTOP)
    try:
        # Past the lease the other replica claims the run and resumes it from its checkpoint.
        survivor_name = next(name for name, process in workers.items() if process is survivor)
        deadline = time.monotonic() + 60
        while (job := gql(survivor, JOB, r=run_id)["trainingJob"])["worker"] != survivor_name:
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["attempt"] == 2
        deadline = time.monotonic() + 240
        while (job := gql(survivor, JOB, r=run_id)["trainingJob"])["status"] not in ("SUCCEEDED", "FAILED"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        finished = job
        assert finished["status"] == "SUCCEEDED", finished
        model = (storage / "runs" / run_id / "model.pt").read_bytes()
    finally:
        os.killpg(stalled.proc.pid, signal.SIGCONT)

    # Woken, the stalled worker learns at its next renewal or write that the run is not its
    # own: the row (status, worker, result) and the model stay as the survivor left them.
    time.sleep(3 * LEASE_SECONDS)
    assert gql(stalled, JOB, r=run_id)["trainingJob"] == finished
    assert (storage / "runs" / run_id / "model.pt").read_bytes() == model
    assert not (storage / "runs" / run_id / "checkpoint.pt").exists()
    assert gql(stalled, "{ health { worker } }")["health"]["worker"] != finished["worker"]



# ---- the whole pipeline: BFF processes, ML replicas, one queue -----------------------------
ADMIN_LOGIN = "mutation($p: String!) { adminLogin(password: $p) }"
SET_PHASE = "mutation($w: ID!, $p: Phase!) { setPhase(workshopId: $w, phase: $p) { phase } }"
UPLOAD = "mutation($c: ID!, $file: Upload!) { uploadPhoto(classId: $c, file: $file) { id } }"
LOGIN = "mutation($t: String!) { login(token: $t) { id } }"
TRAIN_DEEP = "mutation { train(mode: DEEP) { id status } }"
RUNS = "{ trainingRuns { id status epoch error } }"
PURGE = "mutation($w: ID!) { purgeWorkshop(workshopId: $w) { photos } }"


class CountingProxy:
    """A reverse proxy in front of the ML API replicas (round robin) that notes when each
    request came and which operation it carried: what the replicas see of the BFF."""

    def __init__(self, upstreams: list[str]):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.upstreams = upstreams
        self.seen: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._turn = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = proxy.next_upstream()
                try:
                    import json as _json

                    field = _json.loads(body).get("query", "").split("{", 2)[1].split("(")[0].strip()
                except (ValueError, IndexError, AttributeError):
                    field = "?"
                with proxy._lock:
                    proxy.seen.append((time.monotonic(), field))
                response = requests.post(upstream + self.path, data=body, timeout=130,
                                         headers={"Content-Type": self.headers.get("Content-Type", "")})
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next_upstream(self) -> str:
        with self._lock:
            self._turn += 1
            return self.upstreams[self._turn % len(self.upstreams)]

    def between(self, start: float, end: float) -> list[str]:
        with self._lock:
            return [field for at, field in self.seen if start <= at <= end]

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def pipeline(tmp_path):
    """Two ML API replicas behind a counting proxy, one BFF (`pictolab bff`: 2 gunicorn
    worker processes) whose PICTOLAB_ML_API_URL is the proxy."""
    import subprocess

    from tests.services import PICTOLAB

    data = tmp_path / "data"
    env = base_env(data, PICTOLAB_ML_LEASE_SECONDS=str(LEASE_SECONDS), PICTOLAB_ML_GPU_CONCURRENCY="1",
                   PICTOLAB_ML_DEEP_EPOCHS="2", PICTOLAB_MIN_PHOTOS_PER_CLASS="2", PICTOLAB_LOG_LEVEL="WARNING")
    replicas = [ServiceProcess("ml-api", env, ready_timeout=240) for _ in range(2)]
    proxy = CountingProxy([r.url for r in replicas])
    bff = ServiceProcess("bff", {**env, "PICTOLAB_ML_API_URL": proxy.url})
    try:
        subprocess.run([PICTOLAB, "db", "upgrade"], env=env, check=True, capture_output=True)
        start_all(*replicas, bff)
        yield env, bff, proxy, data
    finally:
        for process in (bff, *replicas):
            process.stop(timeout=20)
        proxy.close()


def open_workshop(env, bff, data, groups: int, title: str):
    from tests.e2e.helpers import Browser, create_workshop

    workshop = create_workshop(env, title, ["brick", "grass"], groups)
    admin = Browser(bff.url)
    assert admin.data(ADMIN_LOGIN, p=(data / "admin_password").read_text().strip())["adminLogin"] is True
    admin.data(SET_PHASE, w=workshop["id"], p="COLLECT")
    classes = {c["name"]: c["id"] for c in workshop["classes"]}
    photos = {name: texture_jpegs(name, 2, seed=5 + n, patch=64) for n, name in enumerate(classes)}
    browsers = []
    for group in workshop["groups"]:
        browser = Browser(bff.url)
        browser.data(LOGIN, t=group["token"])
        for name, jpegs in photos.items():
            for jpeg in jpegs:
                browser.upload(UPLOAD, {"c": classes[name]}, jpeg)
        browsers.append(browser)
    admin.data(SET_PHASE, w=workshop["id"], p="TRAIN")
    return workshop, admin, browsers


def test_eight_deep_runs_cost_the_replicas_a_few_requests_a_second(pipeline):
    """One batched ask per reconciler pass and BFF process: 8 DEEP runs through 2 BFF worker
    processes and 2 replicas reach the replicas with at most 5 requests a second."""
    env, bff, proxy, data = pipeline
    _, _, browsers = open_workshop(env, bff, data, 8, "eight deep runs")
    time.sleep(3)  # photo hints and embeddings of the uploads settle first
    start = time.monotonic()
    run_ids = [browser.data(TRAIN_DEEP)["train"]["id"] for browser in browsers]
    deadline = start + 400
    while True:
        runs = [next(r for r in b.data(RUNS)["trainingRuns"] if r["id"] == run_id)
                for b, run_id in zip(browsers, run_ids)]
        if all(r["status"] in ("SUCCEEDED", "FAILED") for r in runs):
            break
        assert time.monotonic() < deadline, runs
        time.sleep(0.5)
    end = time.monotonic()
    assert [r["status"] for r in runs] == ["SUCCEEDED"] * 8, runs
    fields = proxy.between(start, end)
    rate = len(fields) / (end - start)
    by_field = {field: fields.count(field) for field in set(fields)}
    assert rate <= 5.0, f"{rate:.1f} requests/s over {end - start:.0f} s: {by_field}"
    assert by_field.get("startTraining", 0) == 8, by_field  # each run enqueued once, never re-sent
    assert "trainingJob" not in by_field, by_field  # asked in batches only


def test_a_purge_in_the_middle_of_a_deep_run_leaves_nothing_in_storage(pipeline):
    env, bff, proxy, data = pipeline
    workshop, admin, browsers = open_workshop(env, bff, data, 1, "purged mid-run")
    run_id = browsers[0].data(TRAIN_DEEP)["train"]["id"]
    deadline = time.monotonic() + 240
    while not (run := next(r for r in browsers[0].data(RUNS)["trainingRuns"] if r["id"] == run_id))["epoch"]:
        assert time.monotonic() < deadline and run["status"] in ("QUEUED", "RUNNING"), run
        time.sleep(0.2)
    assert admin.data(PURGE, w=workshop["id"])["purgeWorkshop"]["photos"] == 4
    time.sleep(3 * LEASE_SECONDS)  # the worker's renewals and a late checkpoint write land now
    storage = data / "storage"
    left = [str(p.relative_to(storage)) for p in storage.rglob("*") if p.is_file()]
    assert [p for p in left if workshop["id"] in p or run_id in p] == [], left
    job = requests.post(proxy.upstreams[0] + "/graphql", timeout=10, json={
        "query": "query($r: ID!) { trainingJob(runId: $r) { status } }", "variables": {"r": run_id}}).json()
    assert job["errors"][0]["extensions"]["code"] == "NOT_FOUND", job  # the job's row went with it
