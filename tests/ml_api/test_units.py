"""Small pieces: the linear head fit, the model LRU, presets, checkpoint uploads, and the
workers' side of the job queue (ml_api/workers.py, ml_api/job_kinds.py) with fake trainers:
a job that loses its row writes nothing that stays, progress rides on the lease renewal,
health counts the queue, two replicas given one run train it once. The queue's own claims
and leases are in test_queue.py."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
import torch
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from ml_api.job_kinds import JobKinds
from ml_api.migrations import upgrade
from ml_api.models import ModelCache
from ml_api.presets import get_preset
from ml_api.queue import JobQueue, open_engine
from ml_api.quick import fit_linear_head
from ml_api.workers import JobContext, JobLost, WorkerPool
from pictolab.contract.storage_keys import embedding_key, model_key, workshop_purge_prefixes
from pictolab.storage import open_storage
from tests.ml_api.helpers import START, job_kinds, new_id, run_queued


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


def test_presets_share_normalisation_between_train_and_eval():
    from PIL import Image

    preset = get_preset("lite-224")
    image = Image.new("RGB", (300, 200), (255, 0, 128))
    evaluated = preset.eval_transform()(image)
    trained = preset.train_transform()(image)
    assert evaluated.shape == trained.shape == (3, 224, 224)
    assert evaluated[0].max() == pytest.approx(1.0) and evaluated[1].min() == pytest.approx(-1.0)
    assert get_preset("lite-224", 64).eval_transform()(image).shape == (3, 64, 64)


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


# ---- the workers (ml_api/workers.py, ml_api/job_kinds.py) with fake trainers -------------------
@pytest.fixture
def queue(database_url):
    upgrade(database_url)
    engine = open_engine(database_url)
    yield JobQueue(engine, lease_seconds=30)
    engine.dispose()


@pytest.fixture
def storage(tmp_path):
    return open_storage((tmp_path / "s").as_uri())


def train_payload(storage, run_id: str, workshop: str) -> tuple[dict, str]:
    """A QUICK run's row payload over one stored photo (the fake trainers never read it)."""
    photo = f"photos/{workshop}/{new_id()}.jpg"
    storage.put_bytes(photo, b"\xff\xd8 not read by the fake trainer", "image/jpeg")
    request = {"runId": run_id, "classes": ["a", "b"], "mode": "QUICK", "backbone": "efficientnet_lite0",
               "epochs": 5, "imageSize": None,
               "examples": [{"uri": storage.uri(photo), "label": "a"}, {"uri": storage.uri(photo), "label": "b"}]}
    return {"request": request, "testExamples": []}, photo


def fake_pool(queue, storage, trainer, **options):
    """One worker slot running ``trainer`` for QUICK runs; started only if asked."""

    kinds = JobKinds(trainers={"QUICK": trainer}, model=lambda run_id: None, default_backbone="efficientnet_lite0")
    return WorkerPool(queue, storage, torch.device("cpu"), handlers=kinds.handlers(), slots=1,
                      **{"start": False, **options})


def bff_purge(queue, storage, workshop: str, run_ids: list[str]) -> None:
    """What bff.workshops.purge_workshop does, in its order: the jobs, then the objects."""

    queue.delete_scope(workshop)
    for prefix in workshop_purge_prefixes(workshop, run_ids):
        storage.delete_prefix(prefix)


