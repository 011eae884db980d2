"""Eager embeddings and the no-idle-wait loop in the BFF, against the fake ML client and a
fake clock (issue 11): photos are handed over in batches and marked done only once the ML
API confirms them cached; sent again while it does not (a restart forgets its queue); the
loop backs off while the ML API is down; `train` wakes the reconciler; a watch drives the
run as soon as its job changes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bff.db import session_scope
from bff.embedding_requests import MAX_SENDS, EmbeddingRequester, resend_seconds
from bff.models import Phase, Photo, RunStatus, TrainingRun, Workshop
from bff.training import WATCH_LEASE, RunReconciler
from tests.bff.fakes import Clock, FakeMLClient
from tests.bff.helpers import GraphQLClient, login, workshop_on

TRAIN = "mutation { train { id status } }"


def as_aware(value):
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    return FakeMLClient(clock)


def add_photos(app, summary, count: int, group: int | None = 0) -> list[str]:
    """Photo rows (no bytes needed: the fake never reads them), round-robin over the classes."""
    ids = []
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        for i in range(count):
            photo = Photo(workshop_id=summary["id"],
                          group_id=summary["groups"][group]["id"] if group is not None else None,
                          class_id=summary["classes"][i % len(summary["classes"])]["id"], is_test=group is None,
                          storage_key=f"photos/{summary['id']}/{i:032x}-{group}.jpg", content_hash=f"{i}-{group}",
                          width=10, height=10, byte_size=10)
            db.add(photo)
            db.flush()
            ids.append(photo.id)
    return ids


def photos(app, ids) -> list[Photo]:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        rows = list(db.scalars(select(Photo).where(Photo.id.in_(ids))))
        for row in rows:
            db.expunge(row)
        return rows


@pytest.fixture
def requester(app, fake, clock):
    return EmbeddingRequester(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                              clock=clock, batch=64)


def test_photos_are_sent_then_marked_done_once_confirmed(app, requester, fake, clock):
    summary = workshop_on(app, Phase.COLLECT)
    ids = add_photos(app, summary, 70) + add_photos(app, summary, 5, group=None)  # group's and hidden test
    assert requester.run_once() == 64  # one batch at a time, oldest first
    assert requester.run_once() == 11
    assert len(fake.embed_queued) == 75 and requester.run_once() == 0  # none due before the resend delay
    rows = photos(app, ids)
    assert all(p.embedded_at is None and p.embed_sends == 1 for p in rows)
    assert {as_aware(p.embed_next_at) for p in rows} == {clock.now + timedelta(seconds=resend_seconds(1))}

    fake.embed_all()  # the ML API's background thread did its work
    clock.advance(timedelta(seconds=resend_seconds(1)))
    while requester.run_once():
        pass
    assert all(p.embedded_at is not None for p in photos(app, ids))
    clock.advance(timedelta(hours=1))
    sent = fake.calls_of("embed_photos")
    assert requester.run_once() == 0 and fake.calls_of("embed_photos") == sent  # done: never sent again


def test_a_forgotten_request_is_sent_again_until_confirmed(app, requester, fake, clock):
    """The ML API restarted and lost its queue: the BFF's state still says pending."""
    summary = workshop_on(app, Phase.COLLECT)
    ids = add_photos(app, summary, 3)
    requester.run_once()
    fake.embed_queued.clear()  # lost with the process
    for sends in (1, 2, 3):
        clock.advance(timedelta(seconds=resend_seconds(sends)))
        assert requester.run_once() == 3
    assert fake.embed_queued and all(p.embed_sends == 4 for p in photos(app, ids))
    fake.embed_all()
    clock.advance(timedelta(seconds=resend_seconds(4)))
    requester.run_once()
    assert all(p.embedded_at is not None for p in photos(app, ids))


def test_backoff_while_the_ml_api_is_down_then_nothing_is_lost(app, requester, fake, clock):
    summary = workshop_on(app, Phase.COLLECT)
    ids = add_photos(app, summary, 4)
    fake.unavailable = True
    assert requester.run_once() == 4
    assert requester.run_once() == 0  # paused
    clock.advance(timedelta(seconds=0.5))
    requester.run_once()  # fails again: longer pause
    assert requester.paused_until == clock.now + timedelta(seconds=1.0)
    assert all(p.embedded_at is None and p.embed_sends == 0 for p in photos(app, ids))  # failures don't count
    fake.unavailable = False
    clock.advance(timedelta(seconds=1.0))
    assert requester.run_once() == 4
    fake.embed_all()
    clock.advance(timedelta(seconds=resend_seconds(1)))
    requester.run_once()
    assert all(p.embedded_at is not None for p in photos(app, ids))


