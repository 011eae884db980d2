"""Rollout-safe readiness rules (bff/schema_version.py) and the bff's wait-for-migration."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine

from bff.cli import upgrade_database
from bff.migrations import head_revision
from bff.schema_version import (FailureStreak, SchemaRevisions, current_version, main, schema_check,
                                wait_for_head)
from pictolab.settings import Settings

REVS = SchemaRevisions(head="0004", previous=frozenset({"0003"}), known=frozenset({"0001", "0002", "0003", "0004"}))


def test_this_images_revisions_come_from_its_migration_scripts():
    revisions = SchemaRevisions.from_scripts()
    assert revisions.head == head_revision()
    assert revisions.head in revisions.known
    assert len(revisions.previous) == 1 and revisions.previous <= revisions.known
    assert revisions.head not in revisions.previous


@pytest.mark.parametrize("version, ok", [
    ("0004", True),   # at this image's head
    ("0003", True),   # the migration has not run yet / the image was rolled back
    ("0005", True),   # a newer image's migration ran first: compatible by rule
    ("0002", False),  # two behind: this image's code needs a column that is not there
    ("0001", False),
    (None, False),    # nothing migrated
])
def test_previous_current_and_newer_heads_are_ready(version, ok):
    accepted, detail = schema_check(version, REVS)
    assert accepted is ok
    assert detail.startswith(f"schema at {version}")
    assert ("expected 0004" in detail) is not ok


def test_one_storage_failure_is_a_hiccup_three_in_a_row_are_not():
    streak = FailureStreak(threshold=3)
    assert streak.record(False) is True
    assert streak.record(False) is True
    assert streak.record(True) is True      # a success resets the count
    assert streak.consecutive_failures == 0
    assert [streak.record(False) for _ in range(3)] == [True, True, False]
    assert streak.record(False) is False    # stays failed until a check passes
    assert streak.record(True) is True
    with pytest.raises(ValueError):
        FailureStreak(threshold=0)


def test_failure_streak_is_safe_across_threads():
    streak = FailureStreak(threshold=10_000)
    threads = [threading.Thread(target=lambda: [streak.record(False) for _ in range(500)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert streak.consecutive_failures == 4000


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_head_polls_through_an_unreachable_database_until_the_head():
    clock = FakeClock()
    answers = iter([ConnectionError("proxy starting"), None, "0003", "0003", "0004"])

    def read():
        value = next(answers)
        if isinstance(value, Exception):
            raise value
        return value

    assert wait_for_head(read, "0004", timeout=60, interval=2, clock=clock, sleep=clock.sleep) is True
    assert clock.now == 8  # four polls missed, two seconds apart


def test_wait_for_head_gives_up_after_the_timeout():
    clock = FakeClock()
    assert wait_for_head(lambda: "0003", "0004", timeout=10, interval=2, clock=clock, sleep=clock.sleep) is False
    assert 10 <= clock.now <= 12


def test_wait_command_against_a_real_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("PICTOLAB_DATABASE_URL", url)
    monkeypatch.setenv("PICTOLAB_DATA_DIR", str(tmp_path))
    engine = create_engine(url)
    try:
        assert current_version(engine) is None  # no alembic_version table yet
        # Not migrated: the init container fails after its timeout (the pod retries it).
        assert main(["wait", "--timeout", "0.2", "--interval", "0.05"]) == 1
        upgrade_database(Settings.from_env(environ={}, overrides={"data_dir": tmp_path, "database_url": url}))
        assert current_version(engine) == head_revision()
        assert main(["wait", "--timeout", "5", "--interval", "0.05"]) == 0
    finally:
        engine.dispose()
