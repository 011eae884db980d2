"""The workers of one ML API process: ``slots`` threads that pull jobs from the queue
(:mod:`ml_api.queue`) and one leaser thread that renews their leases together with their
progress.

A worker that learns its job is no longer its own (the renewal or the check after a write
touches no row of ours) stops at its next check and writes nothing more; when the row is
gone (the BFF purged the workshop) it also removes what it wrote. Every write a job makes
goes through :class:`LeaseGuardedStorage`, which looks at the row *after* the write: either
it sees the row gone and undoes the write, or the write finished before the purge deleted
the row, hence before the BFF deleted the workshop's objects, which removes it.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import torch

from pictolab.contract.storage_keys import checkpoint_key
from pictolab.storage import Storage

from .embeddings import embed_batch_size
from .interrupts import JobInterrupted
from .queue import BACKGROUND, EMBED, TRAIN, Claim, JobQueue

log = logging.getLogger(__name__)

# Idle workers look for jobs queued by other replicas this often (a job queued in this
# process wakes them at once): a floor, so an empty queue is never a busy loop.
POLL_SECONDS = 1.0


class JobLost(JobInterrupted):
    """The job's row is gone (``purged``) or held by another claim (taken over after our
    lease ran out): stop, write nothing more."""

    def __init__(self, job_id: str, purged: bool):
        super().__init__(f"job {job_id} is no longer ours ({'purged' if purged else 'taken over'})")
        self.purged = purged


class LeaseGuardedStorage:
    """The storage one job writes through: after each write it checks the job's row and, when
    the job was purged meanwhile, deletes what it just wrote. Reads and deletes go straight
    through; once the job is lost no write is attempted at all."""

    def __init__(self, storage: Storage, context: JobContext):
        self._storage = storage
        self._context = context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._context.check()
        self._storage.put_bytes(key, data, content_type)
        self._after_write(key)

    def put_json(self, key: str, value: Any) -> None:
        self._context.check()
        self._storage.put_json(key, value)
        self._after_write(key)

    def _after_write(self, key: str) -> None:
        state = self._context.queue.owns(self._context.claim)
        if state == "yes":
            return
        if state == "gone":  # purged while we wrote: nothing of it may stay
            self._storage.delete(key)
        elif key == checkpoint_key(self._context.claim.id) and self._context.queue.finished(self._context.claim.id):
            # Taken over while we were stalled, and the new owner has finished (and deleted
            # the checkpoint, superseded by its model): our late checkpoint is only clutter.
            # Any other late write is left alone: it may be the new owner's object by now.
            self._storage.delete(key)
        self._context.lose(purged=state == "gone")
        self._context.check()


class JobContext:
    """What a running job sees: its claim and input, storage (guarded), the device, a way to
    report progress (written with the next lease renewal; epochs at once) and a way to learn
    that it must stop (this process is stopping, or the job is no longer ours)."""

    def __init__(self, pool: WorkerPool, claim: Claim, request: Any = None):
        self.pool = pool
        self.queue = pool.queue
        self.claim = claim
        self.request = request  # TRAIN: the parsed TrainingRequest
        self.storage: Storage = LeaseGuardedStorage(pool.storage, self)
        self._fields: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._lost: JobLost | None = None

    @property
    def device(self) -> torch.device:
        return self.pool.device

    @property
    def max_image_pixels(self) -> int:
        return self.pool.max_image_pixels

    @property
    def lost(self) -> JobLost | None:
        return self._lost

    def lose(self, purged: bool) -> None:
        if self._lost is None:
            self._lost = JobLost(self.claim.id, purged)
            log.info("job lost: stopping", extra={"jobId": self.claim.id, "purged": purged})

    def check(self) -> None:
        if self._lost is not None:
            raise self._lost

    def should_stop(self) -> bool:
        return self._lost is not None or self.pool.stopping.is_set()

    def report(self, **fields: Any) -> None:
        with self._lock:
            self._fields.update(fields)
        if "epoch" in fields:  # an epoch is worth a write now: the BFF shows it
            self.renew()

    def renew(self) -> None:
        """Extend the lease with the progress so far (the leaser calls this every second)."""
        if self._lost is not None:
            return
        with self._lock:
            fields = dict(self._fields)
        try:
            if not self.queue.renew(self.claim, **fields):
                self.lose(purged=self.queue.owns(self.claim) == "gone")
        except Exception:  # the database hiccuped: the next renewal tries again, well inside the lease
            log.warning("lease renewal failed", exc_info=True, extra={"jobId": self.claim.id})

    def fields(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._fields)


Handler = Callable[[JobContext], None]


class WorkerPool:
    """``slots`` worker threads and a leaser. ``handlers`` maps a job kind to the function
    that runs it (:mod:`ml_api.job_kinds`); each handler finishes, releases or fails its row
    itself. ``busy`` says whether a child is waiting on this process for something else (a
    predict or evaluate): background jobs are only taken when it is False and no training
    runs here."""

    def __init__(self, queue: JobQueue, storage: Storage, device: torch.device, *,
                 handlers: Mapping[str, Handler], slots: int, max_image_pixels: int = 50_000_000,
                 embed_batch: int | None = None, busy: Callable[[], bool] = lambda: False,
                 poll_seconds: float = POLL_SECONDS, start: bool = True):
        self.queue = queue
        self.storage = storage
        self.device = device
        self.handlers = dict(handlers)
        self.slots = slots
        self.max_image_pixels = max_image_pixels
        self.embed_batch = embed_batch or embed_batch_size(device)
        self.busy = busy
        self.poll_seconds = poll_seconds
        self.renew_seconds = min(1.0, queue.lease.total_seconds() / 3)
        self.stopping = threading.Event()
        self._wake = threading.Condition()
        self._active: dict[str, JobContext] = {}
        self._active_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        if start:
            self.start()

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        for index in range(self.slots):
            thread = threading.Thread(target=self._work, name=f"worker-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        leaser = threading.Thread(target=self._lease_loop, name="leaser", daemon=True)
        leaser.start()
        self._threads.append(leaser)
        # Daemon threads die mid-epoch when the interpreter exits, and gunicorn's worker exits
        # right after SIGTERM: joined first, a stopping job checkpoints and releases its row.
        atexit.register(self._stop_at_exit)

    def _stop_at_exit(self) -> None:
        if self.active_ids():
            self.shutdown(wait=True)

    def wake(self) -> None:
        """A job was queued here: idle workers look at once."""
        with self._wake:
            self._wake.notify_all()

    def request_stop(self) -> None:
        """SIGTERM: running jobs stop at their next check (DEEP checkpoints) and are released,
        so another replica resumes them at once; no new job is taken."""
        if not self.stopping.is_set():
            log.info("stop requested: running jobs will checkpoint and be released",
                     extra={"jobs": self.active_ids()})
            self.stopping.set()
            self.wake()

    def shutdown(self, wait: bool = True) -> None:
        self.request_stop()
        if wait:
            for thread in self._threads:
                thread.join(timeout=60)
            atexit.unregister(self._stop_at_exit)

    def active_ids(self) -> list[str]:
        with self._active_lock:
            return list(self._active)

    def training_here(self) -> int:
        with self._active_lock:
            return sum(1 for context in self._active.values() if context.claim.kind == TRAIN)

    # ---- the loops ----------------------------------------------------------------------
    def _next(self) -> list[Claim]:
        claims = self.queue.claim((TRAIN,))
        if claims or self.training_here() or self.busy():
            return claims
        claims = self.queue.claim(tuple(kind for kind in BACKGROUND if kind != EMBED))
        return claims or self.queue.claim((EMBED,), limit=self.embed_batch)

    def _work(self) -> None:
        while not self.stopping.is_set():
            try:
                claims = self._next()
            except Exception:  # the database is unreachable: try again after the floor
                log.warning("claiming a job failed", exc_info=True)
                claims = []
            if not claims:
                with self._wake:
                    self._wake.wait(self.poll_seconds)
                continue
            self._run(claims)

    def _run(self, claims: list[Claim]) -> None:
        kind = claims[0].kind
        contexts = [JobContext(self, claim) for claim in claims]
        with self._active_lock:
            for context in contexts:
                self._active[context.claim.id] = context
        try:
            handler = self.handlers[kind]
            if kind == EMBED:
                handler(contexts)  # one batch
            else:
                handler(contexts[0])
        except Exception:  # a handler records its own failures; this is a bug, logged
            log.exception("job handler crashed", extra={"jobIds": [c.claim.id for c in contexts]})
        finally:
            with self._active_lock:
                for context in contexts:
                    self._active.pop(context.claim.id, None)

    def _lease_loop(self) -> None:
        while not (self.stopping.is_set() and not self.active_ids()):
            with self._active_lock:
                contexts = list(self._active.values())
            for context in contexts:
                context.renew()
            time.sleep(self.renew_seconds)