@pytest.mark.parametrize("after_the_purge", ["writes", "fails", "finishes"])
def test_a_run_purged_while_it_trains_leaves_nothing(queue, storage, after_the_purge):
    """Whatever the job does once its workshop is purged (writes more, fails, or finishes),
    nothing of it stays: a write that finished before the purge deleted the row is swept by
    the BFF's deletion, a later one is undone by the job, and no final status comes back."""
    workshop, run_id = new_id(), new_id()
    payload, photo = train_payload(storage, run_id, workshop)
    queue.enqueue("TRAIN", run_id, payload, scope=workshop)
    wrote, purged = threading.Event(), threading.Event()

    def trainer(job):
        job.storage.put_bytes(embedding_key(photo, "b", "0" * 32), b"cached before the purge")
        job.storage.put_bytes(model_key(run_id), b"model saved before the purge")
        wrote.set()
        assert purged.wait(30)
        if after_the_purge == "writes":
            job.storage.put_bytes(embedding_key(photo, "b", "1" * 32), b"cached after the purge")
        elif after_the_purge == "fails":
            raise RuntimeError("its photos are gone")
        return {"train_accuracy": 1.0, "model_key": model_key(run_id)}

    pool = fake_pool(queue, storage, trainer)
    worker = threading.Thread(target=run_queued, args=(pool,))
    worker.start()
    assert wrote.wait(30)
    bff_purge(queue, storage, workshop, [run_id])
    purged.set()
    worker.join(30)
    assert not worker.is_alive()
    assert [key for key in storage.list("") if workshop in key or run_id in key] == []
    assert queue.get(run_id) is None  # no FAILED or SUCCEEDED row came back


def test_a_job_taken_over_stops_and_writes_nothing_more(queue, storage):
    """A worker that stalled past its lease: its renewal touches no row, so it learns the job
    is another's, and from then on its writes are not even attempted (the successor resumes
    from the checkpoint written before the stall, which stays)."""

    queue.enqueue("TRAIN", "r1", {}, scope="w1")
    stale = JobQueue(queue.engine, lease_seconds=0.2, worker="host:1")
    job = JobContext(fake_pool(stale, storage, None), stale.claim(("TRAIN",))[0])
    job.storage.put_bytes("runs/r1/checkpoint.pt", b"epoch 1")
    time.sleep(0.3)
    successor = JobQueue(queue.engine, worker="host:2").claim(("TRAIN",))[0]
    job.report(epoch=2)  # an epoch is written at once: the renewal finds the claim gone
    assert job.lost is not None and not job.lost.purged and job.should_stop()
    with pytest.raises(JobLost):
        job.storage.put_bytes("runs/r1/model.pt", b"stale model")
    assert not storage.exists("runs/r1/model.pt")
    assert storage.get_bytes("runs/r1/checkpoint.pt") == b"epoch 1"
    row = queue.get("r1")
    assert (row["worker"], row["claim"], row["epoch"]) == ("host:2", successor.token, None)


def test_a_guarded_write_that_races_the_purge_is_undone(queue, storage):
    queue.enqueue("TRAIN", "r1", {}, scope="w1")
    job = JobContext(fake_pool(queue, storage, None), queue.claim(("TRAIN",))[0])
    job.storage.put_json("runs/r1/ours.json", {"a": 1})  # still ours: it stays
    assert storage.exists("runs/r1/ours.json") and job.lost is None
    queue.delete_scope("w1")
    with pytest.raises(JobLost) as lost:
        job.storage.put_bytes("runs/r1/late.bin", b"landed after the row was deleted")
    assert lost.value.purged and not storage.exists("runs/r1/late.bin")
    with pytest.raises(JobLost):  # once lost, no write is attempted at all
        job.storage.put_json("runs/r1/later.json", {})
    assert not storage.exists("runs/r1/later.json")


