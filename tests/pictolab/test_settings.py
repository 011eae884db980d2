import ipaddress

import pytest

from pictolab.settings import Settings, SettingsError

STRONG = {"PICTOLAB_SECRET_KEY": "k" * 40, "PICTOLAB_ADMIN_PASSWORD": "correct horse battery"}


def test_embedded_defaults_live_under_data_dir(tmp_path):
    s = Settings.from_env({"PICTOLAB_DATA_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'pictolab.db'}"
    assert s.storage_url == (tmp_path / "storage").as_uri()
    assert s.is_development and s.graphiql
    # Generated once and kept: sessions and login cards survive a restart.
    assert len(s.secret_key) >= 32 and len(s.admin_password) >= 10
    again = Settings.from_env({"PICTOLAB_DATA_DIR": str(tmp_path)})
    assert (again.secret_key, again.admin_password) == (s.secret_key, s.admin_password)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_then_overrides(tmp_path):
    env = {"PICTOLAB_DATA_DIR": str(tmp_path), "PICTOLAB_ALLOWED_CIDRS": "10.0.0.0/8, 192.168.1.7",
           "PICTOLAB_TRUSTED_PROXY_HOPS": "2", "PICTOLAB_ML_DEVICE": "cpu", "PICTOLAB_GRAPHIQL": "off"}
    s = Settings.from_env(env, overrides={"ml_device": "auto"})
    assert s.allowed_cidrs == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.168.1.7/32"))
    assert s.trusted_proxy_hops == 2 and s.ml_device == "auto" and s.graphiql is False


@pytest.mark.parametrize("env, message", [
    ({"PICTOLAB_ALLOWED_CIDRS": "10.0.0.0/8,not-a-net"}, "not-a-net"),
    ({"PICTOLAB_ML_DEVICE": "tpu"}, "ML_DEVICE"),
    ({"PICTOLAB_TRUSTED_PROXY_HOPS": "many"}, "TRUSTED_PROXY_HOPS"),
    ({"PICTOLAB_STORAGE_URL": "s3://bucket"}, "STORAGE_URL"),
    ({"PICTOLAB_MAX_IMAGE_PIXELS": "0"}, "MAX_IMAGE_PIXELS"),
])
def test_bad_values_are_named(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"PICTOLAB_DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize("missing", ["PICTOLAB_SECRET_KEY", "PICTOLAB_ADMIN_PASSWORD"])
def test_production_refuses_default_secrets(tmp_path, missing):
    env = {"PICTOLAB_DATA_DIR": str(tmp_path), "PICTOLAB_ENV": "production", **STRONG}
    env.pop(missing)
    with pytest.raises(SettingsError, match="refusing to start"):
        Settings.from_env(env).require_secrets()
    env[missing] = "changeme"
    with pytest.raises(SettingsError, match="refusing to start"):
        Settings.from_env(env).require_secrets()
    # The ML API and the frontend server use neither secret and need neither.
    assert Settings.from_env({k: v for k, v in env.items() if not k.endswith(("SECRET_KEY", "PASSWORD"))})


def test_production_with_real_secrets(tmp_path):
    s = Settings.from_env({"PICTOLAB_DATA_DIR": str(tmp_path), "PICTOLAB_ENV": "production", **STRONG})
    assert s.require_secrets() is s
    assert not s.is_development and s.graphiql is False
    assert not (tmp_path / "secret_key").exists()  # nothing generated outside development


def test_unknown_override_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="unknown settings"):
        Settings.from_env({"PICTOLAB_DATA_DIR": str(tmp_path)}, overrides={"nope": 1})
