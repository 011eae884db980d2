"""Training jobs: a bounded worker pool and queue per process, status in storage.

``runs/<runId>/status.json`` is written on every transition and as a heartbeat while a job
is queued or running here, so any replica answers ``trainingJob`` for any run, and a replica
that finds a run whose owner is gone (stale heartbeat, or a dead process on this host)
resumes it: DEEP from its last checkpoint, QUICK from scratch (it takes seconds).

On SIGTERM (see :meth:`JobManager.request_stop`) running DEEP jobs finish their current
batch, write a checkpoint and leave the run QUEUED with ``interrupted`` and no heartbeat, so
the next ``startTraining`` (on any replica) resumes it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import torch

from pictolab.contract.jobs import JobErrorCode, JobStatus
from pictolab.contract.storage_keys import (
    analysis_key,
    checkpoint_key,
    embeddings_prefix,
    purge_marker_key,
    request_key,
    run_prefix,
    status_key,
)
from pictolab.storage import PreconditionFailed, Storage

from .backbones import BackboneUnavailable, get_spec
from .data import ImageLoadError
from .interrupts import JobInterrupted
from .status_throttle import MIN_INTERVAL_SECONDS, StatusWriteThrottle
from .training_request import InvalidRequest, TrainingRequest, parse_request, request_from_json

log = logging.getLogger(__name__)

# Plain strings in the status dict (it is JSON in storage): the contract's values.
QUEUED, RUNNING = JobStatus.QUEUED.value, JobStatus.RUNNING.value
SUCCEEDED, FAILED = JobStatus.SUCCEEDED.value, JobStatus.FAILED.value
TERMINAL = (SUCCEEDED, FAILED)
HEARTBEAT_SECONDS = 2.0
# A replica elsewhere whose heartbeat is this old is presumed dead (the BFF re-sends
# startTraining once a heartbeat is as old, bff.training.STALE_HEARTBEAT, so its nudge finds
# the run resumable; a storage write can stall a few seconds on a busy laptop, so not much less).
STALE_AFTER_SECONDS = 15.0
# Jobs waiting or running in one process; beyond this startTraining answers UNAVAILABLE and the
# BFF retries later (a workshop has a few dozen groups).
MAX_PENDING_JOBS = 256


class ShuttingDown(RuntimeError):
    pass


class RunPurged(JobInterrupted):
    """The BFF purged the run's workshop: its purge marker is in storage."""


class PurgeGuardedStorage:
    """The storage one run writes through (``job.storage``): after each write it looks for
    the run's purge marker (:func:`purge_marker_key`, written by the BFF before it deletes)
    and, when it is there, deletes what it just wrote and raises :class:`RunPurged`.

    Checking *after* the write is what closes the race with the purge: either the check
    sees the marker (the write is undone here), or the write finished before the marker was
    written, hence before the BFF's deletion, which removes it. Once the marker was seen no
    write is attempted at all. Reads and deletes go straight through.
    """

    def __init__(self, storage: Storage, run_id: str, on_purged: Callable[[], None] = lambda: None):
        self._storage = storage
        self._run_id = run_id
        self._marker = purge_marker_key(run_id)
        self._on_purged = on_purged
        self.purged = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._refuse_if_purged()
        self._storage.put_bytes(key, data, content_type)
        self._undo_if_purged(key)

    def put_json(self, key: str, value: Any) -> None:
        self._refuse_if_purged()
        self._storage.put_json(key, value)
        self._undo_if_purged(key)

    def put_json_if_generation(self, key: str, value: Any, generation: str | None) -> str:
        self._refuse_if_purged()
        written = self._storage.put_json_if_generation(key, value, generation)
        self._undo_if_purged(key)
        return written

    def _refuse_if_purged(self) -> None:
        if self.purged:
            raise RunPurged(f"run {self._run_id} was purged")

    def _undo_if_purged(self, key: str) -> None:
        if self._storage.exists(self._marker):
            self._storage.delete(key)
            self.purged = True
            self._on_purged()
            log.info("run purged while training: a write was undone", extra={"runId": self._run_id, "key": key})
            raise RunPurged(f"run {self._run_id} was purged")


