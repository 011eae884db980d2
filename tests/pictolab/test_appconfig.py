"""One way to configure a service (pictolab.appconfig) and one readiness shape (pictolab.health),
checked on the helpers and on the three real factories."""

from __future__ import annotations

import importlib
import logging
import os

import pytest
from flask import Flask

from pictolab.appconfig import configure_app, split_config
from pictolab.health import Check, readiness
from pictolab.settings import Settings, SettingsError
from tests.helpers import assert_readiness_shape


def test_lower_case_keys_are_settings_upper_case_keys_are_flask(tmp_path):
    app = Flask("t")
    settings = configure_app(app, {"storage_url": (tmp_path / "s").as_uri(), "data_dir": tmp_path, "TESTING": True,
                                   "KNOB": 2},
                             defaults={"KNOB": 1, "OTHER": "default"},
                             from_settings=lambda s: {"DERIVED": s.storage_url, "OTHER": "derived"},
                             environ={"PICTOLAB_ML_DEVICE": "cpu", "PICTOLAB_STORAGE_URL": "file:///from-env"})
    assert isinstance(settings, Settings) and app.config["SETTINGS"] is settings
    assert settings.storage_url == (tmp_path / "s").as_uri()  # config beats the environment
    assert settings.ml_device == "cpu"  # the environment beats the defaults
    assert app.config["KNOB"] == 2 and app.config["TESTING"] is True  # config beats the defaults
    assert app.config["OTHER"] == "derived" and app.config["DERIVED"] == settings.storage_url


@pytest.mark.parametrize("config", [{"no_such_setting": 1}, {"Mixed_Case": 1}, {"SETTINGS": {}}, {3: "x"}])
def test_bad_config_keys_are_typed_errors(config, tmp_path):
    with pytest.raises(SettingsError):
        configure_app(Flask("t"), {"data_dir": tmp_path, **config}, environ={})


def test_split_config():
    assert split_config({"a_b": 1, "A_B": 2}) == ({"a_b": 1}, {"A_B": 2})
    assert split_config(None) == ({}, {})


@pytest.mark.parametrize("service", ["bff", "ml_api", "frontend"])
def test_every_factory_reads_config_the_same_way(service, tmp_path, monkeypatch):
    for name in [n for n in os.environ if n.startswith("PICTOLAB_")]:
        monkeypatch.delenv(name)
    config = {"data_dir": tmp_path / "data", "storage_url": (tmp_path / "storage").as_uri(),
              "database_url": f"sqlite:///{tmp_path / 'db.sqlite'}", "log_level": "WARNING", "TESTING": True,
              "ML_HANDLE_SIGNALS": False, "ML_LOAD_BACKBONE": False, "ml_device": "cpu"}
    factory = importlib.import_module(service).create_app
    app = factory(config)
    try:
        assert app.config["SETTINGS"].storage_url == config["storage_url"]
        assert app.config["SETTINGS"].log_level == "WARNING"
        assert app.config["TESTING"] is True
        with pytest.raises(SettingsError):
            factory({**config, "not_a_setting": 1})
    finally:
        if service == "ml_api":
            app.extensions["ml_api"].shutdown(wait=True)
        if service == "bff":
            app.extensions["pictolab.engine"].dispose()


def test_readiness_shape_and_one_log_line_per_change(caplog):
    app = Flask("t")
    checks = {"a": Check(True, "fine"), "b": Check(False, "broken: why")}
    with app.app_context(), caplog.at_level(logging.INFO, logger="pictolab.health"):
        body, status = readiness("svc", checks)
        assert status == 503
        assert body.get_json() == {"status": "not ready", "service": "svc",
                                   "checks": {"a": {"ok": True, "detail": "fine"},
                                              "b": {"ok": False, "detail": "broken: why"}}}
        readiness("svc", checks)  # the same state again: no second line
        body, status = readiness("svc", {"a": Check(True, "fine")})
        assert status == 200 and body.get_json()["status"] == "ready"
    messages = [r.getMessage() for r in caplog.records if r.name == "pictolab.health"]
    assert messages == ["svc not ready: b: broken: why", "svc ready"]


def test_the_shape_helper_rejects_other_shapes():
    class Response:
        status_code = 200

        def __init__(self, body):
            self.body = body

        def get_json(self):
            return self.body

    with pytest.raises(AssertionError):
        assert_readiness_shape(Response({"status": "ok", "checks": {"db": "ok"}}), "bff")
    with pytest.raises(AssertionError):  # says ready but a check fails
        assert_readiness_shape(Response({"status": "ready", "service": "bff",
                                         "checks": {"db": {"ok": False, "detail": "down"}}}), "bff")
