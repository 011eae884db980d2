"""Readiness rules that keep a rollout quiet, and the wait a new bff pod does for its schema.

During a rollout two images serve at once while the migration Job moves the database forward.
A pod must not drop out of the load balancer for that:

- the schema is *acceptable* to an image when the database is at the image's head, at the
  head's parent (the migration has not run yet, or the image was rolled back), or at a
  revision this image does not know (a newer image's migration ran first; migrations are
  written to be compatible with the previous release: add first, drop one release later);
- one failed storage check is a hiccup, not an outage: readiness flips only after
  ``STORAGE_FAILURES_BEFORE_UNREADY`` failures in a row.

``python -m bff.schema_version migrate`` is the bff pod's init container (k8s/base/bff.yaml):
it brings the database to this image's head under a PostgreSQL advisory lock (pods that start
together migrate one at a time; the others find the work done), so an ``apply -k`` needs no
migration Job to delete first. ``python -m bff.schema_version wait`` only blocks until the
database is at this image's head. Both accept a head this image does not know: a pod of the
previous release (``kubectl rollout undo``) starts on a database one migration ahead instead
of sticking in Init, because migrations stay compatible with the previous release.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Failed storage checks in a row (one per readiness probe) before /readyz says "not ready";
# the probe's own failureThreshold (k8s/base/bff.yaml) then decides when the pod leaves.
STORAGE_FAILURES_BEFORE_UNREADY = 3


@dataclass(frozen=True)
class SchemaRevisions:
    """What this image knows about the migration history."""

    head: str
    previous: frozenset[str]  # the head's parent(s); empty for the first migration
    known: frozenset[str]  # every revision in this image's scripts

    @classmethod
    def from_scripts(cls) -> SchemaRevisions:
        from alembic.script import ScriptDirectory

        from .migrations import alembic_config

        scripts = ScriptDirectory.from_config(alembic_config())
        head = scripts.get_current_head()
        down = scripts.get_revision(head).down_revision if head else None
        previous = frozenset([down] if isinstance(down, str) else (down or ()))
        known = frozenset(rev.revision for rev in scripts.walk_revisions())
        return cls(head=head, previous=previous, known=known)


def schema_check(version: str | None, revisions: SchemaRevisions) -> tuple[bool, str]:
    """(acceptable, detail) for the database's alembic version."""
    if version == revisions.head:
        return True, f"schema at {version}"
    if version in revisions.previous:
        return True, f"schema at {version}, the previous head ({revisions.head} not applied yet)"
    if version is not None and version not in revisions.known:
        return True, f"schema at {version}, newer than this image's {revisions.head}"
    return False, f"schema at {version}, expected {revisions.head}"


class FailureStreak:
    """Counts consecutive failures of one check; ``failed`` only after ``threshold`` in a row.
    Thread-safe: gunicorn threads answer probes concurrently."""

    def __init__(self, threshold: int = STORAGE_FAILURES_BEFORE_UNREADY):
        if threshold < 1:
            raise ValueError("threshold must be >= 1")
        self.threshold = threshold
        self._count = 0
        self._lock = threading.Lock()

    def record(self, ok: bool) -> bool:
        """Record one result; True while the check counts as passing."""
        with self._lock:
            self._count = 0 if ok else self._count + 1
            return self._count < self.threshold

    @property
    def consecutive_failures(self) -> int:
        return self._count


def current_version(engine) -> str | None:
    from sqlalchemy import text

    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:  # noqa: BLE001 - no alembic_version table yet: nothing migrated
            return None


def is_newer(version: str | None, known: frozenset[str] | None) -> bool:
    """The database is at a revision this image's scripts do not have: a newer release migrated
    it (rollback), which this image runs on by the compatibility rule."""
    return known is not None and version is not None and not version.startswith("unreachable (") \
        and version not in known


