"""The ML API's job queue (ml_api/queue.py) on both databases: claims are exclusive (threads
and processes racing), leases run out and are taken over, a worker that lost its job can
change nothing, purged scopes stay purged, training goes before background work."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import timedelta

import pytest

from ml_api.migrations import current_revision, head_revision, upgrade
from ml_api.queue import EMBED, HINTS, QUEUED, RUNNING, SUCCEEDED, TRAIN, JobQueue, ScopeDeleted, open_engine

JOBS = 40


@pytest.fixture
def queue(database_url):
    upgrade(database_url)
    engine = open_engine(database_url)
    yield JobQueue(engine, lease_seconds=30)
    engine.dispose()


def _fill(queue: JobQueue, n: int = JOBS, kind: str = TRAIN) -> list[str]:
    ids = [f"run-{i:03d}" for i in range(n)]
    for job_id in ids:
        queue.enqueue(kind, job_id, {"n": job_id}, scope="w1")
    return ids


def test_migrations_create_the_queue_at_head(database_url):
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    upgrade(database_url)  # idempotent


def test_enqueue_is_idempotent_on_the_id(queue):
    row, created = queue.enqueue(TRAIN, "r1", {"a": 1}, scope="w1")
    assert created and row["status"] == QUEUED and row["payload"] == {"a": 1}
    again, created = queue.enqueue(TRAIN, "r1", {"a": 2}, scope="w1")
    assert not created and again["payload"] == {"a": 1}  # the first request is the run's identity


def test_threads_claiming_at_once_never_share_a_job(queue):
    ids = _fill(queue)
    taken: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker():
        start.wait()
        while True:
            claims = queue.claim((TRAIN,))
            if not claims:
                return
            with lock:
                taken.extend(c.id for c in claims)
            time.sleep(0.002)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(taken) == ids  # every job exactly once


def _claim_in_process(url: str, out, barrier) -> None:
    engine = open_engine(url)
    queue = JobQueue(engine, lease_seconds=30, worker=f"proc-{multiprocessing.current_process().pid}")
    barrier.wait()
    mine = []
    while claims := queue.claim((TRAIN,)):
        mine.extend(c.id for c in claims)
        time.sleep(0.02)  # "training": the others claim meanwhile
    out.put(mine)
    engine.dispose()


def test_processes_claiming_at_once_never_share_a_job(queue, database_url):
    ids = _fill(queue)
    context = multiprocessing.get_context("spawn")
    out, barrier = context.Queue(), context.Barrier(3)
    processes = [context.Process(target=_claim_in_process, args=(database_url, out, barrier)) for _ in range(3)]
    for process in processes:
        process.start()
    results = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    taken = [job_id for result in results for job_id in result]
    assert sorted(taken) == ids
    assert sum(1 for result in results if result) >= 2, "one process took everything: no race was tested"


def test_training_goes_before_background_work(queue):
    queue.enqueue(EMBED, "e1", {"uri": "x"})
    queue.enqueue(HINTS, "h1", {"examples": []})
    queue.enqueue(TRAIN, "t1", {})
    kinds = [queue.claim((TRAIN, HINTS, EMBED))[0].kind for _ in range(3)]
    assert kinds == [TRAIN, HINTS, EMBED]


def test_an_expired_lease_is_taken_over_and_the_old_owner_changes_nothing(queue):
    queue.enqueue(TRAIN, "r1", {}, scope="w1")
    stale = JobQueue(queue.engine, lease_seconds=0.2, worker="host:1")
    first = stale.claim((TRAIN,))[0]
    assert queue.claim((TRAIN,)) == []  # leased: nobody else takes it
    time.sleep(0.3)
    second = JobQueue(queue.engine, lease_seconds=30, worker="host:2").claim((TRAIN,))[0]
    assert second.id == "r1" and second.row["attempt"] == 2 and second.row["worker"] == "host:2"
    # The first worker wakes up: its renewal, result and release all touch nothing.
    assert stale.owns(first) == "taken" and queue.owns(second) == "yes"
    assert not stale.renew(first, progress=0.9)
    assert not stale.finish(first, SUCCEEDED, model_uri="file:///stale")
    assert not stale.release(first)
    row = queue.get("r1")
    assert (row["status"], row["worker"], row["model_uri"], row["progress"]) == (RUNNING, "host:2", None, 0.0)
    assert queue.finish(second, SUCCEEDED, model_uri="file:///good", progress=1.0)
    assert queue.get("r1")["model_uri"] == "file:///good"


def test_renewal_extends_the_lease_with_the_progress(queue):
    queue.enqueue(TRAIN, "r1", {})
    claim = queue.claim((TRAIN,))[0]
    before = queue.get("r1")["lease_until"]
    time.sleep(0.01)
    assert queue.renew(claim, progress=0.5, epoch=2, trainAccuracy=0.75)
    row = queue.get("r1")
    assert row["lease_until"] > before and (row["progress"], row["epoch"], row["train_accuracy"]) == (0.5, 2, 0.75)
    assert row["lease_until"] - row["heartbeat_at"] == timedelta(seconds=30)


def test_a_released_job_is_claimable_at_once(queue):
    queue.enqueue(TRAIN, "r1", {})
    claim = queue.claim((TRAIN,))[0]
    assert queue.release(claim, epoch=3)
    row = queue.get("r1")
    assert (row["status"], row["claim"], row["interrupted"], row["epoch"]) == (QUEUED, None, True, 3)
    assert queue.claim((TRAIN,))[0].row["attempt"] == 2


def test_a_deleted_scope_takes_no_job_again(queue):
    queue.enqueue(TRAIN, "r1", {}, scope="w1")
    queue.enqueue(TRAIN, "r2", {}, scope="w2")
    claim = queue.claim((TRAIN,))[0]
    assert queue.delete_scope("w1") == 1
    assert queue.get("r1") is None and queue.get("r2") is not None
    assert queue.owns(claim) == "gone" and not queue.renew(claim)
    with pytest.raises(ScopeDeleted):
        queue.enqueue(TRAIN, "r3", {}, scope="w1")
    assert queue.get("r3") is None
    with pytest.raises(ScopeDeleted):
        queue.enqueue_many(EMBED, [("e1", {"uri": "x"})], scope="w1")
    assert queue.get("e1") is None
    assert queue.delete_scope("w1") == 0  # again: nothing left, no error


def test_stats_count_training_and_age_the_oldest_queued_job(queue):
    assert queue.stats() == {"queued": 0, "running": 0, "oldestQueuedSeconds": 0.0}
    _fill(queue, 3)
    queue.enqueue(EMBED, "e1", {"uri": "x"})
    queue.claim((TRAIN,))
    time.sleep(0.05)
    stats = queue.stats()
    assert (stats["queued"], stats["running"]) == (2, 1)
    assert stats["oldestQueuedSeconds"] >= 0.05


def test_a_database_one_migration_ahead_is_left_as_it_is(database_url):
    """A rollback: the previous release's pods start on a queue a newer release migrated."""
    from sqlalchemy import text

    upgrade(database_url)
    engine = open_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ml_alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    upgrade(database_url)  # no error: the tables this release reads are there
    assert current_revision(database_url) == "9999_from_the_future"


