"""DEEP mode on the CPU with tiny images (imageSize 64) so it runs in seconds: fine-tuning,
per-epoch checkpoints, a graceful stop that checkpoints, resume from the checkpoint."""

from __future__ import annotations

import io
import time

import torch

from tests.ml_api.helpers import EVALUATE, PREDICT, new_id, put_photos, texture_images

SMALL = 64


def texture_photos(ml, per_class=4):
    images, labels = texture_images(per_class=per_class, patch=96)
    keep = [i for i, label in enumerate(labels) if label in ("brick", "grass")]
    return put_photos(ml.storage, [images[i] for i in keep], [labels[i] for i in keep])


def test_deep_trains_checkpoints_and_serves(ml):
    photos = texture_photos(ml)
    run_id = new_id()
    job = ml.start(run_id, ["brick", "grass"], [p.example() for p in photos], mode="DEEP", epochs=2,
                   imageSize=SMALL)
    assert job["mode"] == "DEEP" and job["epochs"] == 2
    job = ml.wait(run_id)
    assert job["status"] == "SUCCEEDED", job["error"]
    assert job["epoch"] == 2 and job["epochsRun"] == 2 and job["resumedFromEpoch"] is None
    keys = set(ml.stored_keys())
    assert f"runs/{run_id}/model.pt" in keys
    assert f"runs/{run_id}/checkpoint.pt" not in keys  # superseded by the model

    saved = torch.load(io.BytesIO(ml.storage.get_bytes(f"runs/{run_id}/model.pt")), weights_only=True)
    assert saved["mode"] == "DEEP" and saved["imageSize"] == SMALL and saved["classes"] == ["brick", "grass"]
    assert any(k.startswith("features.") for k in saved["weights"]) and "head.weight" in saved["weights"]

    prediction = ml.data(PREDICT, input={"runId": run_id, "imageUri": photos[0].uri})["predict"]
    assert {s["label"] for s in prediction["scores"]} == {"brick", "grass"}
    evaluation = ml.data(EVALUATE, input={"runId": run_id, "examples": [p.example() for p in photos]})["evaluate"]
    assert sum(map(sum, evaluation["confusion"])) == len(photos)


def test_stop_checkpoints_releases_and_another_replica_resumes(make_ml):
    first = make_ml()
    photos = texture_photos(first, per_class=6)
    run_id, epochs = new_id(), 6
    examples = [p.example() for p in photos]
    first.start(run_id, ["brick", "grass"], examples, mode="DEEP", epochs=epochs, imageSize=SMALL)
    deadline = time.monotonic() + 120
    while (first.job(run_id)["epoch"] or 0) < 1:
        assert time.monotonic() < deadline, first.job(run_id)
        time.sleep(0.05)

    first.service.workers.request_stop()  # what the SIGTERM handler does
    while first.service.workers.active_ids():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stopped = first.job(run_id)
    # Released: queued again at once (no lease to wait out), shown as interrupted.
    assert stopped["status"] == "QUEUED" and stopped["interrupted"] is True, stopped
    assert first.service.queue.get(run_id)["claim"] is None
    checkpoint = torch.load(io.BytesIO(first.storage.get_bytes(f"runs/{run_id}/checkpoint.pt")),
                            weights_only=True)
    assert 1 <= checkpoint["epoch"] < epochs
    assert set(checkpoint) >= {"model", "optimizer", "scheduler", "epoch", "classes", "args"}
    assert checkpoint["classes"] == ["brick", "grass"]

    # A second replica on the same queue and storage pulls the run and resumes it from the
    # checkpoint; asking it to start the run again changes nothing (idempotent).
    second = make_ml(first.storage.url)
    again = second.start(run_id, ["brick", "grass"], examples, mode="DEEP", epochs=epochs, imageSize=SMALL)
    assert again["runId"] == run_id
    done = second.wait(run_id)
    assert done["status"] == "SUCCEEDED", done["error"]
    assert done["attempt"] == 2 and done["worker"] == second.service.worker
    assert done["resumedFromEpoch"] == checkpoint["epoch"]
    assert done["epochsRun"] == epochs - checkpoint["epoch"] < epochs
    assert done["epoch"] == epochs


def test_a_run_purged_while_training_stops_and_leaves_nothing(make_ml):
    """The BFF's purge deletes the workshop's jobs (deleteJobs), then its objects, while the
    job trains: the job learns it at its next lease renewal or write, stops, writes nothing
    more and removes what it wrote."""
    ml = make_ml(ml_lease_seconds=0.6)  # renewals every 0.2 s
    photos = texture_photos(ml, per_class=6)
    run_id, scope = new_id(), new_id()
    ml.start(run_id, ["brick", "grass"], [p.example() for p in photos], mode="DEEP", epochs=50, imageSize=SMALL,
             scope=scope)
    deadline = time.monotonic() + 120
    while (ml.job(run_id)["epoch"] or 0) < 1:
        assert time.monotonic() < deadline, ml.job(run_id)
        time.sleep(0.05)
    # What bff.workshops.purge_workshop does: the jobs first, then the objects.
    assert ml.data("mutation($s: String!) { deleteJobs(scope: $s) }", s=scope)["deleteJobs"] == 1
    workshop_folder = photos[0].key.rsplit("/", 1)[0]
    ml.storage.delete_prefix(workshop_folder)
    ml.storage.delete_prefix(f"runs/{run_id}")
    while ml.service.workers.active_ids():
        assert time.monotonic() < deadline, "the purged job kept running"
        time.sleep(0.05)
    time.sleep(0.5)  # a late write would land now
    assert [k for k in ml.stored_keys() if k.startswith(f"runs/{run_id}")] == []
    assert [k for k in ml.stored_keys() if workshop_folder in k] == []
    assert ml.service.queue.get(run_id) is None
    # The purged workshop cannot bring the run back.
    assert ml.error_code("mutation($i: StartTrainingInput!) { startTraining(input: $i) { runId } }",
                         i={"runId": run_id, "classes": ["brick", "grass"], "scope": scope,
                            "examples": [p.example() for p in photos]}) == "BAD_USER_INPUT"
