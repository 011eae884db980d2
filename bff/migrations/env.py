"""Alembic environment: runs on the connection handed in by bff.cli.upgrade_database, or on
``sqlalchemy.url`` when the alembic command line is used directly."""

from __future__ import annotations

from alembic import context

from bff.models import Base
from pictolab.alembic_env import run_migrations

run_migrations(context, Base.metadata)