def test_a_failed_renewal_is_tried_again_not_a_lost_job(tmp_path, storage, monkeypatch):
    """A database hiccup during a renewal costs nothing: the next one (well inside the
    lease) writes the progress."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    upgrade(url)
    queue = JobQueue(open_engine(url))
    queue.enqueue("TRAIN", "r1", {})
    job = JobContext(fake_pool(queue, storage, None), queue.claim(("TRAIN",))[0])
    real_renew = queue.renew
    calls = []

    def flaky_renew(claim, **fields):
        calls.append(fields)
        if len(calls) == 1:
            raise OperationalError("UPDATE ml_jobs", {}, Exception("database is locked"))
        return real_renew(claim, **fields)

    monkeypatch.setattr(queue, "renew", flaky_renew)
    job.report(progress=0.25)
    job.renew()
    assert job.lost is None and queue.get("r1")["progress"] == 0.0
    job.renew()
    assert job.lost is None and queue.get("r1")["progress"] == 0.25
    queue.engine.dispose()


def test_progress_is_written_with_the_lease_renewal_not_per_report(tmp_path, storage):
    """A trainer may report progress hundreds of times a second; the row is written once per
    renewal (and at once for a new epoch, which the BFF shows)."""
    url = f"sqlite:///{tmp_path / 'q.db'}"
    upgrade(url)
    queue = JobQueue(open_engine(url), lease_seconds=1.5)  # renewals every 0.5 s
    run_id = new_id()
    queue.enqueue("TRAIN", run_id, train_payload(storage, run_id, new_id())[0])
    updates, seen_progress, window = [], [], {}

    @event.listens_for(queue.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        if window.get("open") and statement.lstrip().upper().startswith("UPDATE ML_JOBS"):
            updates.append(statement)

    def trainer(job):
        window["open"], started = True, time.monotonic()
        for i in range(300):
            job.report(progress=i / 300)
            if i % 100 == 99:
                job.report(epoch=i // 100 + 1)
            if i % 60 == 0:
                seen_progress.append(queue.get(run_id)["progress"])
            time.sleep(0.004)
        window["open"], window["seconds"] = False, time.monotonic() - started
        return {"train_accuracy": 1.0, "model_key": f"runs/{run_id}/model.pt"}

    pool = fake_pool(queue, storage, trainer, start=True)
    try:
        deadline = time.monotonic() + 30
        while (row := queue.get(run_id))["status"] != "SUCCEEDED":
            assert time.monotonic() < deadline, row
            time.sleep(0.05)
    finally:
        pool.shutdown(wait=True)
    renewals = window["seconds"] / pool.renew_seconds
    assert 3 <= len(updates) <= 3 + renewals + 2, (len(updates), window["seconds"])
    assert max(seen_progress) > 0  # the progress reached the row while the job ran
    assert (row["epoch"], row["progress"]) == (3, 1.0)
    queue.engine.dispose()


def fake_trainer(trained: list, release=None, tag=None):
    def trainer(job):
        trained.append((job.claim.id, tag))
        if release is not None:
            assert release.wait(30)
        key = f"runs/{job.claim.id}/model.pt"
        job.storage.put_bytes(key, b"model")
        return {"train_accuracy": 1.0, "model_key": key}

    return trainer


def fake_examples(storage) -> list[dict]:
    key = f"photos/{new_id()}/{new_id()}.jpg"
    storage.put_bytes(key, b"\xff\xd8 not read by the fake trainer", "image/jpeg")
    return [{"uri": storage.uri(key), "label": "a"}, {"uri": storage.uri(key), "label": "b"}]


def test_health_counts_the_queue_and_jobs_name_their_worker(make_ml):
    health = "{ health { queued running capacity worker oldestQueuedSeconds } }"
    ml = make_ml(app_config={"ML_LOAD_BACKBONE": False}, ml_gpu_concurrency=1)
    kinds = job_kinds(ml.service)
    release, trained = threading.Event(), []
    kinds.analyse = None  # no real model to analyse
    kinds.trainers["QUICK"] = fake_trainer(trained, release)
    worker = ml.service.worker
    assert ml.data(health)["health"] == {"queued": 0, "running": 0, "capacity": 1, "worker": worker,
                                         "oldestQueuedSeconds": 0.0}
    assert worker.rsplit(":", 1)[1] == str(os.getpid())
    examples = fake_examples(ml.storage)
    try:
        ml.start("r1", ["a", "b"], examples)
        ml.start("r2", ["a", "b"], examples)
        deadline = time.monotonic() + 30
        while ml.data(health)["health"]["running"] != 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.05)
        now = ml.data(health)["health"]
        assert (now["queued"], now["running"], now["capacity"]) == (1, 1, 1)
        assert now["oldestQueuedSeconds"] >= 0.05  # r2 waits: what the alert watches
    finally:
        release.set()
    for run_id in ("r1", "r2"):
        done = ml.wait(run_id, timeout=30)
        assert done["status"] == "SUCCEEDED" and done["worker"] == worker and done["attempt"] == 1
    assert [run for run, _ in trained] == ["r1", "r2"]
    assert ml.data(health)["health"]["oldestQueuedSeconds"] == 0.0


def test_two_replicas_given_the_same_runs_train_each_once(database_url, make_ml):
    """Both replicas get every startTraining (the BFF's failover may send one twice) and
    both pull from the queue: each run is trained once and answered the same by both."""
    upgrade(database_url)
    trained: list = []
    replicas = []
    for n in range(2):
        replica = make_ml(app_config={"ML_LOAD_BACKBONE": False, "ML_POLL_SECONDS": 0.05},
                          ml_database_url=database_url, ml_gpu_concurrency=1)
        job_kinds(replica.service).analyse = None
        job_kinds(replica.service).trainers["QUICK"] = fake_trainer(trained, tag=n)
        replicas.append(replica)
    examples = fake_examples(replicas[0].storage)
    run_ids = [new_id() for _ in range(4)]
    answers: dict = {}

    def send(replica, run_id):
        answers[(replica, run_id)] = replicas[replica].start(run_id, ["a", "b"], examples)["runId"]

    threads = [threading.Thread(target=send, args=(n, run_id)) for run_id in run_ids for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers.values()) == sorted(run_ids * 2)
    for run_id in run_ids:
        assert replicas[1].wait(run_id, timeout=60)["status"] == "SUCCEEDED"
    time.sleep(0.2)  # a second training, if any, would have started by now
    assert sorted(run for run, _ in trained) == sorted(run_ids)
    assert all(replicas[0].job(r)["attempt"] == 1 for r in run_ids)


def test_a_run_the_database_refused_leaves_no_row_and_the_retry_runs(make_ml):
    """startTraining writes one row and nothing else: when the database refuses the insert,
    the caller gets an error and nothing half-made is left (no phantom QUEUED run); sending
    it again queues and trains it."""
    ml = make_ml(app_config={"ML_LOAD_BACKBONE": False, "ML_WORKERS": False})
    trained: list = []
    job_kinds(ml.service).analyse = None
    job_kinds(ml.service).trainers["QUICK"] = fake_trainer(trained)
    refused = {"n": 0}

    @event.listens_for(ml.service.engine, "before_cursor_execute")
    def refuse_once(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ML_JOBS") and not refused["n"]:
            refused["n"] += 1
            raise OperationalError(statement, parameters, Exception("disk I/O error"))

    request = {"runId": "r1", "classes": ["a", "b"], "examples": fake_examples(ml.storage)}
    body = ml.gql(START, input=request)
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL" and "disk I/O" not in body["errors"][0]["message"]
    assert refused["n"] == 1 and ml.rows() == []
    assert [k for k in ml.stored_keys() if k.startswith("runs/")] == []
    assert ml.start("r1", ["a", "b"], request["examples"])["status"] == "QUEUED"
    run_queued(ml.service.workers)
    assert ml.job("r1")["status"] == "SUCCEEDED" and trained == [("r1", None)]


def test_workers_claim_one_device_batch_of_embedding_jobs_at_a_time(queue, storage):
    from ml_api.embeddings import CPU_EMBED_BATCH, CUDA_EMBED_BATCH, embed_batch_size

    # One size decides both the forward pass and the claim, per device.
    assert embed_batch_size(torch.device("cpu")) == CPU_EMBED_BATCH
    assert embed_batch_size(torch.device("cuda")) == CUDA_EMBED_BATCH
    assert fake_pool(queue, storage, trainer=None).embed_batch == CPU_EMBED_BATCH
    assert fake_pool(queue, storage, trainer=None, embed_batch=3).embed_batch == 3
