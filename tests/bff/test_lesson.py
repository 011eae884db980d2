"""`pictolab workshop create --template background` (bff/lesson.py): a ready bias-lesson
workshop. That its AI learns the background and the hint says so: tests/ml_api/test_lesson.py
(the ML API's code) and tests/frontend/test_play_browser.py (the whole system)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bff.cli import create_template_workshop
from bff.db import make_engine, make_sessionmaker, session_scope
from bff.lesson import CLASSES, TEST_PER_CLASS, TRAIN_PER_CLASS
from bff.models import Photo, Workshop
from pictolab.settings import Settings
from pictolab.storage import open_storage
from tests.services import base_env

PICTOLAB = str(Path(sys.executable).with_name("pictolab"))


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings.from_env(environ={}, overrides={
        "data_dir": tmp_path, "database_url": database_url, "public_url": "https://ws.example.org"})


def test_the_background_template_is_a_ready_lesson(settings):
    result = create_template_workshop(settings, "background", groups=2)
    assert result["phase"] == "TRAIN" and len(result["groups"]) == 2
    assert [(c["name"], c["emoji"]) for c in result["classes"]] == [(c.name, c.emoji) for c in CLASSES]
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            workshop = db.get(Workshop, result["id"])
            assert workshop.friends_ais is True
            counts = dict(db.execute(select(Photo.group_id, func.count()).where(Photo.workshop_id == workshop.id)
                                     .group_by(Photo.group_id)).all())
            keys = db.scalars(select(Photo.storage_key).where(Photo.workshop_id == workshop.id)).all()
    finally:
        engine.dispose()
    assert counts == {**{g["id"]: TRAIN_PER_CLASS * len(CLASSES) for g in result["groups"]},
                      None: TEST_PER_CLASS * len(CLASSES)}
    storage = open_storage(settings.storage_url)
    assert all(storage.exists(key) for key in keys)


def test_the_command_line(tmp_path):
    env = base_env(tmp_path / "data", PICTOLAB_ADMIN_PASSWORD="x" * 16)
    out = subprocess.run([PICTOLAB, "workshop", "create", "--template", "background", "--groups", "1", "--json"],
                         env=env, check=True, capture_output=True, text=True, timeout=120)
    summary = json.loads(out.stdout)
    assert summary["phase"] == "TRAIN" and [c["emoji"] for c in summary["classes"]] == ["⭕", "🔺", "⭐"]
    refused = subprocess.run([PICTOLAB, "workshop", "create", "--groups", "1"], env=env, capture_output=True,
                             text=True, timeout=120, check=False)
    assert refused.returncode != 0 and "--template" in refused.stderr
