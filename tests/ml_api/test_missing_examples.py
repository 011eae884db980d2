"""A photo deleted while its group's run trains does not fail the run:
the ML job skips an example whose object is gone. A photo that is there but cannot be
decoded still fails the run with PHOTO_UNREADABLE (it names the photo for instructors)."""

from __future__ import annotations

import pytest

from tests.ml_api.helpers import new_id, put_photos, texture_images


@pytest.fixture
def setup(make_ml):
    ml = make_ml(ml_gpu_concurrency=1)
    images, labels = texture_images(per_class=4, patch=96)
    photos = put_photos(ml.storage, images, labels)
    return ml.storage, ml, photos


def run(storage, ml, photos, **extra) -> dict:
    """Train and return the job's row as the ML API keeps it (the queue's row: its result
    holds what GraphQL does not show, such as skippedExamples)."""
    run_id = new_id()
    ml.start(run_id, sorted({p.label for p in photos}), [p.example() for p in photos], **extra)
    job = ml.wait(run_id)
    row = ml.service.queue.get(run_id)
    assert (row["status"], row["error_code"], row["error"]) == (job["status"], job["errorCode"], job["error"])
    return {"status": row["status"], "errorCode": row["error_code"], "error": row["error"],
            **({"skippedExamples": row["result"]["skippedExamples"]} if row["result"] else {})}


@pytest.mark.parametrize("mode", ["QUICK", "DEEP"])
def test_a_deleted_photo_is_skipped(setup, mode):
    storage, ml, photos = setup
    storage.delete(photos[0].key)  # the child deleted it after pressing "train"
    storage.delete(photos[5].key)
    extra = {"mode": mode, **({"epochs": 1, "imageSize": 64} if mode == "DEEP" else {})}
    status = run(storage, ml, photos, **extra)
    assert status["status"] == "SUCCEEDED", status
    assert status["skippedExamples"] == 2


def test_an_unreadable_photo_still_fails_the_run(setup):
    storage, ml, photos = setup
    storage.put_bytes(photos[0].key, b"not a photo", "image/jpeg")
    status = run(storage, ml, photos, mode="QUICK")
    assert status["status"] == "FAILED" and status["errorCode"] == "PHOTO_UNREADABLE"
    assert photos[0].uri in status["error"]


def test_a_run_whose_photos_are_all_gone_fails_with_a_clear_error(setup):
    storage, ml, photos = setup
    for photo in photos:
        storage.delete(photo.key)
    status = run(storage, ml, photos, mode="QUICK")
    assert status["status"] == "FAILED" and status["errorCode"] == "PHOTO_UNREADABLE"
    assert "deleted" in status["error"]
