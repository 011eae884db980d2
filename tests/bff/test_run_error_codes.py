"""A failed run's errorCode is the code the ML API sent (mapped to the BFF's public codes),
never a guess from the message: messages below say "image" or "purged" where the code
says otherwise, and the code wins."""

from __future__ import annotations

import pytest

from bff.db import session_scope
from bff.models import Phase, RunStatus, TrainingRun
from bff.training import RunReconciler
from bff.workshops import purge_workshop
from tests.bff.fakes import FakeMLClient
from tests.bff.helpers import GraphQLClient, login, workshop_on

RUNS = "{ trainingRuns { status error errorCode } }"


@pytest.fixture
def fake():
    return FakeMLClient()


@pytest.fixture
def setup(app, fake):
    summary = workshop_on(app, Phase.TRAIN)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.QUEUED,
                          progress=0.0, class_count=len(summary["classes"]))
        db.add(run)
        db.flush()
        run_id = run.id
    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake)
    return summary, run_id, reconciler


def group_view(app, summary) -> dict:
    group = GraphQLClient(app.test_client())
    login(group, summary["groups"][0]["token"])
    return group.data(RUNS)["trainingRuns"][0]


@pytest.mark.parametrize("message,ml_code,expected", [
    ("image file:///s/photos/w/p.jpg: cannot identify image file", "PHOTO_UNREADABLE", "PHOTO_UNREADABLE"),
    # The text mentions an image, the code says the backbone: the code decides.
    ("backbone weights for image models not found", "BACKBONE_UNAVAILABLE", "TRAINING_FAILED"),
    ("internal error: RuntimeError: the purged photo cache", "TRAINING_FAILED", "TRAINING_FAILED"),
    # The text says nothing about photos, the code does.
    ("something went wrong", "PHOTO_UNREADABLE", "PHOTO_UNREADABLE"),
])
def test_the_ml_error_code_decides(app, fake, setup, message, ml_code, expected):
    summary, run_id, reconciler = setup
    fake.set_job(run_id, status="FAILED", error=message, errorCode=ml_code)
    reconciler.run_once()
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(TrainingRun, run_id)
        assert (run.status, run.error, run.error_code) == (RunStatus.FAILED, message, expected)
    seen = group_view(app, summary)
    assert seen["status"] == "FAILED" and seen["errorCode"] == expected
    assert "/" not in seen["error"]  # a group reads a sentence, not the ML API's words


def test_a_refused_run_is_training_failed(app, fake, setup):
    from bff.ml_client import MLError

    summary, _run_id, reconciler = setup
    fake.start_error = MLError("backbone weights missing: photo models unavailable", "FAILED_PRECONDITION")
    reconciler.run_once()
    assert group_view(app, summary)["errorCode"] == "TRAINING_FAILED"


def test_a_purge_stops_active_runs_as_workshop_over(app, fake, setup, monkeypatch):
    """The purge stops active runs in a commit of its own, before any object goes; a storage
    failure after that leaves them FAILED with WORKSHOP_OVER (running purge again finishes)."""
    from bff.models import Workshop
    from pictolab.storage import StorageError

    summary, run_id, _reconciler = setup
    storage = app.extensions["pictolab.storage"]

    def broken(prefix):
        raise StorageError("storage down")

    monkeypatch.setattr(storage, "delete_prefix", broken)
    with pytest.raises(StorageError), session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        purge_workshop(db, storage, db.get(Workshop, summary["id"]), actor="test")
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(TrainingRun, run_id)
        assert (run.status, run.error_code) == (RunStatus.FAILED, "WORKSHOP_OVER")
