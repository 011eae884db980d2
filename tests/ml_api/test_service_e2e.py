"""The real `pictolab ml-api` under gunicorn: readiness, a DEEP run surviving a SIGKILL of
the whole process (its lease runs out and the restarted process claims the row and resumes
from the checkpoint), and SIGTERM checkpointing and releasing the run within the grace
period. The job's state is its row in the queue database (PICTOLAB_DATA_DIR/ml-queue.db),
read through trainingJob, or directly while no process is up."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from ml_api.queue import JobQueue, open_engine
from pictolab.storage import open_storage
from tests.ml_api.helpers import JOB_FIELDS, START, new_id, put_photos, texture_images
from tests.services import ServiceProcess, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLASSES = ["brick", "grass"]


def gql(service, query, **variables):
    response = requests.post(service.url + "/graphql", json={"query": query, "variables": variables}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def job(service, run_id):
    return gql(service, f"query($r: ID!) {{ trainingJob(runId: $r) {{ {JOB_FIELDS} }} }}", r=run_id)["trainingJob"]


def wait_until(condition, timeout=120, interval=0.02):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(interval)


# Short enough that the restarted process resumes a killed run soon, long enough that a
# busy 2-core box never lets a live run's lease lapse (renewed every second).
LEASE_SECONDS = 5


@pytest.fixture
def env(tmp_path):
    return base_env(tmp_path / "data", PICTOLAB_ML_LEASE_SECONDS=str(LEASE_SECONDS))


def row(env, run_id) -> dict:
    """The job's row, read from the queue database itself (no ML API process is up)."""
    engine = open_engine(f"sqlite:///{env['PICTOLAB_DATA_DIR']}/ml-queue.db")
    try:
        return JobQueue(engine).get(run_id)
    finally:
        engine.dispose()


@pytest.fixture
def storage(env):
    # Where the service's embedded default puts it (PICTOLAB_DATA_DIR/storage).
    from pathlib import Path

    return open_storage((Path(env["PICTOLAB_DATA_DIR"]) / "storage").as_uri())


def deep_input(storage, run_id, epochs, per_class=8):
    images, labels = texture_images(per_class=per_class, patch=96)
    keep = [i for i, label in enumerate(labels) if label in CLASSES]
    photos = put_photos(storage, [images[i] for i in keep], [labels[i] for i in keep])
    return {"runId": run_id, "classes": CLASSES, "examples": [p.example() for p in photos], "mode": "DEEP",
            "epochs": epochs, "imageSize": 64}


def test_health_and_readiness(env):
    with ServiceProcess("ml-api", env) as ml:
        assert requests.get(ml.url + "/healthz", timeout=5).json() == {"status": "ok"}
        health = gql(ml, "{ health { device deviceName backbone ready queued running capacity worker "
                         "oldestQueuedSeconds } }")["health"]
        assert health == {"device": "cpu", "deviceName": health["deviceName"], "backbone": "efficientnet_lite0",
                          "ready": True, "queued": 0, "running": 0, "capacity": 2, "worker": health["worker"],
                          "oldestQueuedSeconds": 0.0}
        assert health["deviceName"]
        host, pid = health["worker"].rsplit(":", 1)
        assert host and int(pid) != os.getpid()  # the gunicorn worker's pid


def test_deep_run_resumes_after_the_process_is_killed(env, storage):
    run_id, epochs = new_id(), 6
    request = deep_input(storage, run_id, epochs)
    checkpoint = f"runs/{run_id}/checkpoint.pt"
    ml = ServiceProcess("ml-api", env).start()
    try:
        first = gql(ml, START, input=request)["startTraining"]
        again = gql(ml, START, input=request)["startTraining"]
        assert again["runId"] == first["runId"] == run_id and again["attempt"] <= 1

        wait_until(lambda: storage.exists(checkpoint))
        ml.kill()  # SIGKILL, master and worker: a GPU node terminated by host maintenance
        died = row(env, run_id)
        # The row still says RUNNING under the dead process's claim, until its lease runs
        # out. It says the epochs trained; the checkpoint of the last one may still have been
        # uploading (it is written in the background while the next epoch trains).
        assert died["status"] == "RUNNING" and died["claim"] and (died["epoch"] or 0) < epochs, died
        assert died["attempt"] == 1

        ml.start()  # a new process on the same queue and storage: it claims the expired row
        resumed = gql(ml, START, input=request)["startTraining"]
        assert resumed["runId"] == run_id  # (idempotent: the row is there, nothing is queued again)
        wait_until(lambda: job(ml, run_id)["status"] in ("SUCCEEDED", "FAILED"), timeout=180, interval=0.2)
        done = job(ml, run_id)
        assert done["status"] == "SUCCEEDED", done["error"]
        assert done["attempt"] == 2 and done["worker"] != died["worker"]
        assert done["resumedFromEpoch"] >= max(1, (died["epoch"] or 0) - 1)
        assert done["epochsRun"] == epochs - done["resumedFromEpoch"] < epochs  # fewer than a fresh run
        assert done["epoch"] == epochs and not storage.exists(checkpoint)
        assert gql(ml, START, input=request)["startTraining"]["status"] == "SUCCEEDED"
    finally:
        ml.stop(timeout=30)


def test_sigterm_checkpoints_and_exits_within_the_grace_period(env, storage):
    run_id = new_id()
    request = deep_input(storage, run_id, epochs=40)
    ml = ServiceProcess("ml-api", env).start()
    try:
        gql(ml, START, input=request)
        wait_until(lambda: (job(ml, run_id)["epoch"] or 0) >= 1, interval=0.1)
        started = time.monotonic()
        os.killpg(ml.proc.pid, signal.SIGTERM)  # what Kubernetes sends
        try:
            returncode = ml.proc.wait(timeout=60)  # gunicorn's graceful_timeout for the ML API
        except subprocess.TimeoutExpired:
            pytest.fail("ml-api did not exit within the grace period")
        elapsed = time.monotonic() - started
        assert returncode == 0, ml.log_tail()
        # Released: QUEUED and claimable at once by any replica (no lease to wait out).
        released = row(env, run_id)
        assert released["status"] == "QUEUED" and released["interrupted"] is True, released
        assert released["claim"] is None and released["lease_until"] is None
        assert 1 <= released["epoch"] < 40
        assert storage.exists(f"runs/{run_id}/checkpoint.pt")
        assert "training interrupted; released for another worker" in ml.log_tail(200)
        print(f"SIGTERM to exit: {elapsed:.2f}s")
    finally:
        ml.stop(timeout=30)
