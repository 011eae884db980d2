"""The Alembic migrations create exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bff.cli import upgrade_database
from bff.migrations import alembic_config, head_revision
from bff.models import Base
from pictolab.settings import Settings

TABLES = {"workshops", "classes", "groups", "photos", "training_runs", "audit_events", "admin_sessions",
          "alembic_version"}


def _settings(tmp_path, database_url) -> Settings:
    return Settings.from_env(environ={}, overrides={"data_dir": tmp_path, "database_url": database_url})


def test_upgrade_creates_every_table_and_matches_the_models(tmp_path, database_url):
    upgrade_database(_settings(tmp_path, database_url))
    upgrade_database(_settings(tmp_path, database_url))  # idempotent
    engine = create_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(tmp_path, database_url):
    upgrade_database(_settings(tmp_path, database_url))
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        upgrade_database(_settings(tmp_path, database_url))
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
