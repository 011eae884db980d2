"""RunReconciler and RunDriver against a fake ML client (tests/bff/fakes.py) and a fake clock:
the nudge on a stale heartbeat, backoff while the ML API is down, giving up after
MAX_ATTEMPTS, a refused run. The same paths against a real ML API process: test_training.py."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from bff.db import session_scope
from bff.ml_client import MLError
from bff.models import Phase, RunStatus, TrainingRun
from bff.training import (
    AFTER_NUDGE,
    MAX_ATTEMPTS,
    POLL_INTERVAL,
    STALE_HEARTBEAT,
    TRAINING_SHARE,
    RunReconciler,
    backoff_seconds,
)
from tests.bff.fakes import Clock, FakeMLClient
from tests.bff.helpers import workshop_on


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    return FakeMLClient(clock)


@pytest.fixture
def reconciler(app, fake, clock):
    return RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                         clock=clock)


@pytest.fixture
def run_id(app):
    summary = workshop_on(app, Phase.TRAIN)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.QUEUED,
                          progress=0.0, class_count=len(summary["classes"]))
        db.add(run)
        db.flush()
        return run.id


def load(app, run_id) -> TrainingRun:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(TrainingRun, run_id)
        db.expunge(run)
        return run


def as_aware(value):
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_new_run_is_started_then_followed(app, reconciler, fake, clock, run_id):
    assert reconciler.run_once() == 1
    assert fake.calls[:2] == [("training_job", run_id), ("start_training", run_id)]
    run = load(app, run_id)
    assert run.status == RunStatus.QUEUED and run.started_at is not None
    assert as_aware(run.next_attempt_at) == clock.now + AFTER_NUDGE  # gives the ML API time after a start

    assert reconciler.run_once() == 0  # not due yet
    clock.advance(AFTER_NUDGE)
    fake.set_job(run_id, status="RUNNING", progress=0.5, epoch=1, heartbeatAt=clock.now)
    reconciler.run_once()
    run = load(app, run_id)
    assert run.status == RunStatus.RUNNING and run.progress == pytest.approx(TRAINING_SHARE * 0.5)
    assert fake.calls_of("start_training") == 1  # a live heartbeat: no nudge
    assert as_aware(run.next_attempt_at) == clock.now + POLL_INTERVAL


def test_a_stale_heartbeat_is_nudged(app, reconciler, fake, clock, run_id):
    fake.set_job(run_id, status="RUNNING", progress=0.2, heartbeatAt=clock.now - STALE_HEARTBEAT + timedelta(seconds=1))
    reconciler.run_once()
    assert fake.calls_of("start_training") == 0  # fresh enough
    clock.advance(POLL_INTERVAL + timedelta(seconds=1))  # now the heartbeat is just over the limit
    reconciler.run_once()
    assert fake.calls_of("start_training") == 1
    assert as_aware(load(app, run_id).next_attempt_at) == clock.now + AFTER_NUDGE


def test_backoff_while_the_ml_api_is_down_then_recovery(app, reconciler, fake, clock, run_id):
    fake.unavailable = True
    for attempt in (1, 2, 3):
        assert reconciler.run_once() == 1
        run = load(app, run_id)
        assert run.attempts == attempt and run.status == RunStatus.QUEUED
        delay = timedelta(seconds=backoff_seconds(attempt))
        assert as_aware(run.next_attempt_at) == clock.now + delay
        assert reconciler.run_once() == 0  # waits out the backoff
        clock.advance(delay)
    assert backoff_seconds(1) < backoff_seconds(2) < backoff_seconds(3)
    fake.unavailable = False
    reconciler.run_once()
    run = load(app, run_id)
    assert run.attempts == 0 and fake.calls_of("start_training") == 1


def test_given_up_after_max_attempts(app, reconciler, fake, clock, run_id):
    fake.unavailable = True
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.get(TrainingRun, run_id).attempts = MAX_ATTEMPTS - 2
    reconciler.run_once()
    assert load(app, run_id).status == RunStatus.QUEUED  # one more try left
    clock.advance(timedelta(seconds=backoff_seconds(MAX_ATTEMPTS - 1)))
    reconciler.run_once()
    run = load(app, run_id)
    assert run.attempts == MAX_ATTEMPTS and run.status == RunStatus.FAILED
    assert "did not respond" in run.error and run.next_attempt_at is None
    clock.advance(timedelta(hours=1))
    assert reconciler.run_once() == 0  # finished: never driven again


def test_a_refused_run_fails_at_once(app, reconciler, fake, run_id):
    fake.start_error = MLError("backbone weights missing", "FAILED_PRECONDITION")
    reconciler.run_once()
    run = load(app, run_id)
    assert run.status == RunStatus.FAILED and run.error == "backbone weights missing"
    assert run.error_code is not None and run.attempts == 0


def test_a_finished_job_is_scored_once(app, reconciler, fake, clock, run_id):
    fake.set_job(run_id, status="SUCCEEDED", progress=1.0, trainAccuracy=0.9, heartbeatAt=clock.now)
    reconciler.run_once()
    run = load(app, run_id)
    # No hidden test photos: succeeded without a score, and evaluate was not needed.
    assert run.status == RunStatus.SUCCEEDED and run.progress == 1.0 and run.train_accuracy == 0.9
    assert run.test_accuracy is None and fake.calls_of("evaluate") == 0
    clock.advance(timedelta(minutes=1))
    assert reconciler.run_once() == 0


def test_the_fake_speaks_like_the_real_client():
    """The fake offers every public operation of MLClient, with the same parameters."""
    import inspect

    from bff.ml_client import MLClient

    public = {n for n, f in inspect.getmembers(MLClient, inspect.isfunction) if not n.startswith("_")}
    assert public <= set(dir(FakeMLClient))
    for name in public:
        real = list(inspect.signature(getattr(MLClient, name)).parameters)
        assert list(inspect.signature(getattr(FakeMLClient, name)).parameters) == real, name
