"""Status writes to one GCS object at most once a second (ml_api/status_throttle.py)."""

from __future__ import annotations

import itertools

from ml_api.status_throttle import MIN_INTERVAL_SECONDS, StatusWriteThrottle


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept += seconds
        self.now += seconds


def test_same_status_updates_within_a_second_are_dropped():
    clock = Clock()
    throttle = StatusWriteThrottle(clock, clock.sleep)
    written = []
    for _ in range(50):  # 50 quick epochs, 0.1 s apart
        if throttle.admit("RUNNING"):
            written.append(clock.now)
        clock.now += 0.1
    assert len(written) == 5  # 5 s of epochs: one write a second
    assert all(b - a >= MIN_INTERVAL_SECONDS - 1e-9 for a, b in itertools.pairwise(written))
    assert clock.slept == 0


def test_the_final_write_always_goes_through_one_interval_after_the_last():
    clock = Clock()
    throttle = StatusWriteThrottle(clock, clock.sleep)
    assert throttle.admit("RUNNING")
    clock.now += 0.3
    assert throttle.admit("SUCCEEDED") is True  # a status change is never dropped...
    assert abs(clock.slept - 0.7) < 1e-9       # ...it waits out the rest of the second
    clock.now += 5
    assert throttle.admit("FAILED") is True and abs(clock.slept - 0.7) < 1e-9  # no wait when due


def test_the_first_write_and_a_due_write_pass_at_once():
    clock = Clock()
    throttle = StatusWriteThrottle(clock, clock.sleep)
    assert throttle.admit("QUEUED")
    clock.now += 1.0
    assert throttle.admit("QUEUED")
    assert throttle.admit("QUEUED", interval=0.0)  # an interval of 0 throttles nothing
    assert clock.slept == 0


def test_the_job_manager_throttles_its_status_writes():
    """write_status goes through the job's throttle (the hook in ml_api/jobs.py)."""
    import inspect

    from ml_api import jobs

    source = inspect.getsource(jobs.JobManager.write_status)
    assert "job.throttle.admit(" in source
    assert "throttle" in jobs.JobContext.__dataclass_fields__


def test_running_right_after_the_claim_is_coalesced_not_waited_for():
    """A job claimed (QUEUED written) and started 0.05 s later must not sleep out the second
    before it trains, nor push its SUCCEEDED a second further (issue 11's tap -> scored)."""
    clock = Clock()
    throttle = StatusWriteThrottle(clock, clock.sleep)
    assert throttle.admit("QUEUED")             # the claim
    clock.now += 0.05
    assert throttle.admit("RUNNING", coalesce_start=True) is False   # coalesced: no write, no wait
    assert clock.slept == 0
    clock.now += 0.2                            # a QUICK fit later
    assert throttle.admit("SUCCEEDED") is True  # waits only for the rest of the claim's second
    assert abs(clock.slept - 0.75) < 1e-9



def test_an_interruption_is_never_coalesced():
    clock = Clock()
    throttle = StatusWriteThrottle(clock, clock.sleep)
    assert throttle.admit("RUNNING")
    clock.now += 0.1
    assert throttle.admit("QUEUED") is True  # RUNNING -> QUEUED (interrupted): waited for, written
    assert abs(clock.slept - 0.9) < 1e-9


def test_deep_jobs_still_write_running_and_an_interruption_is_its_own_status():
    """DEEP (no coalescing): RUNNING waits and is written, so another replica sees the run
    running; an interruption after a coalesced start is not taken for the claim's QUEUED."""
    clock = Clock()
    throttle = StatusWriteThrottle(clock, clock.sleep)
    assert throttle.admit("QUEUED")
    clock.now += 0.05
    assert throttle.admit("RUNNING") is True and abs(clock.slept - 0.95) < 1e-9
    quick = StatusWriteThrottle(clock, clock.sleep)
    assert quick.admit("QUEUED")
    assert quick.admit("RUNNING", coalesce_start=True) is False
    assert quick.admit("QUEUED/interrupted", coalesce_start=True) is True  # written (after the wait)
