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


def test_upgrading_a_workshop_with_data_to_head_keeps_every_row(tmp_path, database_url):
    """From the last revision before this round to head: no migration may drop a row (on
    SQLite a batch that copies `workshops` would cascade to every class, group and photo)."""
    from sqlalchemy import text

    upgrade_database(_settings(tmp_path, database_url), "0007_run_analysis_group_hints")
    engine = create_engine(database_url)
    w, c, g, p = "a" * 32, "c" * 32, "d" * 32, "e" * 32
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workshops (id, title, phase, created_at) "
                              "VALUES (:id, 'Old', 'TRAIN', CURRENT_TIMESTAMP)"), {"id": w})
            conn.execute(text("INSERT INTO classes (id, workshop_id, name, position) VALUES (:id, :w, 'cat', 0)"),
                         {"id": c, "w": w})
            conn.execute(text("INSERT INTO groups (id, workshop_id, name, emoji, color, token_version, revoked, "
                              "created_at) VALUES (:id, :w, 'Otter', 'x', '#000000', 1, false, CURRENT_TIMESTAMP)"),
                         {"id": g, "w": w})
            conn.execute(text("INSERT INTO photos (id, workshop_id, group_id, class_id, is_test, storage_key, "
                              "content_hash, width, height, byte_size, created_at) VALUES (:id, :w, :g, :c, false, "
                              "'k', 'h', 1, 1, 1, CURRENT_TIMESTAMP)"), {"id": p, "w": w, "g": g, "c": c})
        upgrade_database(_settings(tmp_path, database_url))
        with engine.connect() as conn:
            counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("workshops", "classes", "groups", "photos")}
        assert counts == {"workshops": 1, "classes": 1, "groups": 1, "photos": 1}
    finally:
        engine.dispose()
