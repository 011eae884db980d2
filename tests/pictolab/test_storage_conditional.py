"""Conditional writes (compare-and-swap on an object's generation), the primitive the ML API
takes over a stale run with (issue 14): of writers that read the same generation, exactly one
wins. The local backend's semantics are tested for real, with racing threads and processes.
The GCS emulator ignores generation preconditions, so for GCS only the call shape is tested
against it (the conditional calls are accepted and write); the 412 path is the real client's."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from pictolab.storage import PreconditionFailed, open_storage
from pictolab.storage.local import LocalStorage

KEY = "runs/r1/status.json"


def test_conditional_writes_work_on_both_backends(storage_url):
    store = open_storage(storage_url)
    assert store.get_json_and_generation(KEY) == (None, None)
    first = store.put_json_if_generation(KEY, {"owner": "a"}, None)  # create only
    value, generation = store.get_json_and_generation(KEY)
    assert value == {"owner": "a"} and generation == first
    second = store.put_json_if_generation(KEY, {"owner": "b"}, generation)
    assert second != first
    assert store.get_json_and_generation(KEY) == ({"owner": "b"}, second)


def test_local_refuses_a_stale_generation_and_a_second_create(tmp_path):
    store = LocalStorage(tmp_path)
    created = store.put_json_if_generation(KEY, {"owner": "a"}, None)
    with pytest.raises(PreconditionFailed):
        store.put_json_if_generation(KEY, {"owner": "b"}, None)  # it exists now
    store.put_json(KEY, {"owner": "a", "heartbeat": 2})  # an unconditional write moves it on
    with pytest.raises(PreconditionFailed):
        store.put_json_if_generation(KEY, {"owner": "b"}, created)
    assert store.get_json(KEY) == {"owner": "a", "heartbeat": 2}
    assert sorted(p.name for p in (tmp_path / "runs" / "r1").iterdir()) == ["status.json"]  # no temp left


def _race(store: LocalStorage, name: str, rounds: int, barrier, wins: list) -> None:
    for round_ in range(rounds):
        barrier.wait()
        _value, generation = store.get_json_and_generation(KEY)
        barrier.wait()  # everyone holds the same generation now
        try:
            store.put_json_if_generation(KEY, {"owner": name, "round": round_}, generation)
            wins.append((round_, name))
        except PreconditionFailed:
            pass


def test_racing_threads_exactly_one_wins_each_round(tmp_path):
    store = LocalStorage(tmp_path)
    store.put_json(KEY, {"owner": "nobody"})
    threads, rounds = 6, 40
    barrier = threading.Barrier(threads)
    wins: list = []
    workers = [threading.Thread(target=_race, args=(store, f"t{i}", rounds, barrier, wins)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(r for r, _ in wins) == list(range(rounds)), wins


def _process_race(root: str, name: str, rounds: int, barrier, queue) -> None:
    wins: list = []
    _race(LocalStorage(root), name, rounds, barrier, wins)
    queue.put(wins)


def test_racing_processes_exactly_one_wins_each_round(tmp_path):
    """Two processes, as two ML API replicas on one laptop sharing a storage folder."""
    store = LocalStorage(tmp_path)
    store.put_json(KEY, {"owner": "nobody"})
    context = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    processes, rounds = 3, 25
    barrier, queue = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_process_race, args=(str(tmp_path), f"p{i}", rounds, barrier, queue))
               for i in range(processes)]
    for worker in workers:
        worker.start()
    try:
        wins = [win for _ in workers for win in queue.get(timeout=120)]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    assert sorted(r for r, _ in wins) == list(range(rounds)), wins
    last_round, winner = max(wins)
    assert store.get_json(KEY) == {"owner": winner, "round": last_round}
