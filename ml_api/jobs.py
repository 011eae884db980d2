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
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import torch

from pictolab.storage import Storage

from .backbones import get_spec
from .data import ImageLoadError
from .training_request import TrainingRequest, parse_request, request_from_json

log = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
TERMINAL = (SUCCEEDED, FAILED)
HEARTBEAT_SECONDS = 2.0
# A replica elsewhere whose heartbeat is this old is presumed dead (the BFF nudges after 8 s;
# a storage write can stall a few seconds on a busy laptop, so not much less than this).
STALE_AFTER_SECONDS = 15.0
# Jobs waiting or running in one process; beyond this startTraining answers UNAVAILABLE and the
# BFF retries later (a workshop has a few dozen groups).
MAX_PENDING_JOBS = 256


class JobInterrupted(Exception):
    """The process is shutting down; the job checkpointed (DEEP) and can be resumed."""


class ShuttingDown(RuntimeError):
    pass


class QueueFull(RuntimeError):
    pass


def status_key(run_id: str) -> str:
    return f"runs/{run_id}/status.json"


def request_key(run_id: str) -> str:
    return f"runs/{run_id}/request.json"


def checkpoint_key(run_id: str) -> str:
    return f"runs/{run_id}/checkpoint.pt"


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

    @property
    def storage(self) -> Storage:
        return self.manager.storage

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
    def __init__(self, storage: Storage, device: torch.device, *, workers: int, default_backbone: str,
                 max_image_pixels: int = 50_000_000, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 stale_after_seconds: float = STALE_AFTER_SECONDS, max_pending: int = MAX_PENDING_JOBS):
        self.storage = storage
        self.device = device
        self.default_backbone = default_backbone
        self.max_image_pixels = max_image_pixels
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after_seconds = stale_after_seconds
        self.max_pending = max_pending
        self.owner = {"host": socket.gethostname(), "pid": os.getpid(), "instance": uuid.uuid4().hex}
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
        with self._lock:
            job = self._jobs.get(request.run_id)
            if job is not None:
                with job.lock:
                    return dict(job.status)
            existing = self.storage.get_json_or_none(status_key(request.run_id))
            if existing is not None:
                if existing.get("status") in TERMINAL or not self._owner_gone(existing):
                    return existing
                # Its owner died: resume with the request as first stored (the run's identity).
                stored = self.storage.get_json_or_none(request_key(request.run_id))
                if stored is not None:
                    request = request_from_json(stored, self.storage)
                else:  # a live job needs its request.json: its absence means "purged"
                    self.storage.put_json(request_key(request.run_id), request.to_json())
                log.info("resuming orphaned run", extra={"runId": request.run_id,
                                                          "previousOwner": existing.get("owner")})
                self._check_capacity()
                status = {**existing, "status": QUEUED, "error": None, "interrupted": False,
                          "attempt": int(existing.get("attempt") or 1) + 1}
            else:
                self._check_capacity()
                self.storage.put_json(request_key(request.run_id), request.to_json())
                status = {"runId": request.run_id, "status": QUEUED, "mode": request.mode,
                          "backbone": request.backbone, "progress": 0.0, "epoch": None,
                          "epochs": request.epochs if request.mode == "DEEP" else None,
                          "trainAccuracy": None, "error": None, "modelUri": None, "attempt": 1,
                          "createdAt": now_iso()}
            job = JobContext(self, request, status, threading.Lock())
            # Registered only once its status is in storage: a failed write leaves no job that
            # nothing will ever run (and whose heartbeat would keep it looking alive).
            self.write_status(job)
            self._jobs[request.run_id] = job
            self._executor.submit(self._run, job)
            with job.lock:
                return dict(job.status)

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
                job.status.update(fields)
                if job.status["status"] in (QUEUED, RUNNING) and not job.status.get("interrupted"):
                    job.status["heartbeat"] = now_iso()
                    job.status["owner"] = self.owner
                job.status["updatedAt"] = now_iso()
                snapshot = dict(job.status)
            self.storage.put_json(status_key(job.request.run_id), snapshot)

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
                    if not job.cancelled.is_set() and not self.storage.exists(request_key(job.request.run_id)):
                        log.info("run purged while training: stopping it", extra={"runId": job.request.run_id})
                        job.cancelled.set()
                    self.write_status(job)
                except Exception:  # storage hiccup: try again at the next beat
                    log.warning("heartbeat write failed", exc_info=True, extra={"runId": job.request.run_id})

    def _forget(self, job: JobContext) -> None:
        """Delete what a purged run wrote after the purge: its run folder and the embeddings
        cached for its photos (the photos themselves are gone)."""
        run_id = job.request.run_id
        removed = self.storage.delete_prefix(f"runs/{run_id}")
        folders = {key.rsplit("/", 1)[0] for key in (self.storage.key_for_uri(e.uri) for e in job.request.examples)
                   if "/" in key}
        for folder in sorted(folders):
            removed += self.storage.delete_prefix(f"cache/embeddings/{job.request.backbone}/{folder}")
        log.info("purged run stopped and its data removed", extra={"runId": run_id, "objects": removed})

    # ---- the worker ------------------------------------------------------------------------------
    def _run(self, job: JobContext) -> None:
        run_id = job.request.run_id
        try:
            if job.should_stop():
                raise JobInterrupted()
            self.write_status(job, status=RUNNING, startedAt=now_iso())
            log.info("training started", extra={"runId": run_id, "mode": job.request.mode})
            if job.request.mode == "QUICK":
                from .quick import train_quick as train
            else:
                from .deep import train_deep as train
            result = train(job)
            if job.cancelled.is_set():
                raise JobInterrupted()
            self.write_status(job, status=SUCCEEDED, progress=1.0, trainAccuracy=result["train_accuracy"],
                              modelUri=self.storage.uri(result["model_key"]), timings=result.get("timings"),
                              finishedAt=now_iso())
            if job.request.mode == "DEEP":
                try:
                    self.storage.delete(checkpoint_key(run_id))  # superseded by model.pt (written first)
                except Exception:  # the run succeeded; a stale checkpoint is only clutter
                    log.warning("could not delete the superseded checkpoint", exc_info=True,
                                extra={"runId": run_id})
            log.info("training succeeded", extra={"runId": run_id, "timings": result.get("timings")})
        except JobInterrupted:
            if job.cancelled.is_set():
                self._forget(job)
            else:
                self.write_status(job, status=QUEUED, interrupted=True, heartbeat=None)
                log.info("training interrupted; resumable", extra={"runId": run_id})
        except ImageLoadError as exc:
            self.write_status(job, status=FAILED, error=str(exc), finishedAt=now_iso())
            log.warning("training failed: bad image", extra={"runId": run_id, "uri": exc.uri})
        except Exception as exc:
            log.exception("training failed", extra={"runId": run_id})
            self.write_status(job, status=FAILED, error=f"internal error: {exc.__class__.__name__}: {exc}",
                              finishedAt=now_iso())
        finally:
            with self._lock:
                self._jobs.pop(run_id, None)
