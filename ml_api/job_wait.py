"""``trainingJob(runId, waitSeconds)``: a long poll, so the BFF learns that a job finished
when it finishes instead of at its next poll (issue 11).

The wait ends as soon as the job's status differs from ``seen`` (the status the caller last
saw; by default the one at the start of the wait), its progress moved by ``PROGRESS_STEP``
(the children's progress bar stays honest on a run that embeds its photos itself), or after
``waitSeconds`` (capped at ``MAX_WAIT_SECONDS``). A job running in this process is looked at
in memory every ``LOCAL_TICK`` seconds (no I/O); any other run's status is read from storage
every ``REMOTE_TICK``. At most ``MAX_WAITERS`` requests wait at once: the others are answered
at once, so waiting never holds every one of gunicorn's threads (the probes and heavy
operations need theirs, ml_api/concurrency.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pictolab.contract.jobs import TERMINAL

MAX_WAIT_SECONDS = 5.0
LOCAL_TICK, REMOTE_TICK = 0.01, 0.2
PROGRESS_STEP = 0.1
MAX_WAITERS = 4


class JobWaiter:
    def __init__(self, jobs, max_waiters: int = MAX_WAITERS, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.jobs = jobs
        self._slots = threading.BoundedSemaphore(max_waiters)
        self.clock = clock
        self.sleep = sleep

    def wait(self, run_id: str, wait_seconds: float, seen: str | None = None) -> dict[str, Any] | None:
        status = self.jobs.read_status(run_id)
        if status is None or wait_seconds <= 0 or not self._slots.acquire(blocking=False):
            return status
        try:
            first = status
            seen = seen or first.get("status")
            deadline = self.clock() + min(wait_seconds, MAX_WAIT_SECONDS)
            while not self._changed(status, seen, first) and self.clock() < deadline:
                local = run_id in self.jobs.active_runs()
                self.sleep(LOCAL_TICK if local else REMOTE_TICK)
                status = self.jobs.read_status(run_id) or status
            return status
        finally:
            self._slots.release()

    @staticmethod
    def _changed(status: dict[str, Any], seen: str, first: dict[str, Any]) -> bool:
        if status.get("status") != seen or status.get("status") in TERMINAL:
            return True
        return float(status.get("progress") or 0.0) - float(first.get("progress") or 0.0) >= PROGRESS_STEP
