"""The bff's PostgreSQL pool size comes from the settings (docs/deploy.md, connection budget)."""

from __future__ import annotations

import pytest

from bff.db import make_engine
from pictolab.settings import Settings, SettingsError


def test_pool_settings_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env(environ={"PICTOLAB_DB_POOL_SIZE": "3", "PICTOLAB_DB_MAX_OVERFLOW": "2",
                                          "PICTOLAB_DATA_DIR": str(tmp_path)})
    assert (settings.db_pool_size, settings.db_max_overflow) == (3, 2)
    engine = make_engine("postgresql+psycopg://u:p@127.0.0.1:1/db", pool_size=settings.db_pool_size,
                         max_overflow=settings.db_max_overflow)
    try:
        assert engine.pool.size() == 3
        assert engine.pool._max_overflow == 2  # no public accessor; the value QueuePool enforces
    finally:
        engine.dispose()


@pytest.mark.parametrize("name, value", [("PICTOLAB_DB_POOL_SIZE", "0"), ("PICTOLAB_DB_MAX_OVERFLOW", "-1"),
                                         ("PICTOLAB_DB_POOL_SIZE", "many")])
def test_bad_pool_settings_are_refused(tmp_path, name, value):
    with pytest.raises(SettingsError):
        Settings.from_env(environ={name: value, "PICTOLAB_DATA_DIR": str(tmp_path)})


def test_the_app_builds_its_engine_with_the_pool_settings(monkeypatch, tmp_path):
    import bff.db as db

    seen = {}
    monkeypatch.setattr(db, "make_engine", lambda url, **kw: seen.update(kw) or object())

    class App:
        config = {"SETTINGS": Settings.from_env(environ={}, overrides={"db_pool_size": 4, "db_max_overflow": 1,
                                                                      "data_dir": tmp_path})}
        extensions: dict = {}

        def teardown_appcontext(self, fn):
            return fn

    db.init_app(App())
    assert seen == {"pool_size": 4, "max_overflow": 1}
