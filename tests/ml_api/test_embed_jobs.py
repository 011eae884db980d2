"""Eager embeddings as queued jobs: ``embedPhotos`` queues one EMBED row per photo (and
backbone), however often and wherever it is sent; a worker caches the embedding a run reads;
a photo deleted before or while it is embedded leaves no embedding
(:func:`ml_api.embeddings.forget_if_photo_gone`); background work waits while a run trains
in the process or a child waits on it for an answer (``WorkerPool._next``).

The tests drive the queue by hand (``ML_WORKERS: False``, :func:`run_queued`): no worker
thread races them."""

from __future__ import annotations

import math
import threading

import pytest

from ml_api.data import content_hash
from ml_api.embeddings import CPU_EMBED_BATCH
from ml_api.queue import EMBED, HINTS, TRAIN
from pictolab.contract.storage_keys import embedding_key, embeddings_prefix
from tests.ml_api.helpers import EMBED_PHOTOS, job_kinds, new_id, put_photos, run_queued, texture_images

BACKBONE = "efficientnet_lite0"
DELETE_JOBS = "mutation($s: String!) { deleteJobs(scope: $s) }"


@pytest.fixture
def ml(make_ml):
    return make_ml(app_config={"ML_WORKERS": False})


def cached_keys(storage, key: str) -> list[str]:
    return list(storage.list(embeddings_prefix(key)))


def embed(ml, uris, **extra) -> dict:
    return ml.data(EMBED_PHOTOS, input={"uris": uris, **extra})["embedPhotos"]


def test_each_photo_is_one_job_however_often_and_wherever_it_is_sent(database_url, make_ml):
    replicas = [make_ml(app_config={"ML_WORKERS": False, "ML_LOAD_BACKBONE": False, "ML_MIGRATE": True},
                        ml_database_url=database_url) for _ in range(2)]
    ml = replicas[0]
    photos = put_photos(ml.storage, *texture_images(per_class=2, patch=64))
    uris = [p.uri for p in photos]
    scope = new_id()
    assert embed(ml, uris, scope=scope) == {"accepted": len(photos), "queued": 0}  # queued: training jobs
    rows = ml.rows(EMBED)
    assert sorted(row["payload"]["uri"] for row in rows) == sorted(uris)
    assert {(row["status"], row["scope"], row["payload"]["backbone"]) for row in rows} == {("QUEUED", scope, BACKBONE)}
    # Sent again (a BFF retry), or to another replica on the same queue: nothing is added.
    assert embed(ml, uris, scope=scope)["accepted"] == 0
    assert embed(replicas[1], [*uris[:2], *uris], scope=scope)["accepted"] == 0
    # Another backbone is another embedding: a row of its own.
    assert embed(replicas[1], uris[:1], backbone="mobilenet_v3_large", scope=scope)["accepted"] == 1
    assert len(ml.rows(EMBED)) == len(photos) + 1


def test_the_worker_caches_what_a_run_reads(ml):
    photos = put_photos(ml.storage, *texture_images(per_class=3, patch=64))
    uris = [p.uri for p in photos]
    assert embed(ml, uris)["accepted"] == len(photos)

    # One claim takes a batch of them; each photo gets the cache entry a run reads.
    assert run_queued(ml.service.workers) == math.ceil(len(photos) / CPU_EMBED_BATCH)
    assert {row["status"] for row in ml.rows(EMBED)} == {"SUCCEEDED"}
    for photo in photos:
        sha = content_hash(ml.storage.get_bytes(photo.key))
        assert cached_keys(ml.storage, photo.key) == [embedding_key(photo.key, BACKBONE, sha)]
    assert embed(ml, uris)["accepted"] == 0  # done rows stay: still nothing to add

    # A run on those photos computes nothing: every embedding comes from the cache.
    run_id = new_id()
    ml.start(run_id, sorted({p.label for p in photos}), [p.example() for p in photos])
    run_queued(ml.service.workers)
    row = ml.service.queue.get(run_id)
    assert row["status"] == "SUCCEEDED", row["error"]
    assert "embed" not in row["result"]["timings"] and row["result"]["timings"]["cache_read"] > 0


