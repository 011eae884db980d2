"""bff.cli functions and the real `pictolab` commands that call them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bff.cli import create_workshop, purge_workshop, upgrade_database
from pictolab.settings import Settings
from pictolab.storage import open_storage
from tests.services import base_env

PICTOLAB = str(Path(sys.executable).with_name("pictolab"))


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings.from_env(environ={}, overrides={
        "data_dir": tmp_path, "database_url": database_url, "public_url": "https://ws.example.org"})


def test_create_workshop_summary(settings):
    result = create_workshop(settings, title="AI day", classes=["cat", "cup"], groups=3)
    assert set(result) == {"id", "title", "phase", "classes", "groups"}
    assert result["phase"] == "SETUP" and [c["name"] for c in result["classes"]] == ["cat", "cup"]
    assert len(result["groups"]) == 3
    for group in result["groups"]:
        assert set(group) == {"id", "name", "emoji", "color", "token", "loginUrl"}
        assert group["loginUrl"] == f"https://ws.example.org/join#{group['token']}"
    json.dumps(result)  # JSON-able


@pytest.mark.parametrize("classes,groups", [(["one"], 2), (["a", "b"], 0), (["a", "a"], 1)])
def test_create_workshop_bad_input_is_a_value_error(settings, classes, groups):
    with pytest.raises(ValueError):
        create_workshop(settings, title="T", classes=classes, groups=groups)


def test_purge_unknown_workshop_is_a_lookup_error(settings):
    upgrade_database(settings)
    with pytest.raises(LookupError):
        purge_workshop(settings, "0" * 32)


def test_purge_deletes_the_workshops_objects(settings):
    workshop = create_workshop(settings, title="T", classes=["a", "b"], groups=1)
    storage = open_storage(settings.storage_url)
    storage.put_bytes(f"photos/{workshop['id']}/x.jpg", b"x")
    storage.put_bytes("photos/another/y.jpg", b"y")
    result = purge_workshop(settings, workshop["id"])
    assert result == {"workshop": workshop["id"], "photos": 0, "trainingRuns": 0, "objects": 1}
    assert list(storage.list("photos")) == ["photos/another/y.jpg"]


def test_pictolab_commands(tmp_path, database_url):
    env = base_env(tmp_path / "data", PICTOLAB_DATABASE_URL=database_url)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([PICTOLAB, *args], check=False, env=env, capture_output=True, text=True, timeout=120)

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    created = run("workshop", "create", "--title", "CLI", "--classes", "cat, cup ,shoe", "--groups", "2", "--json")
    assert created.returncode == 0, created.stderr
    workshop = json.loads(created.stdout)
    assert [c["name"] for c in workshop["classes"]] == ["cat", "cup", "shoe"]
    assert all(g["loginUrl"].endswith(g["token"]) for g in workshop["groups"])
    bad = run("workshop", "create", "--title", "CLI", "--classes", "cat", "--groups", "2")
    assert bad.returncode != 0 and "2 to 20 classes" in bad.stderr
    purged = run("purge", "--workshop", workshop["id"], "--yes")
    assert purged.returncode == 0, purged.stderr
    assert json.loads(purged.stdout)["workshop"] == workshop["id"]
    unknown = run("purge", "--workshop", "0" * 32, "--yes")
    assert unknown.returncode != 0 and "no workshop" in unknown.stderr
