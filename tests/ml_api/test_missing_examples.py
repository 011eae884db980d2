"""A photo deleted while its group's run trains does not fail the run (issue 10 item 9):
the ML job skips an example whose object is gone. A photo that is there but cannot be
decoded still fails the run with PHOTO_UNREADABLE (it names the photo for instructors)."""

from __future__ import annotations

import time

import pytest
import torch

from ml_api.jobs import JobManager
from ml_api.trainers import TRAINERS
from pictolab.storage import open_storage
from tests.ml_api.helpers import new_id, put_photos, texture_images


@pytest.fixture
def setup(tmp_path):
    storage = open_storage((tmp_path / "s").as_uri())
    jobs = JobManager(storage, torch.device("cpu"), trainers=TRAINERS, workers=1,
                      default_backbone="efficientnet_lite0")
    images, labels = texture_images(per_class=4, patch=96)
    photos = put_photos(storage, images, labels)
    yield storage, jobs, photos
    jobs.shutdown()


def run(storage, jobs, photos, **extra) -> dict:
    run_id = new_id()
    jobs.start({"runId": run_id, "classes": sorted({p.label for p in photos}),
                "examples": [p.example() for p in photos], **extra})
    deadline = time.monotonic() + 240
    while (status := storage.get_json(f"runs/{run_id}/status.json"))["status"] not in ("SUCCEEDED", "FAILED"):
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


@pytest.mark.parametrize("mode", ["QUICK", "DEEP"])
def test_a_deleted_photo_is_skipped(setup, mode):
    storage, jobs, photos = setup
    storage.delete(photos[0].key)  # the child deleted it after pressing "train"
    storage.delete(photos[5].key)
    extra = {"mode": mode, **({"epochs": 1, "imageSize": 64} if mode == "DEEP" else {})}
    status = run(storage, jobs, photos, **extra)
    assert status["status"] == "SUCCEEDED", status
    assert status["skippedExamples"] == 2


def test_an_unreadable_photo_still_fails_the_run(setup):
    storage, jobs, photos = setup
    storage.put_bytes(photos[0].key, b"not a photo", "image/jpeg")
    status = run(storage, jobs, photos, mode="QUICK")
    assert status["status"] == "FAILED" and status["errorCode"] == "PHOTO_UNREADABLE"
    assert photos[0].uri in status["error"]


def test_a_run_whose_photos_are_all_gone_fails_with_a_clear_error(setup):
    storage, jobs, photos = setup
    for photo in photos:
        storage.delete(photo.key)
    status = run(storage, jobs, photos, mode="QUICK")
    assert status["status"] == "FAILED" and status["errorCode"] == "PHOTO_UNREADABLE"
    assert "deleted" in status["error"]
