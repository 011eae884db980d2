"""The BFF's routing over several ML API replicas (bff/ml_replicas.py, issue 14): the URL
list and DNS expansion, least-loaded placement of new runs, skipping replicas that do not
answer, status from any replica and rendezvous hashing for predict/evaluate. Replicas are
fakes here; tests/e2e/test_replicas.py runs three real ML API processes."""

from __future__ import annotations

import collections

import pytest
import requests

from bff.ml_client import MLClient, MLError, MLUnavailable
from bff.ml_replicas import ReplicaSet, ReplicatedMLClient, ml_client_for, rendezvous_order, split_urls


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeReplica:
    def __init__(self, url: str):
        self.url = url
        self.down = False
        self.slow = False
        self.queued = self.running = 0
        self.capacity = 2
        self.calls: list[tuple[str, str]] = []

    def _enter(self, name: str, run_id: str = "") -> None:
        self.calls.append((name, run_id))
        if self.down:
            try:
                raise requests.ConnectionError("refused")
            except requests.ConnectionError as exc:
                raise MLUnavailable("ML API unreachable: ConnectionError") from exc
        if self.slow:
            try:
                raise requests.ReadTimeout("slow")
            except requests.ReadTimeout as exc:
                raise MLUnavailable("ML API unreachable: ReadTimeout") from exc

    def load(self, timeout: float = 1.0) -> dict:
        self._enter("load")
        return {"queued": self.queued, "running": self.running, "capacity": self.capacity,
                "worker": self.url, "ready": True}

    def start_training(self, run_id, classes, examples, mode="QUICK", epochs=None) -> dict:
        self._enter("start_training", run_id)
        self.queued += 1
        return {"runId": run_id, "status": "QUEUED", "worker": self.url}

    def training_job(self, run_id):
        self._enter("training_job", run_id)
        return {"runId": run_id, "status": "RUNNING"}

    def predict(self, run_id, image_uri):
        self._enter("predict", run_id)
        return {"label": "a", "worker": self.url}

    def evaluate(self, run_id, examples):
        self._enter("evaluate", run_id)
        return {"accuracy": 1.0, "worker": self.url}

    def health(self):
        self._enter("health")
        return {"device": "cpu"}


class Fleet:
    """A ReplicatedMLClient over fake replicas behind one DNS name (or a URL list)."""

    def __init__(self, addresses: list[str], spec: str = "http://ml-api:8080"):
        self.addresses = list(addresses)
        self.clock = Clock()
        self.lookups = 0
        self.replicas: dict[str, FakeReplica] = {}
        self.set = ReplicaSet(spec, resolver=self.resolve, clock=self.clock, resolve_every=5, down_for=5)
        self.client = ReplicatedMLClient(self.set, client_factory=self.make)

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups += 1
        if isinstance(self.addresses, Exception):
            raise self.addresses
        return list(self.addresses)

    def make(self, url: str, timeout: float) -> FakeReplica:
        return self.replicas.setdefault(url, FakeReplica(url))

    def at(self, address: str) -> FakeReplica:
        return self.make(f"http://{address}:8080", 0)


def test_url_lists_and_what_counts_as_one_replica():
    assert split_urls(" http://a:1/ , http://b:2") == ["http://a:1", "http://b:2"]
    with pytest.raises(ValueError):
        split_urls(" , ")
    assert type(ml_client_for("http://127.0.0.1:8002")) is MLClient  # a laptop: as before
    assert type(ml_client_for("http://127.0.0.1:8002,http://127.0.0.1:8003")) is ReplicatedMLClient
    assert ReplicaSet("http://127.0.0.1:1,http://127.0.0.1:2/").urls() == ["http://127.0.0.1:1", "http://127.0.0.1:2"]


def test_a_dns_name_stands_for_all_its_addresses_and_is_resolved_again():
    fleet = Fleet(["10.0.0.2", "10.0.0.1"])
    assert fleet.set.urls() == ["http://10.0.0.2:8080", "http://10.0.0.1:8080"]
    fleet.addresses = ["10.0.0.1", "10.0.0.3"]
    assert fleet.set.urls() == ["http://10.0.0.2:8080", "http://10.0.0.1:8080"]  # not due yet
    fleet.clock.now += 5
    assert fleet.set.urls() == ["http://10.0.0.1:8080", "http://10.0.0.3:8080"]
    fleet.addresses = OSError("DNS hiccup")
    fleet.clock.now += 5
    assert fleet.set.urls() == ["http://10.0.0.1:8080", "http://10.0.0.3:8080"]  # kept what it knew
    fleet.addresses = ["10.0.0.9"]
    fleet.clock.now += 5
    assert fleet.set.urls() == ["http://ml-api:8080"]  # one address: the name, as a plain client
    ipv6 = Fleet(["fd00::1", "fd00::2"])
    assert ipv6.set.urls() == ["http://[fd00::1]:8080", "http://[fd00::2]:8080"]


