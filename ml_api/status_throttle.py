"""At most one write per second to a run's status object.

GCS allows about one write per second to the same object name; faster updates are answered
429 and retried, slowing the training thread. A DEEP run with quick epochs, plus the
heartbeat, can write status faster than that. The throttle drops a write that keeps the same
status within the interval (the in-memory status keeps it; the next heartbeat writes it) and
delays, never drops, a write that changes the status (the final SUCCEEDED/FAILED, an
interruption): those must reach storage, one interval after the previous write at most. For
QUICK jobs a QUEUED -> RUNNING change inside the interval is coalesced like a same-status
update (COALESCED_CHANGES): the heartbeat or the final status writes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# GCS: one write per second to one object.
MIN_INTERVAL_SECONDS = 1.0
# Changes that are coalesced like a same-status update instead of waited for, for QUICK jobs:
# one that starts right after it was claimed (the claim is a status write) would otherwise
# hold its training thread for the rest of the second, and delay its SUCCEEDED by another
# second after that; "running" is carried by the next heartbeat or by the final status
# instead. DEEP jobs run for many seconds: their RUNNING (and epochs) reach storage as before,
# which is what another replica resuming them reads.
COALESCED_CHANGES = frozenset({("QUEUED", "RUNNING")})


class StatusWriteThrottle:
    """One per run; callers serialize their calls (JobContext.write_lock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._last_at: float | None = None
        self._last_status: str | None = None

    def admit(self, status: str, interval: float = MIN_INTERVAL_SECONDS, *, coalesce_start: bool = False) -> bool:
        """True when this write should happen now (after waiting, for a status change);
        False when it is a same-status update inside the interval, to be skipped.
        ``status`` is what distinguishes one write from another (jobs.py passes e.g.
        "QUEUED/interrupted" for an interruption, so it never passes for a plain QUEUED).
        ``coalesce_start``: treat QUEUED -> RUNNING like a same-status update (QUICK jobs,
        which finish within about a second: see COALESCED_CHANGES)."""
        now = self._clock()
        if self._last_at is not None and now - self._last_at < interval:
            if status == self._last_status or (
                    coalesce_start and (self._last_status, status) in COALESCED_CHANGES):
                return False
            self._sleep(interval - (now - self._last_at))
            now = self._clock()
        self._last_at = now
        self._last_status = status
        return True
