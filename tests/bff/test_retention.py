"""On a laptop, closed workshops older than PICTOLAB_RETENTION_DAYS are purged at `pictolab
up`; like any purge, it asks the ML API to delete the workshop's jobs, and when the ML API is
not up yet (it starts after the purge), the BFF's reconciler does that later
(tests/bff/test_purge_ml_jobs.py). Both databases (the ``database_url`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bff.cli import create_workshop, upgrade_database
from bff.db import make_engine, make_sessionmaker, session_scope
from bff.models import Phase, RunStatus, TrainingRun, Workshop
from bff.retention import purge_expired
from pictolab.contract import storage_keys
from pictolab.settings import Settings, SettingsError
from pictolab.storage import open_storage
from tests.helpers import free_port

NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    # An ML API that is not up (yet): nothing listens there.
    settings = Settings.from_env(environ={}, overrides={"data_dir": tmp_path, "database_url": database_url,
                                                        "ml_api_url": f"http://127.0.0.1:{free_port()}"})
    upgrade_database(settings)
    return settings


@pytest.fixture
def sessions(settings):
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def workshop_with_run(settings, sessions, *, phase: Phase, created: datetime,
                      run_status: RunStatus = RunStatus.SUCCEEDED) -> tuple[str, str]:
    summary = create_workshop(settings, title="W", classes=["cat", "cup"], groups=1)
    storage = open_storage(settings.storage_url)
    with session_scope(sessions) as db:
        workshop = db.get(Workshop, summary["id"])
        workshop.phase = phase
        workshop.created_at = created
        run = TrainingRun(workshop_id=workshop.id, group_id=summary["groups"][0]["id"], status=run_status)
        db.add(run)
        db.flush()
        run_id = run.id
    storage.put_bytes(storage_keys.photo_key(summary["id"], "p1"), b"jpeg")
    storage.put_bytes(storage_keys.model_key(run_id), b"model")
    return summary["id"], run_id


def keys_of(storage, workshop_id: str, run_id: str) -> list[str]:
    return [k for k in storage.list("") if workshop_id in k or run_id in k]


def test_closed_workshops_past_retention_are_purged(settings, sessions):
    old_closed = workshop_with_run(settings, sessions, phase=Phase.CLOSED, created=NOW - timedelta(days=31))
    new_closed = workshop_with_run(settings, sessions, phase=Phase.CLOSED, created=NOW - timedelta(days=29))
    old_open = workshop_with_run(settings, sessions, phase=Phase.COMPETE, created=NOW - timedelta(days=60))
    purged = purge_expired(settings, NOW)
    assert [p["workshop"] for p in purged] == [old_closed[0]]
    storage = open_storage(settings.storage_url)
    assert keys_of(storage, *old_closed) == []
    assert keys_of(storage, *new_closed) and keys_of(storage, *old_open)
    with session_scope(sessions) as db:
        assert db.get(Workshop, old_closed[0]).purged_at is not None
        # The ML API was not up: its jobs are deleted later, by the reconciler.
        assert db.get(Workshop, old_closed[0]).ml_jobs_deleted_at is None
        assert db.get(Workshop, new_closed[0]).purged_at is None
        assert db.get(Workshop, old_open[0]).purged_at is None
    assert purge_expired(settings, NOW) == []  # already purged: nothing again


def test_retention_days_is_a_setting(tmp_path, settings, sessions):
    workshop = workshop_with_run(settings, sessions, phase=Phase.CLOSED, created=NOW - timedelta(days=3))
    assert purge_expired(settings, NOW) == []
    assert [p["workshop"] for p in purge_expired(settings.replace(retention_days=2), NOW)] == [workshop[0]]
    assert Settings.from_env(environ={"PICTOLAB_RETENTION_DAYS": "7"},
                             overrides={"data_dir": tmp_path}).retention_days == 7
    assert Settings.from_env(environ={}, overrides={"data_dir": tmp_path}).retention_days == 30
    with pytest.raises(SettingsError):
        Settings.from_env(environ={"PICTOLAB_RETENTION_DAYS": "0"}, overrides={"data_dir": tmp_path})
