"""Fixtures shared by every test package (plain helpers: tests/helpers.py).

Under ``CI=true`` nothing may skip: a missing tool is a failure there. Outside CI a test may
skip for a missing system tool, saying how to install it (see ``tests.helpers.require_tool``).
"""

from __future__ import annotations

import os
import threading
import uuid

import pytest

# Plain helpers live in tests/helpers.py (test modules import them from there).
from tests.helpers import POSTGRES_URL, free_port, require, wait_for_port


def pytest_collection_modifyitems(config, items):
    """Files with a test marked ``slow`` (real processes, browsers) run first.

    `make test` spreads the files over pytest-xdist workers in this order
    (``--dist loadfile --no-loadscope-reorder``): starting the longest files first keeps one
    long file from starting last while the other workers sit idle. The order within a file,
    and among the rest, stays as collected."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)


@pytest.fixture(scope="session")
def gcs_emulator():
    """A real GCS emulator (gcp-storage-emulator) in this process; yields its host:port and
    points the google-cloud-storage client at it through STORAGE_EMULATOR_HOST."""
    from gcp_storage_emulator.server import create_server

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket="pictolab-test")
    thread = threading.Thread(target=server.start, daemon=True)
    thread.start()
    wait_for_port(port)
    host = f"http://127.0.0.1:{port}"
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ["STORAGE_EMULATOR_HOST"] = host
    yield host
    if previous is None:
        os.environ.pop("STORAGE_EMULATOR_HOST", None)
    else:
        os.environ["STORAGE_EMULATOR_HOST"] = previous
    server.stop()


@pytest.fixture
def gcs_storage_url(gcs_emulator):
    """A fresh prefix in the emulator's bucket, so tests never see each other's objects."""
    return f"gs://pictolab-test/t-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["file", "gcs"])
def storage_url(request, tmp_path):
    """Both storage backends: a local folder and GCS through the real client + emulator."""
    if request.param == "file":
        return (tmp_path / "storage").as_uri()
    return request.getfixturevalue("gcs_storage_url")


@pytest.fixture
def postgres_url():
    """A fresh, empty database on the PostgreSQL server, dropped afterwards."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES_URL)
    name = f"pictolab_t_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sqlalchemy.exc.OperationalError as exc:
        admin.dispose()
        require(False, f"PostgreSQL not reachable at {POSTGRES_URL} ({exc.__class__.__name__}); "
                       "start it or set PICTOLAB_TEST_POSTGRES_URL")
    url = base.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Both databases: a SQLite file and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")
