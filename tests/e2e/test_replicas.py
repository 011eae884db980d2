"""Three ML API replicas pulling from one queue, one BFF, twelve groups training QUICK at
once: the replicas share the wave; a replica SIGKILLed in the middle of the second wave loses
no run: when its lease runs out, the runs it held are resumed by the others."""

from __future__ import annotations

import pytest

from tests.datasets import texture_jpegs
from tests.e2e.replicas_scenario import PREDICT, ReplicaCluster

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GROUPS = 12


@pytest.fixture
def cluster(tmp_path):
    with ReplicaCluster(tmp_path / "data", replicas=3) as running:
        yield running


def test_replicas_share_a_wave_and_survive_losing_one(cluster):
    browsers = cluster.open_workshop(GROUPS)

    first = cluster.train_all(browsers)
    runs = cluster.wait_all(browsers, first)
    assert [r["status"] for r in runs] == ["SUCCEEDED"] * GROUPS, runs
    shares = cluster.trained_by(first)
    assert None not in shares, shares  # every run names a known replica
    # Pulled, not pushed: every replica that is free takes the next run, so the wave spreads.
    assert len(shares) >= 2, f"one replica trained the whole wave: {shares}"

    victim = cluster.ml[0]
    second = cluster.train_all(browsers)
    orphans = cluster.kill_when_busy(victim, second)
    assert orphans, "the replica died holding no run: nothing was resumed"
    runs = cluster.wait_all(browsers, second, timeout=240)
    assert [r["status"] for r in runs] == ["SUCCEEDED"] * GROUPS, runs
    for run_id in orphans:  # finished by a survivor, as a second attempt
        status = cluster.status(run_id)
        assert cluster.replica_of(run_id) not in (None, victim), status
        assert status["attempt"] >= 2, status

    # A group tries its model with one replica gone: predict finds a live one.
    assert browsers[0].upload(PREDICT, {}, texture_jpegs("grass", 1, seed=99, patch=64)[0])["predict"]["label"]
