"""`pictolab up` purges closed workshops past PICTOLAB_RETENTION_DAYS before it starts the
services (the purge itself is bff.retention, tested in tests/bff/test_retention.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bff.cli import create_workshop, upgrade_database
from bff.db import make_engine, make_sessionmaker, session_scope
from bff.models import Phase, Workshop
from pictolab.contract import storage_keys
from pictolab.settings import Settings
from pictolab.storage import open_storage
from pictolab_cli.supervisor import Supervisor


def test_prepare_purges_expired_workshops(tmp_path):
    settings = Settings.from_env(environ={}, overrides={"data_dir": tmp_path, "retention_days": 30})
    upgrade_database(settings)
    old = create_workshop(settings, title="last term", classes=["cat", "cup"], groups=1)
    storage = open_storage(settings.storage_url)
    storage.put_bytes(storage_keys.photo_key(old["id"], "p"), b"jpeg")
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            workshop = db.get(Workshop, old["id"])
            workshop.phase = Phase.CLOSED
            workshop.created_at = datetime.now(UTC) - timedelta(days=45)

        Supervisor(settings, 18000, "127.0.0.1").prepare()

        with session_scope(make_sessionmaker(engine)) as db:
            assert db.get(Workshop, old["id"]).purged_at is not None
    finally:
        engine.dispose()
    assert list(storage.list(storage_keys.workshop_photos_prefix(old["id"]))) == []