def test_closed_and_purged_workshops_and_given_up_photos_are_not_sent(app, requester, fake):
    closed, purged, open_ = (workshop_on(app, Phase.COLLECT) for _ in range(3))
    add_photos(app, closed, 2)
    add_photos(app, purged, 2)
    given_up = add_photos(app, open_, 1)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.get(Workshop, closed["id"]).phase = Phase.CLOSED
        db.get(Workshop, purged["id"]).purged_at = db.get(Workshop, purged["id"]).created_at
        db.get(Photo, given_up[0]).embed_sends = MAX_SENDS
    assert requester.run_once() == 0 and fake.calls_of("embed_photos") == 0


def test_the_reconciler_drives_the_embedding_requests(app, fake, clock):
    summary = workshop_on(app, Phase.COLLECT)
    add_photos(app, summary, 2)
    requester = EmbeddingRequester(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"],
                                   fake, clock=clock)
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               clock=clock, embeddings=requester)
    reconciler.run_once()
    assert fake.calls_of("embed_photos") == 1


# ---- no idle waiting ---------------------------------------------------------------------------
def test_train_wakes_the_reconciler_without_waiting_for_a_poll(make_app, fake):
    app = make_app(min_photos_per_class=1)
    summary = workshop_on(app, Phase.TRAIN)
    add_photos(app, summary, 3)
    # A tick of a minute: only the wake-up can start the run within the test's patience.
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               interval=60.0)
    app.extensions["pictolab.reconciler"] = reconciler
    reconciler.start()
    try:
        time.sleep(0.2)  # the thread is in its first wait
        client = GraphQLClient(app.test_client())
        login(client, summary["groups"][0]["token"])
        started = time.monotonic()
        run = client.data(TRAIN)["train"]
        while fake.calls_of("start_training") == 0 and time.monotonic() - started < 10:
            time.sleep(0.01)
        assert fake.calls_of("start_training") == 1, "the run waited for the reconciler's tick"
        assert time.monotonic() - started < 5
        assert fake.calls[0] == ("training_job", run["id"])
    finally:
        reconciler.stop()
        reconciler._thread.join(timeout=10)
    assert not reconciler._thread.is_alive()


@pytest.fixture
def run_id(app):
    summary = workshop_on(app, Phase.TRAIN)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.QUEUED,
                          progress=0.0, class_count=len(summary["classes"]))
        db.add(run)
        db.flush()
        return run.id


def watching_reconciler(app, fake, clock, monkeypatch):
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               clock=clock, watch=True)
    started = []
    monkeypatch.setattr(reconciler, "_start_watch", lambda run_id, lease: started.append((run_id, lease)))
    return reconciler, started


def test_a_finished_job_is_scored_as_soon_as_the_watch_answers(app, fake, clock, run_id, monkeypatch):
    reconciler, started = watching_reconciler(app, fake, clock, monkeypatch)
    reconciler.run_once()  # dispatched; a watch instead of a poll in 3 s
    assert fake.calls_of("start_training") == 1 and started and started[0][0] == run_id
    lease = started[0][1]
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert as_aware(db.get(TrainingRun, run_id).next_attempt_at) == clock.now + WATCH_LEASE == lease
    fake.set_job(run_id, status="SUCCEEDED", progress=1.0, trainAccuracy=1.0, heartbeatAt=clock.now)
    reconciler._release_watch(run_id)  # (the thread that would run it is replaced by this test)
    reconciler.watch_once(run_id, lease)  # no clock advance: nothing waited for a poll interval
    assert fake.waits == [(run_id, 4.0, None)]
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(TrainingRun, run_id)
        assert run.status == RunStatus.SUCCEEDED and run.next_attempt_at is None


def test_a_watch_does_not_drive_a_run_someone_drove_since(app, fake, clock, run_id, monkeypatch):
    reconciler, started = watching_reconciler(app, fake, clock, monkeypatch)
    reconciler.run_once()
    lease = started[0][1]
    calls = len(fake.calls)
    reconciler.watch_once(run_id, lease - timedelta(seconds=1))  # another lease: not ours any more
    assert fake.calls[calls:] == [("wait_job", run_id)]


def test_watches_are_bounded_per_process(app, fake, clock, monkeypatch):
    reconciler, started = watching_reconciler(app, fake, clock, monkeypatch)
    reconciler.max_watches = 1
    summary = workshop_on(app, Phase.TRAIN)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        for group in summary["groups"][:2]:
            db.add(TrainingRun(workshop_id=summary["id"], group_id=group["id"], status=RunStatus.QUEUED))
    reconciler.run_once()
    assert len(started) == 1  # the other run is polled as before
