"""Several ML API replicas behind one ``PICTOLAB_ML_API_URL`` (issue 14, docs/design.md).

The setting is a comma-separated list of base URLs. A URL whose host is a DNS name with
several addresses (a GKE headless Service: one A record per ready pod) stands for all of
them, and the name is resolved again every few seconds, so replicas that come and go are
followed without a restart. :class:`ReplicatedMLClient` has the public methods of
:class:`bff.ml_client.MLClient` and routes each call:

- ``start_training`` (a new run, or the reconciler's nudge of a run whose heartbeat went
  stale): to the least-loaded live replica, by ``health { queued running capacity }``; a
  replica that does not answer within a second is skipped and remembered as down for a few
  seconds. startTraining is idempotent by run id and a replica takes a run over only by a
  conditional write (ml_api/jobs.py), so sending it to another replica is always safe.
- ``trainingJob``: to any live replica, in turn (job status lives in storage).
- ``predict`` and ``evaluate``: rendezvous (highest-random-weight) hashing of the run id over
  the live replicas, so a run's model stays warm in one replica's cache while it lives, and
  only the runs of a replica that left move elsewhere.

A single URL whose host is an IP address or resolves to one address is one replica: it is
called exactly as a plain MLClient would be (no load query before a run).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from .ml_client import MLClient, MLError, MLUnavailable

log = logging.getLogger(__name__)

# Kubernetes updates a headless Service's DNS answers within seconds of a pod's readiness change.
RESOLVE_EVERY_SECONDS = 5.0
# A replica that failed a call is left out for this long (then tried again).
DOWN_FOR_SECONDS = 5.0
# The load query before a run is placed: a replica that takes longer is busy or gone.
PROBE_TIMEOUT_SECONDS = 1.0

Resolver = Callable[[str, int], list[str]]


def split_urls(value: str) -> list[str]:
    urls = [part.strip().rstrip("/") for part in (value or "").split(",") if part.strip()]
    if not urls:
        raise ValueError("PICTOLAB_ML_API_URL names no URL")
    return urls


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def resolve_addresses(host: str, port: int) -> list[str]:
    """The host's IPv4 addresses (A records), else its IPv6 ones; sorted, no duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    v4 = sorted({info[4][0] for info in infos if info[0] == socket.AF_INET})
    return v4 or sorted({info[4][0] for info in infos if info[0] == socket.AF_INET6})


def _with_host(url: str, address: str) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def rendezvous_order(key: str, urls: list[str]) -> list[str]:
    """``urls`` by descending highest-random-weight score for ``key``: the first is the key's
    home; when it leaves, only its keys move (each to its own next best)."""
    def score(url: str) -> int:
        return int.from_bytes(hashlib.sha256(f"{key}\0{url}".encode()).digest()[:8], "big")

    return sorted(urls, key=score, reverse=True)


