"""Several ML API replicas on one storage (issue 14): each reports its load and name in
`health`, each job names the replica that ran it, and of two replicas that find the same
orphaned run (or get the same new run) exactly one trains it: the status write that claims
the run is conditional on the generation read (pictolab.storage, put_*_if_generation)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import torch

from ml_api.jobs import JobManager
from pictolab.contract.storage_keys import request_key, status_key
from pictolab.storage import open_storage
from tests.ml_api.helpers import new_id, put_photos, texture_images

HEALTH = "{ health { queued running capacity worker } }"


@pytest.fixture
def no_weights_check(monkeypatch):
    monkeypatch.setattr("ml_api.jobs.get_spec", lambda _: type("S", (), {"check_available": lambda self: None})())


def request_for(storage, run_id: str) -> dict:
    key = f"photos/w/{new_id()}.jpg"
    storage.put_bytes(key, b"\xff\xd8 not read by the fake trainer", "image/jpeg")
    return {"runId": run_id, "classes": ["a", "b"], "mode": "QUICK",
            "examples": [{"uri": storage.uri(key), "label": "a"}, {"uri": storage.uri(key), "label": "b"}]}


class Replicas:
    """Two JobManagers (two replicas) on one storage whose trainer records who trained what."""

    def __init__(self, storage):
        self.storage = storage
        self.trained: list[tuple[str, str]] = []
        self.release = threading.Event()
        self.managers = [self._manager() for _ in range(2)]
        for n, manager in enumerate(self.managers):  # one host here: tell the replicas apart
            manager.owner = {**manager.owner, "host": f"replica-{n}"}
            manager.worker = f"replica-{n}:{manager.owner['pid']}"

    def _manager(self) -> JobManager:
        def trainer(job):
            self.trained.append((job.request.run_id, job.manager.worker))
            self.release.wait(30)
            key = f"runs/{job.request.run_id}/model.pt"
            job.storage.put_bytes(key, b"model")
            return {"train_accuracy": 1.0, "model_key": key}

        return JobManager(self.storage, torch.device("cpu"), trainers={"QUICK": trainer}, workers=1,
                          default_backbone="efficientnet_lite0")

    def start_together(self, request: dict, read_together: bool = True) -> list[dict]:
        """Both replicas get startTraining for ``request`` at once; with ``read_together`` both
        read the run's status before either writes (the race the conditional write settles)."""
        barrier = threading.Barrier(2)
        real_read = self.storage.get_json_and_generation

        def read_then_wait(key):
            value = real_read(key)
            if key == status_key(request["runId"]) and read_together:
                barrier.wait(10)
            return value

        self.storage.get_json_and_generation = read_then_wait
        results: list = [None, None]

        def start(n):
            results[n] = self.managers[n].start(request)

        threads = [threading.Thread(target=start, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.storage.get_json_and_generation = real_read
        return results

    def close(self):
        self.release.set()
        for manager in self.managers:
            manager.shutdown()


@pytest.fixture
def replicas(tmp_path, no_weights_check):
    group = Replicas(open_storage((tmp_path / "s").as_uri()))
    yield group
    group.close()


def wait_trained(replicas: Replicas, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(replicas.trained) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # a second trainer, if any, would have started by now


def test_two_replicas_taking_over_one_orphaned_run_train_it_once(replicas):
    storage, run_id = replicas.storage, new_id()
    request = request_for(storage, run_id)
    storage.put_json(request_key(run_id), {**request, "backbone": "efficientnet_lite0"})
    # Its owner on a third host went silent a minute ago: both replicas see it orphaned.
    old = (datetime.now(UTC) - timedelta(seconds=60)).isoformat(timespec="milliseconds")
    storage.put_json(status_key(run_id), {"runId": run_id, "status": "RUNNING", "mode": "QUICK", "progress": 0.3,
                                          "heartbeat": old, "attempt": 1, "worker": "gone:1",
                                          "owner": {"host": "gone", "pid": 1, "instance": "x"}})
    answers = replicas.start_together(request)
    wait_trained(replicas, 1)
    assert [run for run, _ in replicas.trained] == [run_id]
    winner = replicas.trained[0][1]
    # Both answer with the winner's status: the loser found the run taken and did not queue it.
    assert [a["worker"] for a in answers] == [winner, winner]
    assert sum(len(m.active_runs()) for m in replicas.managers) == 1
    assert storage.get_json(status_key(run_id))["attempt"] == 2


def test_two_replicas_given_one_new_run_train_it_once(replicas):
    run_id = new_id()
    answers = replicas.start_together(request_for(replicas.storage, run_id))
    wait_trained(replicas, 1)
    assert [run for run, _ in replicas.trained] == [run_id]
    assert {a["worker"] for a in answers} == {replicas.trained[0][1]}


def test_a_live_owner_keeps_its_run(replicas):
    """Not a race: the second replica reads the first one's fresh heartbeat and leaves the run."""
    run_id = new_id()
    request = request_for(replicas.storage, run_id)
    first = replicas.managers[0].start(request)
    second = replicas.managers[1].start(request)
    wait_trained(replicas, 1)
    assert replicas.trained == [(run_id, replicas.managers[0].worker)]
    assert first["worker"] == second["worker"] == replicas.managers[0].worker


def test_health_reports_load_and_jobs_name_their_worker(make_ml):
    ml = make_ml(app_config={"ML_LOAD_BACKBONE": False}, ml_gpu_concurrency=1)
    ml.service.jobs.analyse = None  # no real model here to analyse
    health = ml.data(HEALTH)["health"]
    worker = ml.service.jobs.worker
    assert health == {"queued": 0, "running": 0, "capacity": 1, "worker": worker}
    assert worker.rsplit(":", 1)[1].isdigit()

    release = threading.Event()

    def slow(job):  # no real training: only the bookkeeping around it is under test
        release.wait(30)
        key = f"runs/{job.request.run_id}/model.pt"
        job.storage.put_bytes(key, b"model")
        return {"train_accuracy": 1.0, "model_key": key}

    ml.service.jobs.trainers["QUICK"] = slow
    images, labels = texture_images(per_class=2, patch=48)
    photos = put_photos(ml.storage, images, labels)
    examples = [{"uri": p.uri, "label": p.label} for p in photos]
    try:
        ml.start("r1", sorted(set(labels)), examples)
        ml.start("r2", sorted(set(labels)), examples)
        deadline = time.monotonic() + 10
        while ml.data(HEALTH)["health"]["running"] != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ml.data(HEALTH)["health"] == {"queued": 1, "running": 1, "capacity": 1, "worker": worker}
    finally:
        release.set()
    assert ml.wait("r1")["status"] == "SUCCEEDED"
    assert ml.data('{ trainingJob(runId: "r1") { worker } }')["trainingJob"]["worker"] == worker
