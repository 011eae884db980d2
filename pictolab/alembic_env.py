"""What both services' Alembic ``env.py`` do: run the migrations on the connection handed in
(``config.attributes["connection"]``, as `pictolab db upgrade` and `pictolab ml-db upgrade`
do), or on ``sqlalchemy.url`` when the alembic command line is used directly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine


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
