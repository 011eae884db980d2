"""RunReconciler and RunDriver against a fake ML client (tests/bff/fakes.py) and a fake clock:
one batched trainingJobs per pass, the claim that keeps two processes off one run, a run
that succeeds with its score in one step, backoff while the ML API is down, giving up after
MAX_ATTEMPTS, a refused run, and rescoring marked by the test set's own transaction. The
same paths against a real ML API process: test_training.py."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from bff.db import session_scope
from bff.ml_client import MLError
from bff.models import Phase, RunStatus, TrainingRun
from bff.training import (
    LEASE,
    MAX_ATTEMPTS,
    POLL_INTERVAL,
    TRAINING_SHARE,
    RunReconciler,
    backoff_seconds,
    mark_rescoring_due,
)
from tests.bff.fakes import Clock, FakeMLClient, add_photo_rows
from tests.bff.helpers import workshop_on


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    return FakeMLClient(clock)


def make_reconciler(app, fake, clock) -> RunReconciler:
    return RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                         clock=clock, purges=False)


@pytest.fixture
def reconciler(app, fake, clock):
    return make_reconciler(app, fake, clock)


def new_runs(app, summary, groups=(0,)) -> list[str]:
    ids = []
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        for group in groups:
            run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][group]["id"],
                              status=RunStatus.QUEUED, progress=0.0, class_count=len(summary["classes"]))
            db.add(run)
            db.flush()
            ids.append(run.id)
    return ids


@pytest.fixture
def summary(app):
    return workshop_on(app, Phase.TRAIN)


@pytest.fixture
def run_id(app, summary):
    return new_runs(app, summary)[0]


def load(app, run_id) -> TrainingRun:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(TrainingRun, run_id)
        db.expunge(run)
        return run


def as_aware(value):
    """SQLite hands datetimes back without their zone; they are stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_new_run_is_enqueued_with_its_test_set_then_succeeds_with_its_score_in_one_step(
        app, reconciler, fake, clock, summary, run_id):
    photos = add_photo_rows(app, summary, 6)
    add_photo_rows(app, summary, 3, group=None)  # the hidden test set
    assert reconciler.run_once() == 1
    assert fake.calls == [("training_jobs", run_id), ("start_training", run_id)]
    started = fake.started[run_id]
    assert started["scope"] == summary["id"] and len(started["examples"]) == len(photos)
    assert len(started["testExamples"]) == 3
    run = load(app, run_id)
    assert run.status == RunStatus.QUEUED and run.started_at is not None and run.photo_count == 6
    assert as_aware(run.next_attempt_at) == clock.now + POLL_INTERVAL

    assert reconciler.run_once() == 0 and len(fake.calls) == 2  # not due yet: nothing asked
    clock.advance(POLL_INTERVAL)
    fake.set_job(run_id, status="RUNNING", progress=0.5, epoch=1, worker="ml-0:12")
    reconciler.run_once()
    run = load(app, run_id)
    assert run.status == RunStatus.RUNNING and run.progress == pytest.approx(TRAINING_SHARE * 0.5)
    assert run.worker == "ml-0:12" and run.epoch == 1 and fake.calls_of("start_training") == 1

    clock.advance(POLL_INTERVAL)
    fake.accuracy = 0.75
    fake.succeed(run_id)
    reconciler.run_once()
    run = load(app, run_id)
    assert run.status == RunStatus.SUCCEEDED and run.progress == 1.0 and run.test_accuracy == 0.75
    assert sum(map(sum, run.confusion)) == 3 and run.error is None and run.next_attempt_at is None
    assert fake.calls_of("evaluate") == 0  # the job scored itself
    clock.advance(timedelta(minutes=1))
    assert reconciler.run_once() == 0


def test_one_batched_question_per_pass_for_every_active_run(app, reconciler, fake, clock, summary):
    other = workshop_on(app, Phase.TRAIN)
    ids = new_runs(app, summary, groups=(0, 1)) + new_runs(app, other, groups=(0,))
    reconciler.run_once()
    assert fake.calls_of("training_jobs") == 1 and fake.calls_of("start_training") == 3
    assert sorted(fake.calls[0][1].split(",")) == sorted(ids)
    for _ in range(5):
        clock.advance(POLL_INTERVAL)
        for run_id in ids:
            fake.set_job(run_id, status="RUNNING", progress=0.3)
        assert reconciler.run_once() == 3
    assert fake.calls_of("training_jobs") == 6  # one per pass, not one per run
    assert fake.calls_of("start_training") == 3


