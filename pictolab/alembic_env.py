"""What both services' Alembic setups share: their Config, and what their ``env.py`` do: run the migrations on the connection handed in
(``config.attributes["connection"]``, as `pictolab db upgrade` and `pictolab ml-db upgrade`
do), or on ``sqlalchemy.url`` when the alembic command line is used directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine


def migrations_config(script_location: Path, database_url: str | None = None, connection=None):
    """An Alembic Config for the migrations in ``script_location``, on ``database_url`` or on a
    connection the caller holds (``config.attributes["connection"]``, read by run_migrations)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    if database_url:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def run_migrations(context: Any, target_metadata: Any, version_table: str = "alembic_version") -> None:
    config = context.config
    options = {"target_metadata": target_metadata, "version_table": version_table}

    def run_on(connection) -> None:
        context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True, **options)
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as conn:
            run_on(conn)
    finally:
        engine.dispose()
