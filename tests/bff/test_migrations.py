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
          "alembic_version", "instructors", "workshop_owners", "instructor_invitations",
          "class_reactions", "reflection_answers"}


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


def test_existing_workshops_belong_to_the_first_org_admin(tmp_path, database_url):
    # Workshops made before instructor accounts existed stay on the laptop instructor's screens.
    from sqlalchemy import text

    upgrade_database(_settings(tmp_path, database_url), "0010_workshop_networks")
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for workshop_id in ("a" * 32, "b" * 32):
                conn.execute(text("INSERT INTO workshops (id, title, phase, created_at) "
                                  "VALUES (:id, 'Old', 'CLOSED', CURRENT_TIMESTAMP)"), {"id": workshop_id})
            conn.execute(text("INSERT INTO admin_sessions (id_hash, created_at) VALUES ('x', CURRENT_TIMESTAMP)"))
        upgrade_database(_settings(tmp_path, database_url), "0011_instructors")
        with engine.connect() as conn:
            admins = conn.execute(text("SELECT id, email, is_org_admin, uses_admin_password, password_hash "
                                       "FROM instructors")).all()
            assert [tuple(a[1:]) for a in admins] == [("admin", True, True, None)]
            owners = conn.execute(text("SELECT workshop_id, instructor_id FROM workshop_owners "
                                       "ORDER BY workshop_id")).all()
            assert [tuple(o) for o in owners] == [("a" * 32, admins[0][0]), ("b" * 32, admins[0][0])]
            # Sessions from before had no instructor: everyone signs in once more.
            assert conn.execute(text("SELECT count(*) FROM admin_sessions")).scalar() == 0
    finally:
        engine.dispose()
