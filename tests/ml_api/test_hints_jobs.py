"""Photo hints as a queued job, coalesced per group (``key``): asking again with the same
photo set (``signature``) returns the job as it is, on any replica; a new photo set replaces
the job's input and queues it again, and a worker still on the old input loses its claim, so
its result is never written.

The tests drive the queue by hand (``ML_WORKERS: False``, :func:`run_queued`)."""

from __future__ import annotations

import pytest

from ml_api.queue import HINTS, job_id_for
from tests.ml_api.helpers import EMBED_PHOTOS, new_id, put_photos, run_queued, texture_images


@pytest.fixture
def ml(make_ml):
    return make_ml(app_config={"ML_WORKERS": False})


@pytest.fixture
def photos(ml):
    return put_photos(ml.storage, *texture_images(per_class=2, patch=64))


def examples(photos) -> list[dict]:
    return [p.example() for p in photos]


def test_the_same_signature_is_the_same_job_on_any_replica(ml, make_ml, photos):
    key = new_id()
    first = ml.hints(key, "set-1", examples(photos))
    assert (first["key"], first["signature"], first["status"], first["result"]) == (key, "set-1", "QUEUED", None)
    other = make_ml(app_config={"ML_WORKERS": False})  # another replica on the same queue
    assert other.hints(key, "set-1", examples(photos)) == first
    assert len(ml.rows(HINTS)) == 1
    ml.hints(new_id(), "set-1", examples(photos))  # another group: a job of its own
    assert len(ml.rows(HINTS)) == 2

    run_queued(ml.service.workers)
    done = ml.hints(key, "set-1", examples(photos))
    assert done["status"] == "SUCCEEDED" and [h["uri"] for h in done["result"]["photos"]] == [p.uri for p in photos]
    row = ml.service.queue.get(job_id_for(HINTS, key))
    # Asked again, it is answered from the row: not queued, not computed again.
    assert other.hints(key, "set-1", examples(photos)) == done
    assert run_queued(ml.service.workers) == 0
    assert ml.service.queue.get(row["id"])["finished_at"] == row["finished_at"]


def test_a_new_signature_queues_the_job_again_with_the_new_photos(ml, photos):
    key = new_id()
    ml.hints(key, "set-1", examples(photos[:4]))
    run_queued(ml.service.workers)
    assert ml.hints(key, "set-1", examples(photos[:4]))["status"] == "SUCCEEDED"

    again = ml.hints(key, "set-2", examples(photos))
    assert (again["signature"], again["status"], again["result"]) == ("set-2", "QUEUED", None)
    (row,) = ml.rows(HINTS)
    assert [e["uri"] for e in row["payload"]["examples"]] == [p.uri for p in photos]
    run_queued(ml.service.workers)
    done = ml.hints(key, "set-2", examples(photos))
    assert done["status"] == "SUCCEEDED" and [h["uri"] for h in done["result"]["photos"]] == [p.uri for p in photos]


@pytest.mark.parametrize("embeddings", ["computed", "cached"])
def test_a_worker_on_the_old_photo_set_loses_its_claim_and_writes_no_result(database_url, make_ml, embeddings):
    """``computed``: the worker learns it at its first write (an embedding); ``cached``: it
    writes nothing on the way, and its final write touches no row of its own."""
    ml = make_ml(app_config={"ML_WORKERS": False, "ML_MIGRATE": True}, ml_database_url=database_url)
    photos = put_photos(ml.storage, *texture_images(per_class=2, patch=64))
    if embeddings == "cached":
        ml.data(EMBED_PHOTOS, input={"uris": [p.uri for p in photos]})
        run_queued(ml.service.workers)
    pool = ml.service.workers
    key = new_id()
    ml.hints(key, "old", examples(photos[:4]))
    claims = pool._next()
    assert [c.kind for c in claims] == [HINTS] and claims[0].row["signature"] == "old"
    # The group changes its photos while the worker computes the old set's hints.
    assert ml.hints(key, "new", examples(photos))["status"] == "QUEUED"
    pool._run(claims)  # the old claim runs to its end
    (row,) = ml.rows(HINTS)
    assert (row["status"], row["signature"], row["result"], row["claim"]) == ("QUEUED", "new", None, None)
    assert ml.hints(key, "new", examples(photos))["result"] is None

    run_queued(pool)  # the new photo set is computed, once
    done = ml.hints(key, "new", examples(photos))
    assert done["status"] == "SUCCEEDED" and len(done["result"]["photos"]) == len(photos)
    (row,) = ml.rows(HINTS)
    assert row["result"]["signature"] == "new" and row["attempt"] == 2  # the lost claim, then this one