def test_two_processes_never_drive_the_same_run(app, fake, clock, summary):
    first, second = make_reconciler(app, fake, clock), make_reconciler(app, fake, clock)
    ids = new_runs(app, summary, groups=(0, 1))
    sessions = app.extensions["pictolab.sessionmaker"]
    with sessions() as db:
        assert sorted(first.claim(db, "a" * 32)) == sorted(ids)
    with sessions() as db:
        assert second.claim(db, "b" * 32) == []  # leased by the first
    assert second.run_once() == 0 and fake.calls == []  # nothing to ask: no request at all
    # The first process stalls past its lease; the second takes the runs over...
    clock.advance(LEASE + timedelta(seconds=1))
    assert second.run_once() == 2 and fake.calls_of("start_training") == 2
    # ...and the first one's late answer is not written over the second's.
    fake.set_job(ids[0], status="FAILED", error="late", errorCode="TRAINING_FAILED")
    first._advance(ids[0], "a" * 32, fake.jobs[ids[0]], clock.now)
    assert load(app, ids[0]).status == RunStatus.QUEUED


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
    assert backoff_seconds(30) == 30.0
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
    assert run.error_code == "TRAINING_FAILED" and run.attempts == 0


def test_a_run_too_large_for_the_ml_api_fails_with_what_to_do(app, reconciler, fake, run_id):
    fake.start_error = MLError("ML API refused the request (HTTP 413)", "PAYLOAD_TOO_LARGE", 413)
    reconciler.run_once()
    run = load(app, run_id)
    assert run.status == RunStatus.FAILED and "Delete some photos" in run.error
    assert fake.calls_of("start_training") == 1  # not retried


def test_a_test_set_that_could_not_be_scored_is_a_success_not_scored(app, reconciler, fake, clock, run_id):
    reconciler.run_once()
    clock.advance(POLL_INTERVAL)
    fake.succeed(run_id, evaluationError="test photo t1.jpg could not be read")
    reconciler.run_once()
    run = load(app, run_id)
    assert run.status == RunStatus.SUCCEEDED and run.error_code == "NOT_SCORED"
    assert "t1.jpg" in run.error and run.test_accuracy is None


def test_a_changed_test_set_is_rescored_once_marked_in_its_own_transaction(app, reconciler, fake, clock,
                                                                          summary, run_id):
    reconciler.run_once()
    clock.advance(POLL_INTERVAL)
    fake.succeed(run_id)  # no hidden test photos yet: no score
    reconciler.run_once()
    assert load(app, run_id).test_accuracy is None
    sessions = app.extensions["pictolab.sessionmaker"]
    # A change that is rolled back marks nothing; the committed one marks the runs.
    with sessions() as db:
        mark_rescoring_due(db, summary["id"])
        db.rollback()
    assert load(app, run_id).rescore_due is False
    add_photo_rows(app, summary, 3, group=None)
    with sessions() as db:
        mark_rescoring_due(db, summary["id"])
        db.commit()
    assert reconciler.run_once() == 1 and fake.calls_of("evaluate") == 1
    run = load(app, run_id)
    assert run.test_accuracy == 1.0 and run.rescore_due is False and run.status == RunStatus.SUCCEEDED
    clock.advance(timedelta(minutes=1))
    assert reconciler.run_once() == 0 and fake.calls_of("evaluate") == 1  # nothing re-hashed, nothing asked

    # A change while the evaluation is on its way: scored again at the next pass.
    real_evaluate = fake.evaluate

    def evaluate_while_the_set_changes(run, examples):
        with sessions() as db:
            mark_rescoring_due(db, summary["id"])
            db.commit()
        return real_evaluate(run, examples)

    fake.evaluate = evaluate_while_the_set_changes
    with sessions() as db:
        mark_rescoring_due(db, summary["id"])
        db.commit()
    reconciler.run_once()
    assert load(app, run_id).rescore_due is True
    fake.evaluate = real_evaluate
    reconciler.run_once()
    assert load(app, run_id).rescore_due is False and fake.calls_of("evaluate") == 3


