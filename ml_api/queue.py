"""The ML API's job queue: one table in its own database (``PICTOLAB_ML_DATABASE_URL``) that
every replica's workers pull from. The database does the coordination: a claim is one
statement (PostgreSQL ``FOR UPDATE SKIP LOCKED``, SQLite an ``UPDATE … RETURNING`` under its
single writer lock), a worker's lease is renewed with its progress in one
``UPDATE … WHERE claim = mine``, and a job whose lease ran out is claimed again by any worker.

A row is everything a job is: its input (``payload``), its state (status, progress, epoch,
``worker``), its result (model URI, evaluation, analysis, hints). Nothing of it lives in
object storage, so any replica answers for any job.

Kinds, in the order workers take them (``priority``): ``TRAIN`` (a child is waiting),
``HINTS`` (one group's photo hints, coalesced per group), ``EMBED`` (one photo's frozen
embedding, cached ahead of its run). ``scope`` is the caller's name for what the job belongs
to (the BFF's workshop id): :meth:`JobQueue.delete_scope` deletes a purged workshop's jobs and
tombstones the scope, so a request still on its way cannot bring one back.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from pictolab.contract.jobs import JobStatus

QUEUED, RUNNING = JobStatus.QUEUED.value, JobStatus.RUNNING.value
SUCCEEDED, FAILED = JobStatus.SUCCEEDED.value, JobStatus.FAILED.value

TRAIN, HINTS, EMBED = "TRAIN", "HINTS", "EMBED"
KINDS = (TRAIN, HINTS, EMBED)
# Lower first: training before background work.
PRIORITY = {TRAIN: 0, HINTS: 10, EMBED: 20}
BACKGROUND = (HINTS, EMBED)

JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")
metadata = MetaData()

jobs = Table(
    "ml_jobs", metadata,
    Column("id", String(96), primary_key=True),  # TRAIN: the run id; EMBED/HINTS: see job_id_for
    Column("kind", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("scope", String(64)),
    Column("status", String(16), nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("signature", String(128)),  # HINTS: the photo set the payload describes
    Column("queued_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("updated_at", DateTime, nullable=False),
    # The current claim: a random token per claim, the process that holds it, until when.
    Column("claim", String(32)),
    Column("worker", String(160)),
    Column("lease_until", DateTime),
    Column("heartbeat_at", DateTime),
    Column("attempt", Integer, nullable=False, default=0),
    Column("interrupted", Boolean, nullable=False, default=False),
    Column("progress", Float, nullable=False, default=0.0),
    Column("epoch", Integer),
    Column("epochs", Integer),
    Column("epochs_run", Integer),
    Column("resumed_from_epoch", Integer),
    Column("train_accuracy", Float),
    Column("error", Text),
    Column("error_code", String(32)),
    Column("model_uri", Text),
    Column("result", JSONType),  # TRAIN: analysis, evaluation, timings; HINTS: the hints
    Index("ix_ml_jobs_claimable", "status", "priority", "queued_at"),
    Index("ix_ml_jobs_scope", "scope"),
)

deleted_scopes = Table(
    "ml_deleted_scopes", metadata,
    Column("scope", String(64), primary_key=True),
    Column("deleted_at", DateTime, nullable=False),
)

# What a worker may change in its row while it holds the claim (camelCase: the trainers'
# report() names, as the GraphQL type spells them).
PROGRESS_FIELDS = {"progress": "progress", "epoch": "epoch", "epochs": "epochs", "epochsRun": "epochs_run",
                   "resumedFromEpoch": "resumed_from_epoch", "trainAccuracy": "train_accuracy"}


def utcnow() -> datetime:
    """Naive UTC: both databases store it as it is, and every comparison uses Python's clock."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat(timespec="milliseconds")


def job_id_for(kind: str, key: str) -> str:
    """EMBED rows are keyed by the photo and backbone (one row per photo, however often it is
    sent), HINTS rows by the caller's key (one per group)."""
    if kind == TRAIN:
        return key
    return f"{kind.lower()}:{hashlib.sha256(key.encode()).hexdigest()[:48]}"


def this_worker() -> str:
    """``hostname:pid``: TrainingJob.worker and health.worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            os.makedirs(os.path.dirname(os.path.abspath(url[len("sqlite:///"):])), exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the claiming writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # Each worker slot, the leaser and the request threads hold at most one connection each.
    return create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)


@dataclass(frozen=True)
class Claim:
    """A job this worker holds: its row as claimed and the token its updates must match."""

    id: str
    kind: str
    token: str
    row: Mapping[str, Any]

    @property
    def payload(self) -> dict:
        return dict(self.row["payload"])


class ScopeDeleted(Exception):
    """The job's scope (a workshop) was purged: it cannot be queued again."""


