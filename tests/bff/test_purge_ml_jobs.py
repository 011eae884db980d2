"""A purge asks the ML API to delete the workshop's jobs (deleteJobs) before any object goes,
so no worker writes after the deletion; when the ML API cannot be reached the photos and
objects still go at once, and the reconciler asks again later, then deletes the workshop's
storage once more (a late write goes too) and its runs. Fake ML client, both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bff.db import session_scope
from bff.models import Phase, Photo, RunStatus, TrainingRun, Workshop
from bff.training import RunReconciler
from bff.workshops import purge_workshop
from pictolab.contract import storage_keys
from tests.bff.fakes import Clock, FakeMLClient, add_photo_rows
from tests.bff.helpers import GraphQLClient, admin_login, workshop_on


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    return FakeMLClient(clock)


@pytest.fixture
def world(app):
    """A TRAIN workshop with photos, a running run and objects in storage."""
    summary = workshop_on(app, Phase.TRAIN)
    storage = app.extensions["pictolab.storage"]
    photo_ids = add_photo_rows(app, summary, 3)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        keys = list(db.scalars(select(Photo.storage_key).where(Photo.id.in_(photo_ids))))
        run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.RUNNING)
        db.add(run)
        db.flush()
        run_id = run.id
    for key in keys:
        storage.put_bytes(key, b"jpeg")
    storage.put_bytes(storage_keys.checkpoint_key(run_id), b"checkpoint")
    return summary["id"], run_id


def objects_of(app, workshop_id: str, run_id: str) -> list[str]:
    return [key for key in app.extensions["pictolab.storage"].list("") if workshop_id in key or run_id in key]


def purge(app, workshop_id, ml):
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        return purge_workshop(db, app.extensions["pictolab.storage"], db.get(Workshop, workshop_id), actor="test",
                              ml=ml)


def counts(app, workshop_id) -> tuple[int, int]:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        photos = db.scalar(select(func.count()).select_from(Photo).where(Photo.workshop_id == workshop_id))
        runs = db.scalar(select(func.count()).select_from(TrainingRun).where(TrainingRun.workshop_id == workshop_id))
        return photos, runs


def test_the_ml_jobs_go_before_any_object(app, fake, world):
    workshop_id, run_id = world
    storage = app.extensions["pictolab.storage"]
    order: list[str] = []
    real_delete_jobs, real_delete_prefix = fake.delete_jobs, storage.delete_prefix
    fake.delete_jobs = lambda scope: (order.append(f"deleteJobs {scope}"), real_delete_jobs(scope))[1]
    storage.delete_prefix = lambda prefix: (order.append(f"delete {prefix}"), real_delete_prefix(prefix))[1]
    result = purge(app, workshop_id, fake)
    assert order[0] == f"deleteJobs {workshop_id}" and len(order) > 1, order
    assert result["photos"] == 3 and result["trainingRuns"] == 1 and result["objects"] == 4
    assert objects_of(app, workshop_id, run_id) == [] and counts(app, workshop_id) == (0, 0)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        workshop = db.get(Workshop, workshop_id)
        assert workshop.purged_at is not None and workshop.ml_jobs_deleted_at is not None


def test_a_purge_while_the_ml_api_is_down_is_finished_by_the_reconciler(app, fake, clock, world):
    workshop_id, run_id = world
    fake.unavailable = True
    purge(app, workshop_id, fake)
    # Photos and objects went at once; the run (finished) stays until the ML API confirms.
    assert objects_of(app, workshop_id, run_id) == [] and counts(app, workshop_id) == (0, 1)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert db.get(TrainingRun, run_id).status == RunStatus.FAILED
        assert db.get(Workshop, workshop_id).ml_jobs_deleted_at is None
    # A worker that had not heard of the purge yet writes once more.
    late = storage_keys.model_key(run_id)
    app.extensions["pictolab.storage"].put_bytes(late, b"model")

    reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               clock=clock)
    assert reconciler.run_once() == 0  # the purged workshop's run is never driven
    assert fake.calls_of("delete_jobs") == 2 and fake.calls_of("training_jobs") == 0
    reconciler.run_once()
    assert fake.calls_of("delete_jobs") == 2  # backing off
    fake.unavailable = False
    clock.advance(timedelta(seconds=1))
    reconciler.run_once()
    assert fake.deleted_scopes == [workshop_id]
    assert objects_of(app, workshop_id, run_id) == [] and counts(app, workshop_id) == (0, 0)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert db.get(Workshop, workshop_id).ml_jobs_deleted_at is not None
    clock.advance(timedelta(minutes=5))
    reconciler.run_once()
    assert fake.calls_of("delete_jobs") == 3  # finished: never asked again


def test_purge_workshop_mutation_asks_the_ml_api(app, fake, world):
    workshop_id, run_id = world
    app.extensions["pictolab.ml"] = fake
    admin = GraphQLClient(app.test_client())
    admin_login(admin)
    result = admin.data("mutation($w: ID!) { purgeWorkshop(workshopId: $w) { photos trainingRuns objects } }",
                        w=workshop_id)["purgeWorkshop"]
    assert result == {"photos": 3, "trainingRuns": 1, "objects": 4}
    assert fake.deleted_scopes == [workshop_id] and objects_of(app, workshop_id, run_id) == []


def test_a_purge_while_a_run_is_being_started_keeps_the_run_over(app, fake, clock):
    """The purge revokes the pass's lease: what the pass hears back afterwards is not written
    over the purge's WORKSHOP_OVER (here the ML API could not be asked by the purge, so the
    run stays, and its start answers RUNNING)."""
    summary = workshop_on(app, Phase.TRAIN)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.QUEUED)
        db.add(run)
        db.flush()
        run_id = run.id
    real_start = fake.start_training

    def start_while_purged(run, *args, **kwargs):
        purge(app, summary["id"], None)
        real_start(run, *args, **kwargs)
        return fake.set_job(run, status="RUNNING", progress=0.5)

    fake.start_training = start_while_purged
    RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                  clock=clock, purges=False).run_once()
    assert fake.calls_of("start_training") == 1
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(TrainingRun, run_id)
        assert (run.status, run.error_code, run.progress) == (RunStatus.FAILED, "WORKSHOP_OVER", 0.0)
