"""Eager embeddings and the no-idle-wait loop in the BFF, against the fake ML client and a
fake clock: each new photo is handed to the ML API's durable queue once, in batches per
workshop (its scope); while the ML API is down the photos stay pending and the sender backs
off; two processes never send the same photo; `train` wakes the reconciler."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bff.db import session_scope
from bff.models import Phase, Photo, Workshop
from bff.training import EmbeddingSender, RunReconciler
from tests.bff.fakes import Clock, FakeMLClient, add_photo_rows
from tests.bff.helpers import GraphQLClient, login, workshop_on

TRAIN = "mutation { train { id status } }"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    return FakeMLClient(clock)


def photos(app, ids) -> list[Photo]:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        rows = list(db.scalars(select(Photo).where(Photo.id.in_(ids))))
        for row in rows:
            db.expunge(row)
        return rows


def sender(app, fake, clock, batch=64) -> EmbeddingSender:
    return EmbeddingSender(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                           clock=clock, batch=batch)


def test_photos_are_sent_once_in_batches_per_workshop(app, fake, clock):
    first, second = workshop_on(app, Phase.COLLECT), workshop_on(app, Phase.TRAIN)
    ids = add_photo_rows(app, first, 70) + add_photo_rows(app, first, 5, group=None)  # group's and hidden test
    ids += add_photo_rows(app, second, 3)
    embeddings = sender(app, fake, clock)
    assert embeddings.run_once() == 64  # one batch at a time, oldest first
    assert embeddings.run_once() == 14  # the rest: one request per workshop
    assert embeddings.run_once() == 0
    assert [(scope, len(uris)) for scope, uris in fake.embed_batches] == [
        (first["id"], 64), (first["id"], 11), (second["id"], 3)]
    storage = app.extensions["pictolab.storage"]
    assert sorted(fake.embedded_uris()) == sorted(storage.uri(p.storage_key) for p in photos(app, ids))
    assert all(p.embedded_at is not None for p in photos(app, ids))
    clock.advance(timedelta(hours=1))
    assert embeddings.run_once() == 0 and fake.calls_of("embed_photos") == 3  # never sent again


def test_backoff_while_the_ml_api_is_down_then_nothing_is_lost(app, fake, clock):
    summary = workshop_on(app, Phase.COLLECT)
    ids = add_photo_rows(app, summary, 4)
    embeddings = sender(app, fake, clock)
    fake.unavailable = True
    assert embeddings.run_once() == 0
    assert all(p.embedded_at is None for p in photos(app, ids))  # still pending
    calls = len(fake.calls)
    assert embeddings.run_once() == 0 and len(fake.calls) == calls  # paused: not even asked
    clock.advance(timedelta(seconds=0.5))
    embeddings.run_once()  # fails again: longer pause
    assert embeddings.paused_until == clock.now + timedelta(seconds=1.0)
    fake.unavailable = False
    clock.advance(timedelta(seconds=1.0))
    assert embeddings.run_once() == 4
    assert all(p.embedded_at is not None for p in photos(app, ids)) and len(fake.embed_batches) == 1


def test_two_processes_never_send_the_same_photo(app, fake, clock):
    summary = workshop_on(app, Phase.COLLECT)
    add_photo_rows(app, summary, 10)
    one, two = sender(app, fake, clock, batch=6), sender(app, fake, clock, batch=6)
    assert one.run_once() + two.run_once() + one.run_once() + two.run_once() == 10
    sent = fake.embedded_uris()
    assert len(sent) == len(set(sent)) == 10


def test_closed_and_purged_workshops_are_not_sent(app, fake, clock):
    closed, purged = workshop_on(app, Phase.COLLECT), workshop_on(app, Phase.COLLECT)
    add_photo_rows(app, closed, 2)
    add_photo_rows(app, purged, 2)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.get(Workshop, closed["id"]).phase = Phase.CLOSED
        db.get(Workshop, purged["id"]).purged_at = db.get(Workshop, purged["id"]).created_at
    assert sender(app, fake, clock).run_once() == 0 and fake.calls_of("embed_photos") == 0


def test_the_reconciler_drives_the_embeddings(app, fake, clock):
    summary = workshop_on(app, Phase.COLLECT)
    add_photo_rows(app, summary, 2)
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               clock=clock, embeddings=sender(app, fake, clock))
    reconciler.run_once()
    reconciler.run_once()
    assert fake.calls_of("embed_photos") == 1 and fake.calls_of("training_jobs") == 0  # no run: not asked


# ---- no idle waiting ---------------------------------------------------------------------------
def test_train_wakes_the_reconciler_without_waiting_for_a_tick(make_app, fake):
    app = make_app(min_photos_per_class=1)
    summary = workshop_on(app, Phase.TRAIN)
    add_photo_rows(app, summary, 3)
    # Ticks of a minute: only the wake-up can start the run within the test's patience.
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               interval=60.0, idle_interval=60.0)
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
        assert fake.calls[0] == ("training_jobs", run["id"])
    finally:
        reconciler.stop()
        reconciler._thread.join(timeout=10)
    assert not reconciler._thread.is_alive()
