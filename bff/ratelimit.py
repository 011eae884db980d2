"""In-process token buckets.

Per process on purpose: under gunicorn with W workers a client gets up to W times the
configured rate. That is enough to stop a runaway retry loop or password guessing at
a workshop's scale; a shared limiter (Redis, Cloud Armor rate rules) is the cloud answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class RateLimiter:
    """``rate`` tokens per second, at most ``burst`` saved up, per key."""

    def __init__(self, rate: float, burst: float, max_keys: int = 10_000, clock=time.monotonic):
        self.rate = float(rate)
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _refill(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def allow(self, key: str, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens if there are enough; False (and take nothing) otherwise."""
        with self._lock:
            now = self.clock()
            tokens = self._refill(key, now)
            allowed = tokens >= cost
            if allowed:
                tokens -= cost
            self._store(key, tokens, now)
            return allowed

    def blocked(self, key: str, cost: float = 1.0) -> bool:
        """True when ``cost`` tokens are not available right now (takes nothing)."""
        with self._lock:
            return self._refill(key, self.clock()) < cost

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:  # forget the least recently seen
            self._buckets.popitem(last=False)


# A venue's iPads usually reach us from one NAT address: failed logins are counted per
# device (a random id in its session) and, ten times as generously, per address, so
# children tapping at the admin screen on their iPad lock out that iPad, not the instructor.
PER_ADDRESS_FACTOR = 10


def init_app(app) -> None:
    per_minute = 1 / 60

    def failures(limit: int) -> RateLimiter:
        return RateLimiter(limit * per_minute, limit)

    login, admin = app.config["LOGIN_FAILURES_PER_MINUTE"], app.config["ADMIN_LOGIN_FAILURES_PER_MINUTE"]
    app.extensions["pictolab.limiters"] = {
        "upload": RateLimiter(app.config["UPLOAD_RATE_PER_SECOND"], app.config["UPLOAD_RATE_BURST"]),
        "login": failures(login),
        "login_address": failures(login * PER_ADDRESS_FACTOR),
        "admin_login": failures(admin),
        "admin_login_address": failures(admin * PER_ADDRESS_FACTOR),
    }


class FailureLimit:
    """Failed attempts of one kind ("login", "admin_login") by this device and address."""

    def __init__(self, name: str, device_id: str, address: str):
        self.checks = ((limiter(name), f"device:{device_id}"), (limiter(f"{name}_address"), f"ip:{address}"))

    def blocked(self) -> bool:
        return any(bucket.blocked(key) for bucket, key in self.checks)

    def record(self) -> None:
        for bucket, key in self.checks:
            bucket.allow(key)


def limiter(name: str) -> RateLimiter:
    from flask import current_app

    return current_app.extensions["pictolab.limiters"][name]
