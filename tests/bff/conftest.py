"""BFF fixtures: a fresh app + database per test, on SQLite and on PostgreSQL.

The schema is made by running the Alembic migration (so the migration is what is tested),
storage is a temporary folder unless a test asks for GCS.
"""

from __future__ import annotations

from typing import Any

import pytest

from bff import create_app
from bff.cli import upgrade_database
from bff.db import make_engine, make_sessionmaker, session_scope
from bff.models import Phase
from bff.workshops import create_workshop, workshop_summary
from tests.bff.helpers import GraphQLClient, app_config


@pytest.fixture(autouse=True)
def _no_pictolab_environment(monkeypatch):
    """Tests configure apps explicitly; a developer's PICTOLAB_* variables must not leak in."""
    import os

    for name in list(os.environ):
        if name.startswith("PICTOLAB_"):
            monkeypatch.delenv(name)


@pytest.fixture
def make_app(tmp_path, database_url):
    """Build (and migrate) BFF apps on this test's database; ``make_app(**overrides)``."""
    apps = []

    def _make(migrate: bool = True, **overrides: Any):
        config = {**app_config(tmp_path, database_url), **overrides}
        app = create_app(config)
        if migrate:
            upgrade_database(app.config["SETTINGS"])
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.extensions["pictolab.engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> GraphQLClient:
    return GraphQLClient(app.test_client())


@pytest.fixture
def new_client(app):
    """Another device (its own cookie jar) on the same app."""
    return lambda: GraphQLClient(app.test_client())


@pytest.fixture
def make_workshop(app):
    """``make_workshop(phase=Phase.COLLECT, classes=[...], groups=2)`` -> the CLI's JSON summary."""

    def _make(phase: Phase = Phase.COLLECT, classes=("cat", "cup", "shoe"), groups: int = 2,
              title: str = "Test workshop") -> dict[str, Any]:
        settings = app.config["SETTINGS"]
        with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
            workshop = create_workshop(db, title=title, classes=list(classes), groups=groups, actor="cli")
            workshop.phase = phase
            return workshop_summary(settings, workshop)

    return _make


@pytest.fixture
def db_session(app):
    """A session on the app's database, for direct checks."""
    engine = make_engine(app.config["SETTINGS"].database_url)
    session = make_sessionmaker(engine)()
    yield session
    session.close()
    engine.dispose()