class QueueFull(RuntimeError):
    pass


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _age_seconds(iso: str | None) -> float:
    if not iso:
        return float("inf")
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds()
    except ValueError:
        return float("inf")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class JobContext:
    """What a running job sees: its request, storage, device, a way to report progress and
    a way to learn that the process is stopping."""

    manager: JobManager
    request: TrainingRequest
    status: dict[str, Any]
    lock: threading.Lock
    # Set when the run's request.json vanished from storage: the BFF purged the workshop.
    # The job stops at its next check, writes nothing more and removes what it wrote.
    cancelled: threading.Event = field(default_factory=threading.Event)
    # Orders this job's status writes without holding ``lock`` during storage I/O, so the
    # training thread's report() never waits for a heartbeat upload.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    # Every write of this run goes through it (trainers, checkpoints, embeddings, status).
    guarded: PurgeGuardedStorage | None = None
    # At most one status write per second (GCS's limit for one object): ml_api/status_throttle.py.
    throttle: StatusWriteThrottle = field(default_factory=StatusWriteThrottle)

    def __post_init__(self) -> None:
        self.guarded = PurgeGuardedStorage(self.manager.storage, self.request.run_id, self.cancelled.set)

    @property
    def storage(self) -> Storage:
        return self.guarded

    @property
    def device(self) -> torch.device:
        return self.manager.device

    @property
    def max_image_pixels(self) -> int:
        return self.manager.max_image_pixels

    def should_stop(self) -> bool:
        return self.manager.stop_event.is_set() or self.cancelled.is_set()

    def report(self, **fields: Any) -> None:
        """Update status fields in memory; written at once for epochs, else with the heartbeat."""
        with self.lock:
            self.status.update(fields)
        if "epoch" in fields:
            try:
                self.manager.write_status(self)
            except Exception:  # the heartbeat writes the same fields again in 2 s
                log.warning("status write failed", exc_info=True, extra={"runId": self.request.run_id})


