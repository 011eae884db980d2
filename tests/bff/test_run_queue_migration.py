"""Migration 0008 (one run queue): drops the embedding resend columns and adds the
reconciler's lease token, the rescoring flag and the purge's ML job deletion; down and up
again keep every row (no table copy that would cascade), on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from bff.cli import upgrade_database
from bff.db import session_scope
from bff.migrations import alembic_config
from bff.models import Phase, RunStatus, TrainingRun, Workshop, utcnow
from tests.bff.fakes import add_photo_rows
from tests.bff.helpers import workshop_on


def columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_down_and_up_keep_every_row(app):
    summary = workshop_on(app, Phase.TRAIN)
    purged = workshop_on(app, Phase.CLOSED)
    add_photo_rows(app, summary, 4)
    sessions = app.extensions["pictolab.sessionmaker"]
    with session_scope(sessions) as db:
        db.add(TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.SUCCEEDED,
                           rescore_due=True))
        db.get(Workshop, purged["id"]).purged_at = utcnow()
    engine = app.extensions["pictolab.engine"]
    assert {"claimed_by", "rescore_due", "worker"} <= columns(engine, "training_runs")
    assert not {"embed_next_at", "embed_sends"} & columns(engine, "photos")

    with engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), "0007_run_analysis_group_hints")
    assert {"embed_next_at", "embed_sends"} <= columns(engine, "photos")
    assert not {"claimed_by", "rescore_due", "worker"} & columns(engine, "training_runs")
    assert "ml_jobs_deleted_at" not in columns(engine, "workshops")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM photos")).scalar() == 4
        assert conn.execute(text("SELECT count(*) FROM training_runs")).scalar() == 1
        assert conn.execute(text("SELECT min(embed_sends) FROM photos")).scalar() == 0

    # Up to this revision only, read with plain SQL (later revisions belong to other work).
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "0008_run_queue")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM photos")).scalar() == 4
        assert conn.execute(text("SELECT count(*) FROM training_runs WHERE rescore_due")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM training_runs WHERE claimed_by IS NULL")).scalar() == 1
        # Purged before the revision: its purge markers did the job, nothing to ask the ML API.
        rows = dict(conn.execute(text("SELECT id, ml_jobs_deleted_at IS NOT NULL FROM workshops")).all())
        assert {key: bool(value) for key, value in rows.items()} == {summary["id"]: False, purged["id"]: True}
    upgrade_database(app.config["SETTINGS"])
