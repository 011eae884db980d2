"""Alembic migrations of the ML API's job-queue database (``PICTOLAB_ML_DATABASE_URL``),
shipped inside the package so `pictolab ml-db upgrade` works from a wheel. Their version
table is ``ml_alembic_version``, so the queue can share a database with anything else."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "ml_alembic_version"


def alembic_config(database_url: str | None = None, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply the queue's migrations up to ``revision`` (idempotent)."""
    from alembic import command

    from ..queue import open_engine

    engine = open_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), revision)
    finally:
        engine.dispose()


def current_revision(database_url: str) -> str | None:
    from alembic.migration import MigrationContext

    from ..queue import open_engine

    engine = open_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
    finally:
        engine.dispose()
