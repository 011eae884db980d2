"""Alembic migrations of the ML API's job-queue database (``PICTOLAB_ML_DATABASE_URL``),
shipped inside the package so `pictolab ml-db upgrade` works from a wheel. Their version
table is ``ml_alembic_version``, so the queue can share a database with anything else."""

from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from pictolab.alembic_env import migrations_config

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "ml_alembic_version"
ADVISORY_LOCK_ID = 0x706C6D6C  # "plml": the queue's migrations, one process at a time
log = logging.getLogger(__name__)


def alembic_config(database_url: str | None = None, connection=None) -> Config:
    return migrations_config(MIGRATIONS_DIR, database_url, connection)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply the queue's migrations up to ``revision`` (idempotent). On a SQLite file, replicas
    starting together (several `pictolab ml-api` on one laptop) take turns: SQLite runs DDL
    outside a transaction, so two at once would both try to create the tables."""
    from alembic import command

    from ..queue import open_engine

    with _sqlite_file_lock(database_url):
        engine = open_engine(database_url)
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # ML API pods starting together each run this: one at a time.
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_ID})")
                current = _current(connection)
                if current is not None and current not in _known_revisions():
                    # A newer release migrated the queue ahead of this code (a rollback):
                    # its tables still hold what this release reads, so start on it.
                    log.warning("the ML queue database is at %s, a revision this release does not know; "
                                "left as it is", current)
                    return
                command.upgrade(alembic_config(connection=connection), revision)
        finally:
            engine.dispose()


def _current(connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def _known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


@contextmanager
def _sqlite_file_lock(database_url: str):
    if not database_url.startswith("sqlite:///") or database_url == "sqlite:///:memory:":
        yield  # a server database: its migrate Job runs alone
        return
    path = Path(database_url[len("sqlite:///"):]).with_suffix(".migrate.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(database_url: str) -> str | None:
    from ..queue import open_engine

    engine = open_engine(database_url)
    try:
        with engine.connect() as connection:
            return _current(connection)
    finally:
        engine.dispose()