def test_a_late_write_after_a_takeover_leaves_no_stale_checkpoint(queue, tmp_path):
    """A worker stalled mid-upload writes after its run was taken over and finished: its
    checkpoint (superseded by the new owner's model) is removed; the model is left alone,
    since by then it may be the new owner's."""
    import torch

    from ml_api.workers import JobContext, JobLost, WorkerPool
    from pictolab.contract.storage_keys import checkpoint_key, model_key
    from pictolab.storage import open_storage

    storage = open_storage((tmp_path / "storage").as_uri())
    queue.enqueue(TRAIN, "r1", {})
    stale = JobQueue(queue.engine, lease_seconds=0.1, worker="host:1")
    pool = WorkerPool(stale, storage, torch.device("cpu"), handlers={}, slots=1, start=False)
    context = JobContext(pool, stale.claim((TRAIN,))[0])
    time.sleep(0.2)
    successor = queue.claim((TRAIN,))[0]
    storage.put_bytes(model_key("r1"), b"the successor's model")
    assert queue.finish(successor, SUCCEEDED, progress=1.0)

    with pytest.raises(JobLost):
        context.storage.put_bytes(checkpoint_key("r1"), b"stale checkpoint")
    assert not storage.exists(checkpoint_key("r1"))
    with pytest.raises(JobLost):  # once lost, nothing more is written at all
        context.storage.put_bytes(model_key("r1"), b"stale model")
    assert storage.get_bytes(model_key("r1")) == b"the successor's model"
    assert queue.get("r1")["worker"] == successor.row["worker"]
