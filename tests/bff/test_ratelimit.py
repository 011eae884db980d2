from __future__ import annotations

from bff.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate():
    clock = Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "keys are independent"
    clock.now = 0.5  # one token back
    assert limiter.allow("a") and not limiter.allow("a")
    clock.now = 100
    assert not limiter.blocked("a")
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]


def test_blocked_takes_nothing():
    limiter = RateLimiter(rate=0.001, burst=1, clock=Clock())
    assert not limiter.blocked("k") and not limiter.blocked("k")
    assert limiter.allow("k")
    assert limiter.blocked("k")


def test_forgets_least_recent_keys_beyond_the_cap():
    limiter = RateLimiter(rate=0.001, burst=1, max_keys=2, clock=Clock())
    for key in ("a", "b", "c"):
        assert limiter.allow(key)
    assert limiter.allow("a"), "a was forgotten, so it starts with a full bucket"
