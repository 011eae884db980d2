"""A purged run writes nothing that survives the purge (issue 10 item 6).

The BFF writes ``purged/runs/<runId>`` before it deletes a workshop's objects; the job looks
for it after every write and deletes what it just wrote when it is there. Whatever the
interleaving, nothing of the run or its workshop is left once the job has ended: a write
that finished before the marker was written is swept by the BFF's deletion, one that
finished after it is removed by the job itself.
"""

from __future__ import annotations

import threading
import time

import torch

from ml_api.jobs import JobManager
from pictolab.contract.storage_keys import purge_marker_key, workshop_purge_prefixes
from pictolab.storage import open_storage
from tests.ml_api.helpers import new_id


def bff_purge(storage, workshop_id: str, run_ids: list[str]) -> None:
    """What bff.workshops.purge_workshop does to storage, in its order."""
    for run_id in run_ids:
        storage.put_json(purge_marker_key(run_id), {})
    for prefix in workshop_purge_prefixes(workshop_id, run_ids):
        storage.delete_prefix(prefix)


def leftovers(storage, workshop_id: str, run_id: str) -> list[str]:
    return [key for key in storage.list("") if (workshop_id in key or run_id in key)
            and key != purge_marker_key(run_id)]


def manager(storage, trainer, *, heartbeat: float = 3600.0) -> JobManager:
    # A heartbeat far in the future: the purge is not noticed by the heartbeat, only by the
    # writes themselves (the race the heartbeat alone leaves open).
    return JobManager(storage, torch.device("cpu"), trainers={"QUICK": trainer}, workers=1,
                      default_backbone="efficientnet_lite0", heartbeat_seconds=heartbeat)


def put_photo(storage, workshop_id: str) -> str:
    key = f"photos/{workshop_id}/{new_id()}.jpg"
    storage.put_bytes(key, b"\xff\xd8 not really a jpeg", "image/jpeg")
    return key


def start(jobs: JobManager, storage, run_id: str, photo_key: str) -> None:
    jobs.start({"runId": run_id, "classes": ["a", "b"], "mode": "QUICK",
                "examples": [{"uri": storage.uri(photo_key), "label": "a"},
                             {"uri": storage.uri(photo_key), "label": "b"}]})


def wait_idle(jobs: JobManager) -> None:
    deadline = time.monotonic() + 60
    while jobs.active_runs():
        assert time.monotonic() < deadline, "the job never ended"
        time.sleep(0.02)


def test_writes_after_a_purge_are_removed_and_the_run_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("ml_api.jobs.get_spec", lambda _: type("S", (), {"check_available": lambda self: None})())
    storage = open_storage((tmp_path / "s").as_uri())
    workshop_id, run_id = new_id(), new_id()
    photo = put_photo(storage, workshop_id)
    wrote_before, purged = threading.Event(), threading.Event()

    def trainer(job):
        # An embedding cached before the purge, then the model written after it.
        job.storage.put_bytes(f"cache/embeddings/{photo}/b/0.npy", b"before")
        wrote_before.set()
        purged.wait(30)
        job.storage.put_bytes(f"cache/embeddings/{photo}/b/1.npy", b"after")
        job.storage.put_bytes(f"runs/{run_id}/model.pt", b"model")
        return {"train_accuracy": 1.0, "model_key": f"runs/{run_id}/model.pt"}

    jobs = manager(storage, trainer)
    try:
        start(jobs, storage, run_id, photo)
        assert wrote_before.wait(30)
        bff_purge(storage, workshop_id, [run_id])
        purged.set()
        wait_idle(jobs)
    finally:
        jobs.shutdown()
    assert leftovers(storage, workshop_id, run_id) == []
    assert storage.get_json_or_none(f"runs/{run_id}/status.json") is None


def test_a_final_status_written_after_the_purge_is_removed(tmp_path, monkeypatch):
    """The job fails (its photos are gone) after the purge: no FAILED status reappears."""
    monkeypatch.setattr("ml_api.jobs.get_spec", lambda _: type("S", (), {"check_available": lambda self: None})())
    storage = open_storage((tmp_path / "s").as_uri())
    workshop_id, run_id = new_id(), new_id()
    photo = put_photo(storage, workshop_id)
    running, purged = threading.Event(), threading.Event()

    def trainer(job):
        running.set()
        purged.wait(30)
        raise RuntimeError("the photos are gone")

    jobs = manager(storage, trainer)
    try:
        start(jobs, storage, run_id, photo)
        assert running.wait(30)
        bff_purge(storage, workshop_id, [run_id])
        purged.set()
        wait_idle(jobs)
    finally:
        jobs.shutdown()
    assert leftovers(storage, workshop_id, run_id) == []


def test_a_purged_run_cannot_be_started_again(tmp_path, monkeypatch):
    """A startTraining already in flight when the purge ran (the BFF's reconciler) is refused."""
    monkeypatch.setattr("ml_api.jobs.get_spec", lambda _: type("S", (), {"check_available": lambda self: None})())
    from ml_api.training_request import InvalidRequest

    storage = open_storage((tmp_path / "s").as_uri())
    workshop_id, run_id = new_id(), new_id()
    photo = put_photo(storage, workshop_id)
    bff_purge(storage, workshop_id, [run_id])
    photo = put_photo(storage, workshop_id)  # (re-created only so the request parses)
    jobs = manager(storage, lambda job: {"train_accuracy": 1.0, "model_key": "x"})
    try:
        try:
            start(jobs, storage, run_id, photo)
        except InvalidRequest as exc:
            assert "purged" in str(exc)
        else:
            raise AssertionError("a purged run was started")
    finally:
        jobs.shutdown()
    storage.delete_prefix(f"photos/{workshop_id}")
    assert leftovers(storage, workshop_id, run_id) == []
