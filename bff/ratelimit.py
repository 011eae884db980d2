"""In-process token buckets: the upload rate and the failed-login limits.

Per process on purpose: under gunicorn with W workers a client gets up to W times the
configured rate. That is enough to stop a runaway retry loop or password guessing at
a workshop's scale; a shared limiter (Redis, Cloud Armor rate rules) is the cloud answer.

Failed logins are counted per device (a random id kept in its session) and per address
(:class:`FailureLimit`). A device over its budget is refused before its attempt is checked,
right or wrong, so it cannot keep guessing. An address over its budget (a venue's iPads all
share one NAT address) refuses only attempts that turn out wrong: a real card always gets
in, since a 128-bit MAC cannot be guessed.

Instructors' passwords can be guessed, so their sign-ins (:class:`AdminLoginLimit`) are
limited per device and per account, never per address for a real device: only a device id
the server issued in an earlier answer counts as a device (a guesser that drops its cookie
gets a new one every time), and a request without one draws on its address's budget. So a
busy venue NAT refuses cookie-less guessers, never an instructor's browser that has not
been failing. What stops guessing of one account is its own count (bff/instructors.py):
``ADMIN_ACCOUNT_MAX_FAILURES`` wrong passwords in a row lock it for ``ADMIN_ACCOUNT_LOCK``
or until an org admin (or `pictolab instructor reset`) unlocks it; the devices the account
signed in on before may still sign in meanwhile, so guessers cannot lock an instructor out
of their own laptop.
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


# A venue's iPads usually reach us from one NAT address: the address's budget is ten times
# a device's, so children tapping at the admin screen on their iPad lock out that iPad, not
# the instructor's laptop.
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
        self.device = (limiter(name), f"device:{device_id}")
        self.address = (limiter(f"{name}_address"), f"ip:{address}")
        self.checks = (self.device, self.address)

    def blocked(self) -> bool:
        return any(bucket.blocked(key) for bucket, key in self.checks)

    def device_blocked(self) -> bool:
        bucket, key = self.device
        return bucket.blocked(key)

    def address_blocked(self) -> bool:
        bucket, key = self.address
        return bucket.blocked(key)

    def record(self) -> None:
        for bucket, key in self.checks:
            bucket.allow(key)


def limiter(name: str) -> RateLimiter:
    from flask import current_app

    return current_app.extensions["pictolab.limiters"][name]


class AdminLoginLimit:
    """Failed instructor sign-ins from this request's device (``known_device``: the id it
    came with, None for none) or, without one, its address. ``new_device`` is the id issued
    with this answer: a failure counts against it too, so the next try is a device's."""

    def __init__(self, known_device: str | None, new_device: str, address: str):
        device, by_address = limiter("admin_login"), limiter("admin_login_address")
        if known_device is not None:
            self.checks = ((device, f"device:{known_device}"),)
            self.records = self.checks
        else:
            self.checks = ((by_address, f"ip:{address}"),)
            self.records = (*self.checks, (device, f"device:{new_device}"))

    def blocked(self) -> bool:
        return any(bucket.blocked(key) for bucket, key in self.checks)

    def record(self) -> None:
        for bucket, key in self.records:
            bucket.allow(key)