def test_a_run_whose_test_set_changed_while_it_trained_is_rescored_after_success(app, reconciler, fake, clock,
                                                                                 summary, run_id):
    add_photo_rows(app, summary, 2, group=None)
    reconciler.run_once()
    assert len(fake.started[run_id]["testExamples"]) == 2
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        mark_rescoring_due(db, summary["id"])  # (what uploading a test photo does)
    clock.advance(POLL_INTERVAL)
    fake.succeed(run_id)
    reconciler.run_once()
    assert load(app, run_id).status == RunStatus.SUCCEEDED and fake.calls_of("evaluate") == 0
    reconciler.run_once()  # due at once: scored on the set as it is now
    assert fake.calls_of("evaluate") == 1 and load(app, run_id).rescore_due is False


def test_a_failed_rescoring_keeps_the_run_due_with_backoff(app, reconciler, fake, clock, summary, run_id):
    reconciler.run_once()
    clock.advance(POLL_INTERVAL)
    fake.succeed(run_id)
    reconciler.run_once()
    add_photo_rows(app, summary, 1, group=None)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        mark_rescoring_due(db, summary["id"])
    fake.unavailable = True
    reconciler.run_once()
    run = load(app, run_id)
    assert run.rescore_due is True and run.attempts == 1 and run.status == RunStatus.SUCCEEDED
    fake.unavailable = False
    clock.advance(timedelta(seconds=backoff_seconds(1)))
    reconciler.run_once()
    run = load(app, run_id)
    assert run.rescore_due is False and run.test_accuracy == 1.0 and run.attempts == 0


def test_the_loop_never_spins():
    """Every wait has a floor: an ML API that answers at once cannot make a busy loop."""
    reconciler = RunReconciler(None, None, None, interval=0.5, idle_interval=2.0)
    reconciler.busy = True
    assert reconciler.next_wait() == 0.5
    reconciler.busy = False
    assert reconciler.next_wait() == 2.0
    assert reconciler.next_wait(failures=3) == 4.0 and reconciler.next_wait(failures=50) == 30.0
    assert RunReconciler(None, None, None, interval=0.5, idle_interval=0.0).next_wait() == 0.5


def test_the_fake_speaks_like_the_real_client():
    """The fake offers every public operation of MLClient, with the same parameters."""
    import inspect

    from bff.ml_client import MLClient

    public = {n for n, f in inspect.getmembers(MLClient, inspect.isfunction) if not n.startswith("_")}
    assert public <= set(dir(FakeMLClient))
    for name in public:
        real = list(inspect.signature(getattr(MLClient, name)).parameters)
        assert list(inspect.signature(getattr(FakeMLClient, name)).parameters) == real, name


def test_the_running_loop_asks_once_per_pass_whatever_the_number_of_runs(app, summary):
    """The thread, real clock: six runs that stay RUNNING cost one trainingJobs per 0.5 s,
    even with passes ten times as often, and nothing else is sent after their start."""
    import time

    fake = FakeMLClient()
    other = workshop_on(app, Phase.TRAIN)
    ids = new_runs(app, summary, groups=(0, 1)) + new_runs(app, other, groups=(0, 1))
    ids += new_runs(app, workshop_on(app, Phase.TRAIN), groups=(0, 1))
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               interval=0.05, idle_interval=0.05)
    reconciler.wake()
    reconciler.start()
    try:
        deadline = time.monotonic() + 10
        while fake.calls_of("start_training") < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        for run_id in ids:
            fake.set_job(run_id, status="RUNNING", progress=0.5)
        asked = fake.calls_of("training_jobs")
        time.sleep(2.0)
    finally:
        reconciler.stop()
        reconciler._thread.join(timeout=10)
    per_second = (fake.calls_of("training_jobs") - asked) / 2.0
    assert 0.5 <= per_second <= 2.5, per_second  # (the upper bound is the point: 6 runs, one question)
    assert {name for name, _ in fake.calls} == {"training_jobs", "start_training"}
    assert fake.calls_of("start_training") == 6
