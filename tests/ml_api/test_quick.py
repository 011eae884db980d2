"""QUICK mode end to end through GraphQL on real image data: accuracy against scikit-learn's
LogisticRegression on the very embeddings the service cached, and what lands in storage."""

from __future__ import annotations

import io

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ml_api.data import content_hash
from pictolab.contract import storage_keys
from tests.ml_api.helpers import EVALUATE, PREDICT, digit_images, new_id, put_photos, split, texture_images

TRAIN_PER_CLASS = 10


def cached_embeddings(storage, photos, backbone="efficientnet_lite0") -> np.ndarray:
    """Read back the .npy files the service wrote: the baseline uses exactly its features."""
    vectors = []
    for photo in photos:
        key = storage_keys.embedding_key(photo.key, backbone, content_hash(storage.get_bytes(photo.key)))
        vectors.append(np.load(io.BytesIO(storage.get_bytes(key))))
    return np.stack(vectors)


@pytest.mark.parametrize("dataset", ["digits", "textures"])
def test_quick_matches_logistic_regression_baseline(ml, dataset):
    images, labels = digit_images(per_class=22) if dataset == "digits" else texture_images(per_class=22)
    photos = put_photos(ml.storage, images, labels)
    train, held_out = split(photos, TRAIN_PER_CLASS)
    classes = sorted(set(labels))
    run_id = new_id()

    job = ml.start(run_id, classes, [p.example() for p in train])
    assert job["runId"] == run_id and job["status"] in ("QUEUED", "RUNNING") and job["mode"] == "QUICK"
    job = ml.wait(run_id)
    assert job["status"] == "SUCCEEDED", job["error"]
    assert job["progress"] == 1.0 and job["modelUri"] == ml.storage.uri(f"runs/{run_id}/model.pt")
    assert job["trainAccuracy"] >= 0.9

    evaluation = ml.data(EVALUATE, input={"runId": run_id, "examples": [p.example() for p in held_out]})["evaluate"]
    truth = [classes.index(p.label) for p in held_out]

    # The baseline: LogisticRegression on the same frozen embeddings (evaluate cached the held-out ones).
    x_train, x_test = cached_embeddings(ml.storage, train), cached_embeddings(ml.storage, held_out)
    baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    baseline.fit(x_train, [classes.index(p.label) for p in train])
    baseline_accuracy = baseline.score(x_test, truth)

    # ... and the plain probe: LogisticRegression(C=1) on the raw features (the baseline QUICK must beat).
    probe = LogisticRegression(C=1.0, max_iter=5000).fit(x_train, [classes.index(p.label) for p in train])
    probe_accuracy = probe.score(x_test, truth)

    accuracy = evaluation["accuracy"]
    chance = 1 / len(classes)
    print(f"{dataset}: QUICK {accuracy:.3f}, LogisticRegression {baseline_accuracy:.3f}, "
          f"raw probe {probe_accuracy:.3f}, chance {chance:.3f}")
    assert accuracy >= baseline_accuracy - 0.02
    assert accuracy >= probe_accuracy - 0.02  # i.e. not one held-out photo (of 36-48) fewer
    assert accuracy >= chance + 0.3

    # The evaluation is self-consistent: labels in the run's order, confusion rows = true labels.
    assert evaluation["labels"] == classes
    confusion = np.array(evaluation["confusion"])
    assert confusion.shape == (len(classes), len(classes)) and confusion.sum() == len(held_out)
    assert [c["count"] for c in evaluation["perClass"]] == confusion.sum(1).tolist()
    assert accuracy == pytest.approx(np.trace(confusion) / len(held_out))
    assert len(evaluation["misclassified"]) == len(held_out) - np.trace(confusion)

    # predict answers with the label of the highest score, scores sorted descending.
    prediction = ml.data(PREDICT, input={"runId": run_id, "imageUri": held_out[0].uri})["predict"]
    confidences = [s["confidence"] for s in prediction["scores"]]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) == pytest.approx(1, abs=1e-4)
    assert prediction["label"] == prediction["scores"][0]["label"]
    assert sorted(s["label"] for s in prediction["scores"]) == classes


def test_quick_writes_run_files_and_reuses_cached_embeddings(ml):
    images, labels = texture_images(per_class=4)
    photos = put_photos(ml.storage, images, labels)
    classes = sorted(set(labels))
    first, second = new_id(), new_id()

    assert ml.wait(ml.start(first, classes, [p.example() for p in photos])["runId"])["status"] == "SUCCEEDED"
    keys = set(ml.stored_keys())
    # The job's state lives in its queue row: the run's folder holds the model alone.
    assert {k for k in keys if k.startswith("runs/")} == {f"runs/{first}/model.pt"}
    cache = sorted(k for k in keys if k.startswith("cache/"))
    # One embedding per photo, under the photo's own key (the BFF deletes it by that prefix).
    assert cache == sorted(
        storage_keys.embedding_key(p.key, "efficientnet_lite0", content_hash(ml.storage.get_bytes(p.key)))
        for p in photos)
    assert all(len(list(ml.storage.list(storage_keys.embeddings_prefix(p.key)))) == 1 for p in photos)

    ml.wait(ml.start(second, classes, [p.example() for p in photos])["runId"])
    row = ml.service.queue.get(second)
    assert row["status"] == "SUCCEEDED"
    timings = row["result"]["timings"]
    assert "embed" not in timings and timings["cache_read"] > 0  # nothing recomputed
    assert sorted(k for k in ml.stored_keys() if k.startswith("cache/")) == cache

    # The saved model has everything needed to serve it.
    import torch

    saved = torch.load(io.BytesIO(ml.storage.get_bytes(f"runs/{first}/model.pt")), weights_only=True)
    assert saved["backbone"] == "efficientnet_lite0" and saved["preset"] == "lite-224"
    assert saved["classes"] == classes and saved["mode"] == "QUICK"
    assert set(saved["head"]) == {"mean", "std", "linear.weight", "linear.bias"}


def test_quick_on_gcs_through_the_real_client(make_ml, gcs_storage_url):
    """The same job on the GCS backend (google-cloud-storage against the emulator)."""
    ml = make_ml(gcs_storage_url)
    images, labels = texture_images(per_class=3, patch=64)
    photos = put_photos(ml.storage, images, labels)
    assert photos[0].uri.startswith("gs://pictolab-test/")
    run_id = new_id()
    job = ml.wait(ml.start(run_id, sorted(set(labels)), [p.example() for p in photos])["runId"])
    assert job["status"] == "SUCCEEDED", job["error"]
    assert job["modelUri"] == f"{gcs_storage_url}/runs/{run_id}/model.pt"
    assert len([k for k in ml.stored_keys() if k.startswith("cache/embeddings/")]) == len(photos)
    prediction = ml.data(PREDICT, input={"runId": run_id, "imageUri": photos[0].uri})["predict"]
    assert prediction["label"] in labels
