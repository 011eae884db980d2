"""Database engine and per-request sessions.

``init_app`` makes one engine per app; :func:`session` gives the request's SQLAlchemy
session (closed at teardown). SQLite runs in WAL mode with foreign keys on, so several
gunicorn workers can share one file on a laptop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str, *, pool_size: int = 5, max_overflow: int = 5) -> Engine:
    """``pool_size``/``max_overflow`` apply to server databases (PostgreSQL): the connections
    one process may hold, counted in docs/deploy.md's connection budget."""
    if database_url.startswith("sqlite"):
        path = make_url(database_url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # a fresh PICTOLAB_DATA_DIR
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session outside a request (CLI): commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def init_app(app) -> None:
    settings = app.config["SETTINGS"]
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size,
                         max_overflow=settings.db_max_overflow)
    app.extensions["pictolab.engine"] = engine
    app.extensions["pictolab.sessionmaker"] = make_sessionmaker(engine)

    @app.teardown_appcontext
    def _close_session(_exc):
        db_session = g.pop("_pictolab_db", None)
        if db_session is not None:
            db_session.close()


def session() -> Session:
    """The SQLAlchemy session of the current request."""
    if "_pictolab_db" not in g:
        g._pictolab_db = current_app.extensions["pictolab.sessionmaker"]()
    return g._pictolab_db


def engine() -> Engine:
    return current_app.extensions["pictolab.engine"]


def ping(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        conn.execute(text("SELECT 1"))