def test_a_photo_deleted_before_its_job_runs_leaves_no_embedding(ml):
    gone, kept = put_photos(ml.storage, *texture_images(per_class=1, patch=64))[:2]
    assert embed(ml, [gone.uri, kept.uri])["accepted"] == 2
    ml.storage.delete(gone.key)  # the group deleted it before a worker got to it
    run_queued(ml.service.workers)
    assert cached_keys(ml.storage, gone.key) == []
    assert len(cached_keys(ml.storage, kept.key)) == 1
    assert {row["status"] for row in ml.rows(EMBED)} == {"SUCCEEDED"}  # nothing left to do for either


class DeletesDuringWrite:
    """Storage whose embedding write races the BFF's photo deletion: the photo and its
    embeddings prefix are deleted (in bff.photos' order) just before the write lands."""

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


def test_the_late_write_of_a_photo_deleted_while_embedding_is_undone(ml):
    photo, kept = put_photos(ml.storage, *texture_images(per_class=1, patch=64))[:2]
    embed(ml, [photo.uri, kept.uri])
    pool = ml.service.workers
    pool.storage = DeletesDuringWrite(ml.storage, photo.key)
    try:
        run_queued(pool)
    finally:
        pool.storage = ml.storage
    assert not ml.storage.exists(photo.key)
    assert cached_keys(ml.storage, photo.key) == []  # the entry written after the delete went again
    assert len(cached_keys(ml.storage, kept.key)) == 1


def test_a_purged_workshop_takes_its_embed_jobs_along(ml):
    photos = put_photos(ml.storage, *texture_images(per_class=1, patch=64))
    scope = new_id()
    embed(ml, [p.uri for p in photos], scope=scope)
    embed(ml, [photos[0].uri], backbone="mobilenet_v3_large", scope=new_id())  # another workshop's row
    assert ml.data(DELETE_JOBS, s=scope)["deleteJobs"] == len(photos)
    assert [row["payload"]["backbone"] for row in ml.rows(EMBED)] == ["mobilenet_v3_large"]


def test_background_jobs_wait_while_a_run_trains_here_or_a_child_waits(make_ml):
    ml = make_ml(app_config={"ML_WORKERS": False, "ML_LOAD_BACKBONE": False})
    pool = ml.service.workers
    kinds = job_kinds(ml.service)
    kinds.analyse = None
    started, release = threading.Event(), threading.Event()

    def trainer(job):  # no real training: the scheduling around it is under test
        started.set()
        assert release.wait(30)
        key = f"runs/{job.claim.id}/model.pt"
        job.storage.put_bytes(key, b"model")
        return {"train_accuracy": 1.0, "model_key": key}

    kinds.trainers["QUICK"] = trainer
    photos = put_photos(ml.storage, *texture_images(per_class=1, patch=64))
    embed(ml, [p.uri for p in photos])
    ml.hints(new_id(), "s1", [p.example() for p in photos])
    examples = [p.example() for p in photos]
    ml.start("r1", sorted({p.label for p in photos}), examples)

    # The run goes first, and while it trains here no background job is taken.
    training = threading.Thread(target=lambda: pool._run(pool._next()))
    training.start()
    assert started.wait(30)
    assert pool.training_here() == 1 and pool._next() == []
    release.set()
    training.join(30)
    assert ml.job("r1")["status"] == "SUCCEEDED"

    # A child waits on this process for a predict: background work waits; training does not.
    limiter = ml.app.extensions["ml_api.limiter"]
    assert limiter.try_acquire()
    try:
        assert pool._next() == []
        ml.start("r2", sorted({p.label for p in photos}), examples)
        claims = pool._next()
        assert [(c.kind, c.id) for c in claims] == [(TRAIN, "r2")]
        pool._run(claims)
    finally:
        limiter.release()
    assert ml.job("r2")["status"] == "SUCCEEDED"
    # Free again: the group's hints first, then the photos' embeddings, in one batch.
    assert [c.kind for c in pool._next()] == [HINTS]
    assert [c.kind for c in pool._next()] == [EMBED] * len(photos)
