"""Small pieces: the linear head fit, the model LRU, who owns a run, presets."""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import torch

from ml_api.jobs import JobManager
from ml_api.models import ModelCache
from ml_api.presets import get_preset
from ml_api.quick import fit_linear_head
from ml_api.trainers import TRAINERS


def test_linear_head_separates_and_standardises():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 64)) * 3
    labels = np.repeat(np.arange(3), 20)
    features = (centres[labels] + rng.normal(size=(60, 64)) + 50).astype(np.float32)  # far from zero
    fit = fit_linear_head(features, labels, 3)
    assert fit.train_accuracy == 1.0
    assert torch.allclose(fit.head.mean, torch.as_tensor(features.mean(0)), atol=1e-4)
    # Stronger weight decay gives smaller weights: the penalty is really applied.
    strong = fit_linear_head(features, labels, 3, weight_decay=1.0)
    assert strong.head.linear.weight.norm() < fit.head.linear.weight.norm()


def test_model_cache_keeps_the_most_recently_used():
    cache = ModelCache(capacity=2)
    loads = []

    def loader(name):
        return lambda: loads.append(name) or name

    assert cache.get("a", loader("a")) == "a"
    cache.get("b", loader("b"))
    cache.get("a", loader("a"))  # hit: a becomes the most recent
    cache.get("c", loader("c"))  # evicts b
    assert loads == ["a", "b", "c"] and "b" not in cache and "a" in cache and len(cache) == 2
    cache.get("b", loader("b"))
    assert loads == ["a", "b", "c", "b"]


@pytest.fixture
def manager(tmp_path):
    from pictolab.storage import open_storage

    jobs = JobManager(open_storage((tmp_path / "s").as_uri()), torch.device("cpu"), trainers=TRAINERS, workers=1,
                      default_backbone="efficientnet_lite0", stale_after_seconds=30)
    yield jobs
    jobs.shutdown()


def _status(seconds_ago: float, **owner) -> dict:
    when = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return {"status": "RUNNING", "heartbeat": when.isoformat(), "owner": owner}


def test_who_owns_a_run(manager):
    here, me = socket.gethostname(), manager.owner
    other_host = {"host": "another-pod", "pid": 1, "instance": "x"}
    assert not manager._owner_gone(_status(1, **other_host))  # a live replica elsewhere
    assert manager._owner_gone(_status(120, **other_host))  # its heartbeat stopped
    assert manager._owner_gone({"status": "QUEUED", "interrupted": True, "owner": other_host})
    # Same host: a dead process, or an earlier life of this very pid (container restart).
    dead_pid = 2 ** 22 + 12345
    assert manager._owner_gone(_status(1, host=here, pid=dead_pid, instance="old"))
    assert manager._owner_gone(_status(1, host=here, pid=os.getpid(), instance="old"))
    assert manager._owner_gone(_status(1, **me))  # ours but not running here any more
    assert not manager._owner_gone(_status(1, host=here, pid=os.getppid(), instance="other"))


def test_presets_share_normalisation_between_train_and_eval():
    from PIL import Image

    preset = get_preset("lite-224")
    image = Image.new("RGB", (300, 200), (255, 0, 128))
    evaluated = preset.eval_transform()(image)
    trained = preset.train_transform()(image)
    assert evaluated.shape == trained.shape == (3, 224, 224)
    assert evaluated[0].max() == pytest.approx(1.0) and evaluated[1].min() == pytest.approx(-1.0)
    assert get_preset("lite-224", 64).eval_transform()(image).shape == (3, 64, 64)


def test_a_failed_first_status_write_leaves_no_phantom_job(tmp_path):
    """If the first status.json write fails, start() raises and nothing stays registered:
    a retried startTraining really starts the job instead of returning a phantom QUEUED."""
    from pictolab.storage import StorageError, open_storage
    from tests.ml_api.helpers import put_photos, texture_images

    storage = open_storage((tmp_path / "s").as_uri())
    images, labels = texture_images(per_class=2, patch=64)
    photos = put_photos(storage, images, labels)
    request = {"runId": "r1", "classes": sorted(set(labels)), "mode": "QUICK",
               "examples": [{"uri": p.uri, "label": p.label} for p in photos]}
    real_put_json = storage.put_json
    fail = {"status": True}

    def flaky_put_json(key, value):
        if key.endswith("status.json") and fail["status"]:
            fail["status"] = False
            raise StorageError("storage hiccup")
        return real_put_json(key, value)

    real_put_if = storage.put_json_if_generation

    def flaky_put_json_if_generation(key, value, generation):  # the first status write is conditional
        if key.endswith("status.json") and fail["status"]:
            fail["status"] = False
            raise StorageError("storage hiccup")
        return real_put_if(key, value, generation)

    storage.put_json = flaky_put_json
    storage.put_json_if_generation = flaky_put_json_if_generation
    jobs = JobManager(storage, torch.device("cpu"), trainers=TRAINERS, workers=1,
                      default_backbone="efficientnet_lite0")
    try:
        with pytest.raises(StorageError):
            jobs.start(request)
        assert jobs.active_runs() == []
        jobs.start(request)  # the retry runs it
        deadline = time.monotonic() + 120
        while storage.get_json("runs/r1/status.json")["status"] not in ("SUCCEEDED", "FAILED"):
            assert time.monotonic() < deadline, "the retried job never finished"
            time.sleep(0.1)
        assert storage.get_json("runs/r1/status.json")["status"] == "SUCCEEDED"
    finally:
        jobs.shutdown()


def test_a_failed_checkpoint_upload_is_logged_not_fatal(tmp_path, caplog):
    """A checkpoint is insurance: a storage hiccup while uploading one must not fail a run
    that trains fine (the next epoch's checkpoint or the model replaces it)."""
    from ml_api.checkpoint import BackgroundCheckpointWriter
    from pictolab.storage import StorageError, open_storage

    storage = open_storage((tmp_path / "s").as_uri())
    real_put = storage.put_bytes
    calls = {"n": 0}

    def flaky_put(key, data, content_type="application/octet-stream"):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageError("GCS 503 after retries")
        return real_put(key, data, content_type)

    storage.put_bytes = flaky_put
    writer = BackgroundCheckpointWriter(storage)
    writer.save("runs/r/checkpoint.pt", {"epoch": 1, "w": torch.zeros(2)})
    assert writer.flush() is False  # the first upload failed, and said so
    assert "checkpoint upload failed" in caplog.text
    writer.save("runs/r/checkpoint.pt", {"epoch": 2, "w": torch.ones(2)})
    assert writer.flush() is True
    assert storage.exists("runs/r/checkpoint.pt")