class JobManager:
    """Runs training jobs; ``trainers`` maps a request's mode to its training function
    (``ml_api.trainers.TRAINERS``), passed in so this module never imports the trainers."""

    def __init__(self, storage: Storage, device: torch.device, *, trainers: Mapping[str, Callable[[JobContext], dict]],
                 workers: int, default_backbone: str,
                 max_image_pixels: int = 50_000_000, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 stale_after_seconds: float = STALE_AFTER_SECONDS, max_pending: int = MAX_PENDING_JOBS,
                 analyse: Callable[[JobContext, dict], dict] | None = None):
        self.storage = storage
        self.device = device
        self.trainers = dict(trainers)
        self.analyse = analyse  # (job, trainer result) -> analysis dict; None: no analysis
        self.default_backbone = default_backbone
        self.max_image_pixels = max_image_pixels
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after_seconds = stale_after_seconds
        self.max_pending = max_pending
        self.owner = {"host": socket.gethostname(), "pid": os.getpid(), "instance": uuid.uuid4().hex}
        # TrainingJob.worker and health.worker: which replica runs a job (docs/design.md).
        self.worker = f"{self.owner['host']}:{self.owner['pid']}"
        self.workers = workers
        self.stop_event = threading.Event()
        self._closed = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="train")
        self._jobs: dict[str, JobContext] = {}  # queued or running in this process
        self._lock = threading.Lock()
        self._heartbeat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        self._heartbeat.start()

    # ---- public API ------------------------------------------------------------------------
    def read_status(self, run_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self._jobs.get(run_id)
        if job is not None:
            with job.lock:
                return dict(job.status)
        return self.storage.get_json_or_none(status_key(run_id))

    def start(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Idempotent by run id. Raises InvalidRequest, BackboneUnavailable or ShuttingDown, having
        written nothing."""
        request = parse_request(data, self.storage, self.default_backbone)
        get_spec(request.backbone).check_available()  # BackboneUnavailable: a deployment problem
        if self.stop_event.is_set():
            raise ShuttingDown("this ML API process is shutting down; retry on another replica")
        if self.storage.exists(purge_marker_key(request.run_id)):
            raise InvalidRequest(f"run {request.run_id} was purged with its workshop; it cannot be started")
        with self._lock:
            job = self._jobs.get(request.run_id)
            if job is not None:
                with job.lock:
                    return dict(job.status)
            # Read with its generation: the first status write below is conditional on it, so
            # of two replicas taking over one stale run (or creating one new run) one wins.
            existing, generation = self.storage.get_json_and_generation(status_key(request.run_id))
            if existing is not None:
                if existing.get("status") in TERMINAL or not self._owner_gone(existing):
                    return existing
                # Its owner died: resume with the request as first stored (the run's identity).
                stored = self.storage.get_json_or_none(request_key(request.run_id))
                if stored is not None:
                    request = request_from_json(stored, self.storage)
                else:  # a live job needs its request.json: its absence means "purged"
                    self._put_request(request)
                log.info("resuming orphaned run", extra={"runId": request.run_id,
                                                          "previousOwner": existing.get("owner")})
                self._check_capacity()
                status = {**existing, "status": QUEUED, "error": None, "errorCode": None, "interrupted": False,
                          "attempt": int(existing.get("attempt") or 1) + 1}
            else:
                self._check_capacity()
                self._put_request(request)
                status = {"runId": request.run_id, "status": QUEUED, "mode": request.mode,
                          "backbone": request.backbone, "progress": 0.0, "epoch": None,
                          "epochs": request.epochs if request.mode == "DEEP" else None,
                          "trainAccuracy": None, "error": None, "errorCode": None, "modelUri": None, "attempt": 1,
                          "createdAt": now_iso()}
            job = JobContext(self, request, status, threading.Lock())
            # Registered only once its status is in storage: a failed write leaves no job that
            # nothing will ever run (and whose heartbeat would keep it looking alive).
            if not self._claim(job, generation):
                current = self.storage.get_json_or_none(status_key(request.run_id))
                log.info("another replica took the run first", extra={"runId": request.run_id,
                                                                       "worker": (current or {}).get("worker")})
                return current if current is not None else dict(status)
            if job.cancelled.is_set():  # purged between the check above and the write
                self._forget(job)
                raise InvalidRequest(f"run {request.run_id} was purged with its workshop; it cannot be started")
            self._jobs[request.run_id] = job
            self._executor.submit(self._run, job)
            with job.lock:
                return dict(job.status)

    def _put_request(self, request: TrainingRequest) -> None:
        try:
            PurgeGuardedStorage(self.storage, request.run_id).put_json(request_key(request.run_id),
                                                                       request.to_json())
        except RunPurged:
            raise InvalidRequest(f"run {request.run_id} was purged with its workshop; it cannot be started") from None

    def _check_capacity(self) -> None:
        if len(self._jobs) >= self.max_pending:
            raise QueueFull(f"{len(self._jobs)} training jobs already queued here; retry shortly")

    def request_stop(self) -> None:
        """Called from the SIGTERM handler: jobs checkpoint at their next batch boundary."""
        if not self.stop_event.is_set():
            log.info("stop requested: running jobs will checkpoint", extra={"jobs": list(self._jobs)})
            self.stop_event.set()

    def active_runs(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def load(self) -> dict[str, Any]:
        """What the BFF balances new runs on (``health { queued running capacity worker }``)."""
        with self._lock:
            jobs = list(self._jobs.values())
        running = sum(1 for job in jobs if job.status.get("status") == RUNNING)
        return {"queued": len(jobs) - running, "running": running, "capacity": self.workers,
                "worker": self.worker}

    def shutdown(self, wait: bool = True) -> None:
        """Stop (jobs checkpoint), wait for the workers, then stop the heartbeat."""
        self.request_stop()
        self._executor.shutdown(wait=wait, cancel_futures=False)
        self._closed.set()

    # ---- status ------------------------------------------------------------------------------
    def write_status(self, job: JobContext, **fields: Any) -> None:
        if job.cancelled.is_set():
            return  # purged: nothing of this run may be written again
        with job.write_lock:
            with job.lock:
                next_status = fields.get("status", job.status["status"])
                if fields.get("interrupted", job.status.get("interrupted")) and next_status == QUEUED:
                    next_status = f"{QUEUED}/interrupted"  # never mistaken for the claim's QUEUED
            # Decided (and, for a status change, waited for) BEFORE the in-memory status
            # changes: whoever reads this job (trainingJob, the BFF) never sees a status that
            # storage does not have yet, nor one whose follow-up (e.g. deleting the DEEP
            # checkpoint after SUCCEEDED) is still a throttle interval away.
            # Never staler than half a heartbeat, so short test heartbeats keep their meaning.
            admitted = job.throttle.admit(next_status, min(MIN_INTERVAL_SECONDS, self.heartbeat_seconds / 2),
                                          coalesce_start=job.request.mode == "QUICK")
            with job.lock:
                job.status.update(fields)
                if job.status["status"] in (QUEUED, RUNNING) and not job.status.get("interrupted"):
                    job.status["heartbeat"] = now_iso()
                    job.status["owner"] = self.owner
                    job.status["worker"] = self.worker
                job.status["updatedAt"] = now_iso()
                snapshot = dict(job.status)
            if not admitted:
                return  # same status within the interval: kept in memory, the heartbeat writes it
            try:
                job.storage.put_json(status_key(job.request.run_id), snapshot)
            except RunPurged:  # undone; job.cancelled is set and the job thread forgets the run
                return

    def _claim(self, job: JobContext, generation: str | None) -> bool:
        """The job's first status write here, conditional on the status object still being at
        ``generation`` (None: still absent). False: another replica created or took over the
        run (or its owner beat) since we read it; then this replica must not run it."""
        with job.write_lock:
            with job.lock:
                job.status.update(heartbeat=now_iso(), owner=self.owner, worker=self.worker, updatedAt=now_iso())
                snapshot = dict(job.status)
            job.throttle.admit(snapshot["status"], 0.0)  # counts as this run's last status write
            try:
                job.storage.put_json_if_generation(status_key(job.request.run_id), snapshot, generation)
            except PreconditionFailed:
                return False
            except RunPurged:  # undone; job.cancelled is set and start() refuses the run
                pass
        return True

    def _owner_gone(self, status: Mapping[str, Any]) -> bool:
        """True when nobody is working on this QUEUED/RUNNING run any more."""
        if status.get("interrupted") or _age_seconds(status.get("heartbeat")) > self.stale_after_seconds:
            return True
        owner = status.get("owner") or {}
        if owner.get("host") == self.owner["host"]:
            if owner.get("instance") == self.owner["instance"]:
                return True  # ours, yet not in self._jobs: the job thread is gone
            if owner.get("pid") == self.owner["pid"] or not _pid_alive(int(owner.get("pid") or 0)):
                return True  # a previous life of this process (container restart) or a dead one
        return False

    def _beat(self) -> None:
        while not self._closed.wait(self.heartbeat_seconds):
            with self._lock:
                jobs = list(self._jobs.values())
            for job in jobs:
                try:
                    if not job.cancelled.is_set() and (
                            self.storage.exists(purge_marker_key(job.request.run_id))
                            or not self.storage.exists(request_key(job.request.run_id))):
                        log.info("run purged while training: stopping it", extra={"runId": job.request.run_id})
                        job.cancelled.set()
                    self.write_status(job)
                except Exception:  # storage hiccup: try again at the next beat
                    log.warning("heartbeat write failed", exc_info=True, extra={"runId": job.request.run_id})

    def _forget(self, job: JobContext) -> None:
        """Delete what a purged run wrote after the purge: its run folder and the embeddings
        cached for its photos (the photos themselves are gone)."""
        run_id = job.request.run_id
        removed = self.storage.delete_prefix(run_prefix(run_id))
        folders = {key.rsplit("/", 1)[0] for key in (self.storage.key_for_uri(e.uri) for e in job.request.examples)
                   if "/" in key}
        for folder in sorted(folders):  # the purged workshop's photo folder: every cached embedding in it
            removed += self.storage.delete_prefix(embeddings_prefix(folder))
        log.info("purged run stopped and its data removed", extra={"runId": run_id, "objects": removed})

    def _store_analysis(self, job: JobContext, result: dict) -> None:
        """Confusing photos and per-class "how sure" of a trained run (``self.analyse``, i.e.
        ml_api.analysis.analyse_run), written before the status says SUCCEEDED so that whoever
        sees it succeed finds them. A failure here costs the analysis, never the run."""
        if self.analyse is None:
            return
        try:
            job.storage.put_json(analysis_key(job.request.run_id), self.analyse(job, result))
        except JobInterrupted:  # purged meanwhile (RunPurged) or stopping: not a failed analysis
            raise
        except Exception:  # logged; trainingJob.analysis stays null
            log.warning("run analysis failed", exc_info=True, extra={"runId": job.request.run_id})

    # ---- the worker ------------------------------------------------------------------------------
    def _run(self, job: JobContext) -> None:
        run_id = job.request.run_id
        try:
            if job.should_stop():
                raise JobInterrupted()
            self.write_status(job, status=RUNNING, startedAt=now_iso())
            log.info("training started", extra={"runId": run_id, "mode": job.request.mode})
            result = self.trainers[job.request.mode](job)
            if job.cancelled.is_set():
                raise JobInterrupted()
            self._store_analysis(job, result)
            if job.cancelled.is_set():
                raise JobInterrupted()
            self.write_status(job, status=SUCCEEDED, progress=1.0, trainAccuracy=result["train_accuracy"],
                              modelUri=self.storage.uri(result["model_key"]), timings=result.get("timings"),
                              # photos deleted while it trained, left out (not a failure)
                              skippedExamples=result.get("skipped", 0), finishedAt=now_iso())
            if job.request.mode == "DEEP":
                try:
                    self.storage.delete(checkpoint_key(run_id))  # superseded by model.pt (written first)
                except Exception:  # the run succeeded; a stale checkpoint is only clutter
                    log.warning("could not delete the superseded checkpoint", exc_info=True,
                                extra={"runId": run_id})
            log.info("training succeeded", extra={"runId": run_id, "timings": result.get("timings")})
        except JobInterrupted:
            if not job.cancelled.is_set():  # (purged: forgotten below)
                self.write_status(job, status=QUEUED, interrupted=True, heartbeat=None)
                log.info("training interrupted; resumable", extra={"runId": run_id})
        except ImageLoadError as exc:
            self.write_status(job, status=FAILED, error=str(exc), errorCode=JobErrorCode.PHOTO_UNREADABLE.value,
                              finishedAt=now_iso())
            log.warning("training failed: bad image", extra={"runId": run_id, "uri": exc.uri})
        except BackboneUnavailable as exc:  # the weights went missing after startTraining checked
            log.error("training failed: backbone unavailable", extra={"runId": run_id, "error": str(exc)})
            self.write_status(job, status=FAILED, error=str(exc), errorCode=JobErrorCode.BACKBONE_UNAVAILABLE.value,
                              finishedAt=now_iso())
        except Exception as exc:
            log.exception("training failed", extra={"runId": run_id})
            self.write_status(job, status=FAILED, error=f"internal error: {exc.__class__.__name__}: {exc}",
                              errorCode=JobErrorCode.TRAINING_FAILED.value, finishedAt=now_iso())
        finally:
            if job.cancelled.is_set():
                # Purged: remove whatever the run wrote before it saw the marker, including
                # a final status the purge's own deletion may have missed.
                try:
                    self._forget(job)
                except Exception:  # the BFF's purge deleted these prefixes already
                    log.warning("could not clean up a purged run", exc_info=True, extra={"runId": run_id})
            with self._lock:
                self._jobs.pop(run_id, None)