class ReplicaSet:
    """The replicas' base URLs, expanded and re-resolved, with those recently down marked."""

    def __init__(self, spec: str, *, resolve_every: float = RESOLVE_EVERY_SECONDS,
                 down_for: float = DOWN_FOR_SECONDS, resolver: Resolver = resolve_addresses,
                 clock: Callable[[], float] = time.monotonic):
        self.configured = split_urls(spec)
        self.resolve_every = resolve_every
        self.down_for = down_for
        self.resolver = resolver
        self.clock = clock
        self._lock = threading.Lock()
        self._expanded: dict[str, list[str]] = {}  # configured URL -> its replicas' URLs
        self._resolved_at: float | None = None
        self._down_until: dict[str, float] = {}
        # A URL with an IP address is one replica for good: nothing to resolve, ever.
        self.static = all(_is_ip(urlsplit(url).hostname or "") for url in self.configured)

    def _expand(self, url: str) -> list[str]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if _is_ip(host):
            return [url]
        try:
            addresses = self.resolver(host, parts.port or (443 if parts.scheme == "https" else 80))
        except OSError as exc:
            previous = self._expanded.get(url)
            log.warning("could not resolve the ML API host %s: %s", host, exc)
            return previous or [url]  # a DNS hiccup: keep what we knew (or let the call fail)
        if len(addresses) <= 1:
            return [url]  # one replica: keep the name (Host header, TLS), as a plain client would
        return [_with_host(url, address) for address in addresses]

    def urls(self) -> list[str]:
        """Every replica's base URL, down or not (re-resolved when due)."""
        with self._lock:
            now = self.clock()
            if self._resolved_at is None or (not self.static and now - self._resolved_at >= self.resolve_every):
                expanded = {url: self._expand(url) for url in self.configured}
                if expanded != self._expanded and self._resolved_at is not None:
                    log.info("ML API replicas changed", extra={"replicas": [u for us in expanded.values() for u in us]})
                self._expanded, self._resolved_at = expanded, now
            seen: dict[str, None] = {}
            for urls in self._expanded.values():
                seen.update(dict.fromkeys(urls))
            return list(seen)

    def live(self) -> list[str]:
        """Replicas not marked down; all of them when every one is (they may be back)."""
        urls = self.urls()
        now = self.clock()
        with self._lock:
            up = [url for url in urls if self._down_until.get(url, 0.0) <= now]
        return up or urls

    def mark_down(self, url: str) -> None:
        with self._lock:
            self._down_until[url] = self.clock() + self.down_for

    def is_down(self, url: str) -> bool:
        with self._lock:
            return self._down_until.get(url, 0.0) > self.clock()


def _worth_another_replica(exc: MLUnavailable) -> bool:
    """A read timeout means the replica took the request and is working on it: sending the
    same work elsewhere would double it (the reconciler retries later instead). Anything else
    (refused connection, 5xx, UNAVAILABLE: queue full or shutting down) is worth another."""
    return not isinstance(exc.__cause__, requests.ReadTimeout)