class JobQueue:
    def __init__(self, engine: Engine, lease_seconds: float = 30.0, worker: str | None = None):
        self.engine = engine
        self.lease = timedelta(seconds=lease_seconds)
        self.worker = worker or this_worker()
        self._postgres = engine.dialect.name == "postgresql"

    # ---- enqueueing ---------------------------------------------------------------------
    def enqueue(self, kind: str, job_id: str, payload: dict, *, scope: str | None = None,
                epochs: int | None = None) -> tuple[dict, bool]:
        """Insert a QUEUED job unless one with this id exists (idempotent); the row and
        whether it was created. Raises ScopeDeleted (having written nothing) for a purged scope."""
        now = utcnow()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(jobs).values(
                    id=job_id, kind=kind, priority=PRIORITY[kind], scope=scope, status=QUEUED, payload=payload,
                    queued_at=now, updated_at=now, attempt=0, interrupted=False, progress=0.0, epochs=epochs))
            created = True
        except IntegrityError:
            created = False
        self._refuse_if_deleted(scope, job_id if created else None)
        row = self.get(job_id)
        if row is None:  # deleted by a purge between the insert and this read
            raise ScopeDeleted(f"the scope {scope} was deleted")
        return row, created

    def enqueue_many(self, kind: str, items: Iterable[tuple[str, dict]], *, scope: str | None = None) -> int:
        """Background jobs (EMBED): insert those not there yet; the number inserted."""
        now = utcnow()
        items = list(items)
        if not items:
            return 0
        ids = [job_id for job_id, _ in items]
        with self.engine.begin() as conn:
            existing = set(conn.scalars(select(jobs.c.id).where(jobs.c.id.in_(ids))))
            fresh = [(job_id, payload) for job_id, payload in items if job_id not in existing]
            for job_id, payload in fresh:
                # One statement per row: a concurrent sender may insert the same photo.
                try:
                    with conn.begin_nested():
                        conn.execute(insert(jobs).values(
                            id=job_id, kind=kind, priority=PRIORITY[kind], scope=scope, status=QUEUED,
                            payload=payload, queued_at=now, updated_at=now, attempt=0, interrupted=False,
                            progress=0.0))
                except IntegrityError:
                    pass
        if scope is not None and self._scope_deleted(scope):
            with self.engine.begin() as conn:
                conn.execute(delete(jobs).where(jobs.c.scope == scope))
            raise ScopeDeleted(f"the scope {scope} was deleted")
        return len(fresh)

    def request_coalesced(self, kind: str, job_id: str, signature: str, payload: dict, *,
                          scope: str | None = None) -> dict:
        """One job per key (HINTS: per group): the same signature returns the job as it is;
        a new one replaces its input and queues it again. A worker still on the old input
        loses its claim, so its result is never written."""
        now = utcnow()
        row, created = self.enqueue(kind, job_id, payload, scope=scope)
        if created and row.get("signature") is None:
            with self.engine.begin() as conn:
                conn.execute(update(jobs).where(jobs.c.id == job_id).values(signature=signature))
            return self.get(job_id) or row
        if row["signature"] == signature:
            return row
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(
                payload=payload, signature=signature, status=QUEUED, claim=None, worker=None, lease_until=None,
                result=None, error=None, error_code=None, progress=0.0, queued_at=now, updated_at=now,
                finished_at=None))
        return self.get(job_id) or row

    # ---- reading ------------------------------------------------------------------------
    def get(self, job_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return None if row is None else dict(row)

    def get_many(self, job_ids: list[str]) -> list[dict]:
        if not job_ids:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(select(jobs).where(jobs.c.id.in_(job_ids))).mappings().all()
        by_id = {row["id"]: dict(row) for row in rows}
        return [by_id[job_id] for job_id in job_ids if job_id in by_id]

    def stats(self) -> dict[str, Any]:
        """Queued and running training jobs (all replicas: what the autoscaler scales on) and
        the age of the oldest queued one (for an alert)."""
        with self.engine.connect() as conn:
            counts = dict(conn.execute(
                select(jobs.c.status, func.count()).where(jobs.c.kind == TRAIN,
                                                          jobs.c.status.in_((QUEUED, RUNNING)))
                .group_by(jobs.c.status)).all())
            oldest = conn.scalar(select(func.min(jobs.c.queued_at)).where(jobs.c.status == QUEUED))
        age = max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0
        return {"queued": int(counts.get(QUEUED, 0)), "running": int(counts.get(RUNNING, 0)),
                "oldestQueuedSeconds": round(age, 3)}

    # ---- claiming -----------------------------------------------------------------------
    def claim(self, kinds: Iterable[str], limit: int = 1) -> list[Claim]:
        """Take up to ``limit`` jobs of ``kinds`` that are queued, or whose lease ran out
        (their worker died or stalled: it is resumed here), in priority then age order."""
        kinds = tuple(kinds)
        now = utcnow()
        token = uuid.uuid4().hex
        claimable = and_(jobs.c.kind.in_(kinds), or_(
            jobs.c.status == QUEUED, and_(jobs.c.status == RUNNING, jobs.c.lease_until < now)))
        candidates = (select(jobs.c.id).where(claimable)
                      .order_by(jobs.c.priority, jobs.c.queued_at).limit(limit))
        if self._postgres:
            # A materialized CTE: evaluated once. As a plain IN (subquery) PostgreSQL may run
            # the SKIP LOCKED subquery again per row and claim more than `limit` jobs.
            chosen = candidates.with_for_update(skip_locked=True).cte("chosen").prefix_with("MATERIALIZED")
            target = update(jobs).where(jobs.c.id == chosen.c.id)
        else:  # one writer at a time: the statement is atomic as it is
            target = update(jobs).where(jobs.c.id.in_(candidates.scalar_subquery()), claimable)
        statement = (target
                     .values(status=RUNNING, claim=token, worker=self.worker, lease_until=now + self.lease,
                             heartbeat_at=now, attempt=jobs.c.attempt + 1, interrupted=False,
                             started_at=func.coalesce(jobs.c.started_at, now), updated_at=now)
                     .returning(*jobs.c))
        with self.engine.begin() as conn:
            rows = conn.execute(statement).mappings().all()
        return [Claim(row["id"], row["kind"], token, dict(row)) for row in rows]

    def renew(self, claim: Claim, **fields: Any) -> bool:
        """Extend the lease and write progress in one statement; False: the job is no longer
        ours (purged, or taken over after our lease ran out): stop and write nothing more."""
        now = utcnow()
        values = {PROGRESS_FIELDS[name]: value for name, value in fields.items() if name in PROGRESS_FIELDS}
        return self._update_mine(claim, lease_until=now + self.lease, heartbeat_at=now, updated_at=now, **values)

    def finish(self, claim: Claim, status: str, **values: Any) -> bool:
        """SUCCEEDED or FAILED, with the result columns; False: not ours any more (nothing written)."""
        now = utcnow()
        return self._update_mine(claim, status=status, claim=None, lease_until=None, finished_at=now,
                                 updated_at=now, **values)

    def release(self, claim: Claim, **fields: Any) -> bool:
        """Give a job back unfinished (this process is stopping): QUEUED and claimable at once
        by any worker, which resumes it from its checkpoint."""
        now = utcnow()
        values = {PROGRESS_FIELDS[name]: value for name, value in fields.items() if name in PROGRESS_FIELDS}
        return self._update_mine(claim, status=QUEUED, claim=None, lease_until=None, interrupted=True,
                                 updated_at=now, **values)

    def owns(self, claim: Claim) -> str:
        """``"yes"``, ``"taken"`` (another claim holds the row) or ``"gone"`` (deleted: purged)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs.c.claim).where(jobs.c.id == claim.id)).first()
        if row is None:
            return "gone"
        return "yes" if row[0] == claim.token else "taken"

    def finished(self, job_id: str) -> bool:
        """SUCCEEDED or FAILED (a deleted job is not "finished": it was purged)."""
        with self.engine.connect() as conn:
            status = conn.scalar(select(jobs.c.status).where(jobs.c.id == job_id))
        return status in (SUCCEEDED, FAILED)

    def _update_mine(self, held: Claim, **values: Any) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(update(jobs).where(jobs.c.id == held.id, jobs.c.claim == held.token)
                                  .values(**values))
        return result.rowcount == 1

    # ---- purge --------------------------------------------------------------------------
    def delete_scope(self, scope: str) -> int:
        """Tombstone the scope, then delete its jobs. In this order, a job enqueued at the same
        time is either seen by the delete, or its own check (after its insert) sees the
        tombstone and removes it (:meth:`_refuse_if_deleted`)."""
        with self.engine.begin() as conn:
            if conn.scalar(select(deleted_scopes.c.scope).where(deleted_scopes.c.scope == scope)) is None:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(deleted_scopes).values(scope=scope, deleted_at=utcnow()))
                except IntegrityError:
                    pass
        with self.engine.begin() as conn:
            return conn.execute(delete(jobs).where(jobs.c.scope == scope)).rowcount

    def _scope_deleted(self, scope: str | None) -> bool:
        if scope is None:
            return False
        with self.engine.connect() as conn:
            return conn.scalar(select(deleted_scopes.c.scope).where(deleted_scopes.c.scope == scope)) is not None

    def _refuse_if_deleted(self, scope: str | None, inserted_id: str | None) -> None:
        if not self._scope_deleted(scope):
            return
        if inserted_id is not None:
            with self.engine.begin() as conn:
                conn.execute(delete(jobs).where(jobs.c.id == inserted_id))
        raise ScopeDeleted(f"the workshop ({scope}) was purged; its jobs cannot be started")
