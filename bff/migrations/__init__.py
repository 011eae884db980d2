"""Alembic migrations, shipped inside the package so `pictolab db upgrade` works from a wheel."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from pictolab.alembic_env import migrations_config

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str | None = None, connection=None) -> Config:
    return migrations_config(MIGRATIONS_DIR, database_url, connection)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
