"""Rollout-safe readiness rules (bff/schema_version.py) and the bff's wait-for-migration."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine

from bff.cli import upgrade_database
from bff.migrations import head_revision
from bff.schema_version import (
    FailureStreak,
    SchemaRevisions,
    current_version,
    main,
    schema_check,
    wait_for_head,
)
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


def test_wait_for_head_accepts_a_head_this_image_does_not_know():
    """A pod of the previous release (rollout undo) starts on a database one migration ahead."""
    clock = FakeClock()
    assert wait_for_head(lambda: "0005", "0004", timeout=10, interval=2, clock=clock, sleep=clock.sleep,
                         known=REVS.known) is True
    assert clock.now == 0
    # A known older revision, nothing yet, or an unreachable database is still waited for.
    for answer in ("0003", None):
        assert wait_for_head(lambda a=answer: a, "0004", timeout=4, interval=2, clock=clock, sleep=clock.sleep,
                             known=REVS.known) is False

    def unreachable():
        raise ConnectionError("proxy starting")

    assert wait_for_head(unreachable, "0004", timeout=4, interval=2, clock=clock, sleep=clock.sleep,
                         known=REVS.known) is False


def _stamp(engine, version: str) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})


def test_previous_release_starts_on_a_newer_schema(database_url, tmp_path, monkeypatch):
    """`rollout undo` after a release that carried a migration: this image's init container
    (migrate, or wait) finds a head it does not know, leaves it alone and lets the pod start."""
    monkeypatch.setenv("PICTOLAB_DATABASE_URL", database_url)
    monkeypatch.setenv("PICTOLAB_DATA_DIR", str(tmp_path))
    engine = create_engine(database_url)
    try:
        assert main(["migrate", "--timeout", "5"]) == 0  # an empty database: migrated to head
        assert current_version(engine) == head_revision()
        assert main(["migrate", "--timeout", "5"]) == 0  # again: nothing to do
        _stamp(engine, "9999_from_the_next_release")
        assert main(["migrate", "--timeout", "5"]) == 0
        assert current_version(engine) == "9999_from_the_next_release", "never downgraded nor re-stamped"
        assert main(["wait", "--timeout", "0.5", "--interval", "0.05"]) == 0
        # Two releases behind is still refused by the wait (readiness too): that is no rollback.
        revisions = SchemaRevisions.from_scripts()
        older = min(revisions.known - revisions.previous - {revisions.head})
        _stamp(engine, older)
        assert main(["wait", "--timeout", "0.2", "--interval", "0.05"]) == 1
    finally:
        engine.dispose()


def test_pods_that_start_together_migrate_one_at_a_time(postgres_url, tmp_path, monkeypatch):
    """The advisory lock: two init containers at once both succeed, and the schema is migrated once."""
    from bff.schema_version import migrate

    monkeypatch.setenv("PICTOLAB_DATA_DIR", str(tmp_path))
    settings = Settings.from_env(environ={}, overrides={"data_dir": tmp_path, "database_url": postgres_url})
    revisions = SchemaRevisions.from_scripts()
    inside, overlap, outcomes = [0], [], []
    guard = threading.Lock()

    def upgrade():
        with guard:
            inside[0] += 1
            overlap.append(inside[0])
        try:
            upgrade_database(settings)
        finally:
            with guard:
                inside[0] -= 1

    def pod():
        engine = create_engine(postgres_url, pool_size=2, max_overflow=0)
        try:
            outcomes.append(migrate(engine, revisions, upgrade))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=pod) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(outcomes) == ["at head", "at head", "upgraded"]
    assert overlap == [1]
