"""Alembic environment of the ML API's queue database: runs on the connection handed in by
ml_api.migrations.upgrade, or on ``sqlalchemy.url`` when the alembic command line is used."""

from __future__ import annotations

from alembic import context

from ml_api.migrations import VERSION_TABLE
from ml_api.queue import metadata
from pictolab.alembic_env import run_migrations

run_migrations(context, metadata, version_table=VERSION_TABLE)