def wait_for_head(read_version: Callable[[], str | None], head: str, *, timeout: float,
                  interval: float = 2.0, clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep, known: frozenset[str] | None = None) -> bool:
    """Poll until ``read_version()`` is ``head`` (or, given ``known``, a revision newer than
    this image); False after ``timeout`` seconds. A database that does not answer yet (the
    proxy starting) is polled again, not fatal."""
    deadline = clock() + timeout
    last = object()
    while True:
        try:
            version = read_version()
        except Exception as exc:  # noqa: BLE001 - keep waiting; the reason is logged
            version = f"unreachable ({exc.__class__.__name__})"
        if version == head:
            return True
        if is_newer(version, known):
            log.info("schema ahead of this image: running on it (rollback)",
                     extra={"schema": version, "imageHead": head})
            return True
        if version != last:
            log.info("waiting for the migration", extra={"schema": version, "expected": head})
            last = version
        if clock() >= deadline:
            return False
        sleep(interval)


# pg_advisory_lock key of the bff's migrations ("pictolab" in ASCII): one migrating pod at a time.
MIGRATION_LOCK_KEY = 0x7069_6374_6F6C_6162 & 0x7FFF_FFFF_FFFF_FFFF


def migrate(engine, revisions: SchemaRevisions, upgrade: Callable[[], None]) -> str:
    """Bring the database to ``revisions.head`` unless it is already there or ahead of this
    image; returns what was done ("upgraded", "at head", "newer"). On PostgreSQL the whole
    check-and-upgrade holds an advisory lock, so pods that start together do not race."""
    from sqlalchemy import text

    with engine.connect() as lock:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        try:
            version = current_version(engine)
            if version == revisions.head:
                return "at head"
            if is_newer(version, revisions.known):
                log.info("schema ahead of this image: not migrating (rollback)",
                         extra={"schema": version, "imageHead": revisions.head})
                return "newer"
            upgrade()
            return "upgraded"
        finally:
            if postgres:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                lock.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bff.schema_version")
    sub = parser.add_subparsers(dest="command", required=True)
    wait = sub.add_parser("wait", help="block until the database is at this image's schema head (or newer)")
    wait.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")
    wait.add_argument("--interval", type=float, default=2.0, help="seconds between checks")
    migrate_cmd = sub.add_parser("migrate", help="apply this image's migrations unless the schema is newer")
    migrate_cmd.add_argument("--timeout", type=float, default=120.0,
                             help="seconds to wait for the database to answer (default 120)")
    args = parser.parse_args(argv)

    from pictolab.logging import configure_logging
    from pictolab.settings import Settings

    from .db import make_engine

    settings = Settings.from_env()
    configure_logging("bff", settings.log_level)
    revisions = SchemaRevisions.from_scripts()
    head = revisions.head
    if args.command == "migrate":
        from .cli import upgrade_database

        # Two connections: one holds the advisory lock, one reads the version.
        engine = make_engine(settings.database_url, pool_size=2, max_overflow=0)
        try:
            # The proxy sidecar may still be connecting: wait for the database to answer at all.
            deadline = time.monotonic() + args.timeout
            while True:
                try:
                    current_version(engine)
                    break
                except Exception as exc:  # noqa: BLE001 - retried until the deadline
                    if time.monotonic() >= deadline:
                        log.error("the database did not answer", extra={"error": exc.__class__.__name__})
                        return 1
                    time.sleep(1.0)
            outcome = migrate(engine, revisions, lambda: upgrade_database(settings))
            log.info("schema migrated" if outcome == "upgraded" else f"schema {outcome}", extra={"schema": head})
            return 0
        finally:
            engine.dispose()
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0)  # one poller, one connection
    try:
        if wait_for_head(lambda: current_version(engine), head, timeout=args.timeout, interval=args.interval,
                         known=revisions.known):
            log.info("schema at head", extra={"schema": head})
            return 0
        log.error("the schema did not reach this image's head in time: did the migrate Job run?",
                  extra={"expected": head, "timeoutSeconds": args.timeout})
        return 1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
