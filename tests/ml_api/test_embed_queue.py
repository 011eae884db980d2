"""Eager embeddings in the ML API (issue 11): ``embedPhotos`` enqueues, the background
thread embeds into the same cache a run reads, a photo deleted meanwhile leaves nothing
behind, and the thread yields to a child's job. ``trainingJob(waitSeconds)`` long-polls."""

from __future__ import annotations

import threading
import time

import pytest

from ml_api.embed_queue import EmbedQueue
from ml_api.job_wait import JobWaiter
from pictolab.contract.storage_keys import embeddings_prefix
from tests.ml_api.helpers import put_photos, texture_images

EMBED = "mutation($input: EmbedPhotosInput!) { embedPhotos(input: $input) { cached accepted queued } }"
WAIT = "query($runId: ID!, $w: Float, $seen: JobStatus) { trainingJob(runId: $runId, waitSeconds: $w, seenStatus: $seen) { status progress } }"


@pytest.fixture
def ml(make_ml):
    # The test drives the queue by hand (run_once) instead of racing its thread.
    return make_ml(app_config={"ML_EMBED_IN_BACKGROUND": False})


def cached_keys(storage, key: str) -> list[str]:
    return list(storage.list(embeddings_prefix(key)))


def test_stored_photo_is_embedded_and_then_confirmed(ml):
    images, labels = texture_images(per_class=2, patch=64)
    photos = put_photos(ml.storage, images, labels)
    uris = [p.uri for p in photos]
    first = ml.data(EMBED, input={"uris": uris})["embedPhotos"]
    assert first == {"cached": [], "accepted": len(photos), "queued": len(photos)}
    queue = ml.service.embedder
    while queue.run_once(wait_while_busy=False):
        pass
    assert queue.embedded == len(photos)
    for photo in photos:
        assert len(cached_keys(ml.storage, photo.key)) == 1  # the cache entry a run reads
    again = ml.data(EMBED, input={"uris": uris})["embedPhotos"]
    assert sorted(again["cached"]) == sorted(uris) and again["accepted"] == 0


def test_a_restarted_process_confirms_from_the_cache_without_computing(ml, make_ml):
    photos = put_photos(ml.storage, *texture_images(per_class=1, patch=64))
    ml.data(EMBED, input={"uris": [p.uri for p in photos]})
    while ml.service.embedder.run_once(wait_while_busy=False):
        pass
    # A new process (a restart) knows nothing: it queues them, finds them cached, confirms.
    fresh = make_ml(storage_url=ml.storage.url, app_config={"ML_EMBED_IN_BACKGROUND": False})
    assert fresh.data(EMBED, input={"uris": [p.uri for p in photos]})["embedPhotos"]["cached"] == []
    while fresh.service.embedder.run_once(wait_while_busy=False):
        pass
    assert fresh.service.embedder.embedded == len(photos)
    assert len(fresh.data(EMBED, input={"uris": [p.uri for p in photos]})["embedPhotos"]["cached"]) == len(photos)


def test_a_photo_already_deleted_leaves_no_embedding(ml):
    photo, kept = put_photos(ml.storage, *texture_images(per_class=1, patch=64))[:2]
    ml.data(EMBED, input={"uris": [photo.uri, kept.uri]})
    ml.storage.delete(photo.key)  # the group deleted it before the thread got to it
    ml.service.embedder.run_once(wait_while_busy=False)
    assert cached_keys(ml.storage, photo.key) == []
    assert len(cached_keys(ml.storage, kept.key)) == 1


class DeletesDuringWrite:
    """Storage whose embedding writes race the BFF's delete_photo: the photo's object and its
    embeddings prefix are deleted (as bff.photos.delete_photo does, in its order) just
    before the background write lands."""

    def __init__(self, storage, victim_key: str):
        self._storage = storage
        self.victim_key = victim_key

    def __getattr__(self, name):
        return getattr(self._storage, name)

    def put_bytes(self, key, data, content_type="application/octet-stream"):
        if key.startswith(embeddings_prefix(self.victim_key)):
            self._storage.delete(self.victim_key)
            self._storage.delete_prefix(embeddings_prefix(self.victim_key))
        self._storage.put_bytes(key, data, content_type)


def test_the_late_background_write_of_a_deleted_photo_is_undone(ml):
    photo = put_photos(ml.storage, *texture_images(per_class=1, patch=64))[0]
    racing = DeletesDuringWrite(ml.storage, photo.key)
    queue = EmbedQueue(racing, ml.service.device, default_backbone=ml.service.settings.ml_backbone, start=False)
    queue.submit([(photo.uri, photo.key)])
    queue.run_once(wait_while_busy=False)
    assert not ml.storage.exists(photo.key)
    assert cached_keys(ml.storage, photo.key) == []  # the resurrected entry was deleted again


def test_the_thread_yields_while_a_child_job_runs(ml):
    photo = put_photos(ml.storage, *texture_images(per_class=1, patch=64))[0]
    busy = threading.Event()
    busy.set()
    queue = EmbedQueue(ml.storage, ml.service.device, default_backbone=ml.service.settings.ml_backbone,
                       busy=busy.is_set)
    try:
        queue.submit([(photo.uri, photo.key)])
        time.sleep(0.5)
        assert queue.embedded == 0 and queue.pending() == 1  # waited for the job
        busy.clear()
        deadline = time.monotonic() + 60
        while queue.embedded == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queue.embedded == 1
    finally:
        queue.stop()


def test_embed_photos_refuses_uris_outside_the_storage(ml):
    assert ml.error_code(EMBED, input={"uris": ["file:///etc/passwd"]}) == "BAD_USER_INPUT"


class FakeJobs:
    def __init__(self, status):
        self.status = status

    def read_status(self, run_id):
        return dict(self.status)

    def active_runs(self):
        return ["r"]


def test_the_long_poll_answers_when_the_status_changes():
    jobs = FakeJobs({"runId": "r", "status": "RUNNING", "progress": 0.0})
    waiter = JobWaiter(jobs)
    timer = threading.Timer(0.2, lambda: jobs.status.update(status="SUCCEEDED", progress=1.0))
    timer.start()
    started = time.monotonic()
    status = waiter.wait("r", 5.0)
    assert status["status"] == "SUCCEEDED"
    assert time.monotonic() - started < 1.5  # told, not the whole wait


def test_the_long_poll_gives_up_after_its_wait_and_answers_a_change_seen_before():
    jobs = FakeJobs({"runId": "r", "status": "RUNNING", "progress": 0.0})
    started = time.monotonic()
    assert JobWaiter(jobs).wait("r", 0.3)["status"] == "RUNNING"
    assert 0.25 < time.monotonic() - started < 2
    started = time.monotonic()
    assert JobWaiter(jobs).wait("r", 5.0, seen="QUEUED")["status"] == "RUNNING"  # changed already
    assert time.monotonic() - started < 0.2


def test_training_job_wait_over_graphql(ml):
    photos = put_photos(ml.storage, *texture_images(per_class=3, patch=64))
    run_id = "a" * 32
    ml.start(run_id, ["brick", "grass", "gravel"], [p.example() for p in photos])
    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline:
        status = ml.data(WAIT, runId=run_id, w=5.0)["trainingJob"]["status"]
        if status in ("SUCCEEDED", "FAILED"):
            break
    assert status == "SUCCEEDED"
