"""Migration 0004 adds training_runs.error_code and fills it for runs that failed before it,
with the reading of the error text the API used until then (new runs get the ML API's code)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from bff.cli import upgrade_database
from bff.db import session_scope
from bff.migrations import alembic_config
from bff.models import Phase, RunStatus, TrainingRun
from tests.bff.helpers import workshop_on

OLD_RUNS = [  # status, error text, the code it showed before 0004
    (RunStatus.FAILED, "image file:///s/photos/w/p.jpg: not found in storage", "PHOTO_UNREADABLE"),
    (RunStatus.FAILED, "The workshop was purged.", "WORKSHOP_OVER"),
    (RunStatus.FAILED, "internal error: RuntimeError: boom", "TRAINING_FAILED"),
    (RunStatus.SUCCEEDED, "Could not be scored on the test photos: timeout", "NOT_SCORED"),
    (RunStatus.SUCCEEDED, None, None),
]


def test_upgrade_fills_the_code_of_existing_runs(app):
    summary = workshop_on(app, Phase.TRAIN)
    sessions = app.extensions["pictolab.sessionmaker"]
    with session_scope(sessions) as db:
        ids = []
        for status, error, _ in OLD_RUNS:
            run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=status,
                              error=error, error_code="WRONG" if error else None)
            db.add(run)
            db.flush()
            ids.append(run.id)
    engine = app.extensions["pictolab.engine"]
    with engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), "0003_admin_sessions")
    upgrade_database(app.config["SETTINGS"])
    with session_scope(sessions) as db:
        codes = dict(db.execute(select(TrainingRun.id, TrainingRun.error_code)).all())
    assert [codes[run_id] for run_id in ids] == [expected for _, _, expected in OLD_RUNS]