class ReplicatedMLClient:
    """MLClient's public methods over a :class:`ReplicaSet` (see the module docstring)."""

    def __init__(self, replicas: ReplicaSet, timeout: float = 30.0,
                 client_factory: Callable[[str, float], Any] = MLClient,
                 probe_timeout: float = PROBE_TIMEOUT_SECONDS):
        self.replicas = replicas
        self.timeout = timeout
        self.probe_timeout = probe_timeout
        self._factory = client_factory
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._turn = 0
        # Runs this process placed on each replica lately: breaks ties between equally loaded
        # replicas (QUICK runs finish between two placements), so a wave spreads evenly.
        self._placed: dict[str, int] = {}
        self._probes = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ml-probe")

    def client(self, url: str):
        with self._lock:
            client = self._clients.get(url)
            if client is None:
                client = self._clients[url] = self._factory(url, self.timeout)
            return client

    # ---- routing -------------------------------------------------------------------------
    def _call_in_order(self, urls: list[str], call: Callable[[Any], Any], what: str) -> Any:
        return self._first_answer(urls, call, what)[1]

    def _first_answer(self, urls: list[str], call: Callable[[Any], Any], what: str) -> tuple[str, Any]:
        """(replica, answer) of the first replica in ``urls`` that answers; MLError (the
        request itself refused) is final: every replica would say the same."""
        last: MLUnavailable | None = None
        for url in urls:
            try:
                return url, call(self.client(url))
            except MLUnavailable as exc:
                last = exc
                if not _worth_another_replica(exc):
                    raise
                self.replicas.mark_down(url)
                log.warning("ML API replica failed %s; trying another", what, extra={"replica": url, "error": str(exc)})
        raise last if last is not None else MLUnavailable("no ML API replica")

    def _rotation(self) -> list[str]:
        urls = self.replicas.live()
        with self._lock:
            self._turn = (self._turn + 1) % len(urls)
            turn = self._turn
        return urls[turn:] + urls[:turn]

    def _load(self, url: str) -> float | None:
        """Share of the replica's capacity in use (None: it did not answer; marked down)."""
        try:
            health = self.client(url).load(timeout=self.probe_timeout)
        except (MLUnavailable, MLError) as exc:
            self.replicas.mark_down(url)
            log.warning("ML API replica did not answer its load query", extra={"replica": url, "error": str(exc)})
            return None
        if not health or health.get("ready") is False:
            return None
        return (health["queued"] + health["running"]) / max(1, health["capacity"])

    def placement(self) -> list[str]:
        """Live replicas, least loaded first (those that did not answer last)."""
        urls = self.replicas.live()
        if len(urls) == 1:
            return urls
        loads = dict(zip(urls, self._probes.map(self._load, urls)))
        with self._lock:
            placed = dict(self._placed)
        answered = [url for url in urls if loads[url] is not None]
        random.shuffle(answered)  # last tie-break: several BFF processes do not pile onto one
        answered.sort(key=lambda url: (loads[url], placed.get(url, 0)))
        return answered + [url for url in urls if loads[url] is None]

    # ---- MLClient's operations -------------------------------------------------------------
    def start_training(self, run_id: str, classes: list[str], examples: list[dict[str, str]],
                       mode: str = "QUICK", epochs: int | None = None) -> dict:
        url, job = self._first_answer(self.placement(), lambda client: client.start_training(
            run_id, classes, examples, mode=mode, epochs=epochs), "startTraining")
        with self._lock:
            self._placed[url] = self._placed.get(url, 0) + 1
        log.info("run placed on an ML API replica", extra={"runId": run_id, "replica": url,
                                                         "worker": (job or {}).get("worker")})
        return job

    def training_job(self, run_id: str) -> dict | None:
        return self._call_in_order(self._rotation(), lambda client: client.training_job(run_id), "trainingJob")

    def wait_job(self, run_id: str, wait_seconds: float, seen: str | None = None) -> dict | None:
        # Any replica answers (status in storage); the one running the job answers soonest.
        return self._call_in_order(self._rotation(), lambda client: client.wait_job(run_id, wait_seconds, seen),
                                   "trainingJob")

    def embed_photos(self, uris: list[str]) -> dict:
        # Rendezvous on the first photo (the BFF sends a workshop's photos together): the same
        # replica keeps confirming them from memory (ml_api/embed_queue.py).
        key = uris[0] if uris else ""
        return self._call_in_order(self.home(key), lambda client: client.embed_photos(uris), "embedPhotos")

    def home(self, run_id: str) -> list[str]:
        """The run's replicas by rendezvous order over the live ones (its home first)."""
        return rendezvous_order(run_id, self.replicas.live())

    def predict(self, run_id: str, image_uri: str) -> dict:
        return self._call_in_order(self.home(run_id), lambda client: client.predict(run_id, image_uri), "predict")

    def evaluate(self, run_id: str, examples: list[dict[str, str]]) -> dict:
        return self._call_in_order(self.home(run_id), lambda client: client.evaluate(run_id, examples), "evaluate")

    def photo_hints(self, classes: list[str], examples: list[dict[str, str]]) -> dict:
        # Rendezvous like embedPhotos (same first photo): the replica that embedded the
        # group's photos most likely holds them in memory.
        key = examples[0]["uri"] if examples else ""
        return self._call_in_order(self.home(key), lambda client: client.photo_hints(classes, examples),
                                   "photoHints")

    def health(self) -> dict:
        return self._call_in_order(self._rotation(), lambda client: client.health(), "health")


def ml_client_for(url_setting: str, timeout: float = 30.0):
    """The BFF's ML API client for ``PICTOLAB_ML_API_URL``: a plain :class:`MLClient` for one
    URL with an IP address (a laptop: exactly as before replicas existed), else a
    :class:`ReplicatedMLClient`."""
    replicas = ReplicaSet(url_setting)
    if replicas.static and len(replicas.configured) == 1:
        return MLClient(replicas.configured[0], timeout=timeout)
    return ReplicatedMLClient(replicas, timeout=timeout)