def test_new_runs_go_to_the_least_loaded_replica():
    fleet = Fleet(["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    fleet.at("10.0.0.1").running = 2
    fleet.at("10.0.0.2").queued = 1
    job = fleet.client.start_training("r1", ["a"], [])
    assert job["worker"] == "http://10.0.0.3:8080"
    fleet.at("10.0.0.3").capacity = 8  # a bigger GPU takes more before it counts as loaded
    fleet.at("10.0.0.3").queued = 3
    assert fleet.client.start_training("r2", ["a"], [])["worker"] == "http://10.0.0.3:8080"


def test_a_wave_spreads_evenly_even_when_runs_finish_between_placements():
    fleet = Fleet(["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    counts = collections.Counter()
    for n in range(12):
        worker = fleet.client.start_training(f"r{n}", ["a"], [])["worker"]
        fleet.replicas[worker].queued = 0  # QUICK: done before the next one is placed
        counts[worker] += 1
    assert sorted(counts.values()) == [4, 4, 4]


def test_a_replica_that_does_not_answer_is_skipped_then_tried_again():
    fleet = Fleet(["10.0.0.1", "10.0.0.2"])
    dead, alive = fleet.at("10.0.0.1"), fleet.at("10.0.0.2")
    alive.queued = 5  # busier, yet the only one answering
    dead.down = True
    assert fleet.client.start_training("r1", ["a"], [])["worker"] == alive.url
    assert fleet.set.is_down(dead.url)
    dead.calls.clear()
    fleet.client.training_job("r1")
    fleet.client.predict("r1", "u")
    assert dead.calls == []  # remembered as down: not even tried
    fleet.clock.now += 5
    dead.down = False
    assert fleet.client.start_training("r2", ["a"], [])["worker"] == dead.url  # back, and idle


def test_a_start_that_fails_on_the_chosen_replica_goes_to_the_next():
    fleet = Fleet(["10.0.0.1", "10.0.0.2"])
    first, second = fleet.at("10.0.0.1"), fleet.at("10.0.0.2")
    second.queued = 1
    original = first.start_training

    def refuse(*args, **kwargs):
        first.down = True  # it answered its load query, then died
        return original(*args, **kwargs)

    first.start_training = refuse
    assert fleet.client.start_training("r1", ["a"], [])["worker"] == second.url


def test_status_from_any_replica_with_failover():
    fleet = Fleet(["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    for _ in range(6):
        assert fleet.client.training_job("r1")["status"] == "RUNNING"
    assert all(len(replica.calls) == 2 for replica in fleet.replicas.values())  # shared in turn
    fleet.at("10.0.0.1").down = fleet.at("10.0.0.2").down = True
    for _ in range(3):
        assert fleet.client.training_job("r1")["status"] == "RUNNING"


def test_predict_and_evaluate_for_a_run_stay_on_its_home_replica():
    fleet = Fleet(["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    urls = fleet.set.urls()
    homes = {f"run{n}": rendezvous_order(f"run{n}", urls)[0] for n in range(30)}
    assert len(set(homes.values())) == 3  # runs are spread over the replicas
    for run_id, home in homes.items():
        assert {fleet.client.predict(run_id, "u")["worker"] for _ in range(3)} == {home}
        assert fleet.client.evaluate(run_id, [])["worker"] == home
    # One replica dies: only its runs move, each to its own next best.
    gone = "http://10.0.0.1:8080"
    fleet.replicas[gone].down = True
    for run_id, home in homes.items():
        expected = home if home != gone else rendezvous_order(run_id, urls)[1]
        assert fleet.client.predict(run_id, "u")["worker"] == expected


def test_refusals_and_slow_answers_are_not_sent_elsewhere():
    fleet = Fleet(["10.0.0.1", "10.0.0.2"])
    home = fleet.replicas.setdefault(fleet.client.home("r1")[0], FakeReplica(fleet.client.home("r1")[0]))

    def refuse(run_id, image_uri):
        raise MLError("run r1 has not succeeded", "FAILED_PRECONDITION")

    home.predict = refuse
    with pytest.raises(MLError):
        fleet.client.predict("r1", "u")
    home.slow = True  # it has the request and works on it: a retry elsewhere would double it
    with pytest.raises(MLUnavailable):
        fleet.client.evaluate("r1", [])
    other = [r for url, r in fleet.replicas.items() if url != home.url]
    assert all(("evaluate", "r1") not in r.calls for r in other)


def test_every_replica_down_is_still_tried_and_reported_unavailable():
    fleet = Fleet(["10.0.0.1", "10.0.0.2"])
    for address in ("10.0.0.1", "10.0.0.2"):
        fleet.at(address).down = True
    with pytest.raises(MLUnavailable):
        fleet.client.start_training("r1", ["a"], [])
    fleet.at("10.0.0.2").down = False  # back before its "down" mark ran out: tried anyway
    assert fleet.client.training_job("r1")["status"] == "RUNNING"


def test_the_replicated_client_speaks_like_the_plain_one():
    """Whatever the BFF calls on MLClient it can call on the replicated client, with the same
    parameters (``load`` is asked of one replica, so only the plain client has it)."""
    import inspect

    public = {n for n, f in inspect.getmembers(MLClient, inspect.isfunction) if not n.startswith("_")} - {"load"}
    for name in public:
        assert hasattr(ReplicatedMLClient, name), name
        real = list(inspect.signature(getattr(MLClient, name)).parameters)
        assert list(inspect.signature(getattr(ReplicatedMLClient, name)).parameters) == real, name
