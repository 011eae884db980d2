"""The ML API GraphQL for why the AI answers what it answers: predict's heatmap,
trainingJob.analysis (confusing photos, per-class sureness) kept in a successful run's row, and
photoHints as a job (ask, then ask again until it succeeded), with typed errors."""

from __future__ import annotations

from PIL import ImageEnhance

from pictolab.contract.storage_keys import run_prefix
from tests.ml_api.helpers import HINTS, new_id, put_photos, texture_images

ANALYSIS = ("query($runId: ID!) { trainingJob(runId: $runId) { status analysis { method folds threshold "
            "confusing { uri label predicted confidence } perClass { label count sure accuracy } } } }")
PREDICT_HEATMAP = ("mutation($input: PredictInput!) { predict(input: $input) { label confidence "
                   "heatmap { width height values } } }")


def test_a_run_stores_its_analysis_and_predict_sends_a_heatmap(ml):
    images, labels = texture_images(per_class=6, patch=96)
    photos = put_photos(ml.storage, images, labels)
    culprit = next(p for p in photos if p.label == "grass")
    examples = [{"uri": p.uri, "label": "brick" if p is culprit else p.label} for p in photos]
    classes = ["brick", "grass", "gravel"]
    run_id = new_id()
    assert ml.wait(ml.start(run_id, classes, examples)["runId"])["status"] == "SUCCEEDED"

    # The analysis is a column of the run's row: nothing of it is written to storage.
    assert list(ml.storage.list(run_prefix(run_id))) == [f"runs/{run_id}/model.pt"]
    assert ml.service.queue.get(run_id)["result"]["analysis"]["folds"] == 5
    job = ml.data(ANALYSIS, runId=run_id)["trainingJob"]
    analysis = job["analysis"]
    assert analysis["folds"] == 5 and "cross-validation" in analysis["method"]
    assert [c["uri"] for c in analysis["confusing"]] == [culprit.uri]
    assert analysis["confusing"][0]["label"] == "brick" and analysis["confusing"][0]["predicted"] == "grass"
    assert analysis["confusing"][0]["confidence"] >= analysis["threshold"]
    assert [(c["label"], c["count"]) for c in analysis["perClass"]] == [("brick", 7), ("grass", 5), ("gravel", 6)]
    assert all(0 <= c["sure"] <= 1 for c in analysis["perClass"])

    prediction = ml.data(PREDICT_HEATMAP, input={"runId": run_id, "imageUri": photos[-1].uri})["predict"]
    heatmap = prediction["heatmap"]
    assert heatmap["width"] >= 7 and heatmap["height"] >= 7
    assert len(heatmap["values"]) == heatmap["width"] * heatmap["height"]
    assert all(0 <= v <= 1 for v in heatmap["values"]) and max(heatmap["values"]) == 1


def test_no_analysis_before_success(ml):
    photos = put_photos(ml.storage, *texture_images(per_class=2, patch=64))
    ml.storage.put_bytes(photos[0].key, b"not a photo", "image/jpeg")
    run_id = new_id()
    assert ml.wait(ml.start(run_id, ["brick", "grass", "gravel"], [p.example() for p in photos])["runId"])[
        "status"] == "FAILED"
    assert ml.data(ANALYSIS, runId=run_id)["trainingJob"]["analysis"] is None
    assert (ml.service.queue.get(run_id)["result"] or {}).get("analysis") is None
    assert list(ml.storage.list(run_prefix(run_id))) == []


def test_photo_hints(ml):
    images, labels = texture_images(per_class=3, patch=200)
    images[0] = ImageEnhance.Brightness(images[0]).enhance(0.15)
    images.append(images[1].copy())  # the same photo uploaded twice
    labels.append(labels[1])
    photos = put_photos(ml.storage, images, labels)
    examples = [p.example() for p in photos]
    classes = ["brick", "grass", "gravel", "sand"]
    key = new_id()
    job = ml.hints(key, "set-1", examples, classes=classes)
    assert (job["key"], job["signature"], job["result"]) == (key, "set-1", None)
    assert job["status"] in ("QUEUED", "RUNNING")  # a background job: answered at once
    job = ml.wait_hints(key, "set-1", examples, classes=classes)
    assert job["status"] == "SUCCEEDED" and job["error"] is None, job
    result = job["result"]
    codes = {row["uri"]: row["codes"] for row in result["photos"]}
    assert [row["uri"] for row in result["photos"]] == [p.uri for p in photos]
    assert "TOO_DARK" in codes[photos[0].uri]
    assert "NEAR_DUPLICATE" in codes[photos[1].uri] and "NEAR_DUPLICATE" in codes[photos[-1].uri]
    assert result["photos"][1]["duplicateOf"] == [photos[-1].uri]
    assert result["classPairs"] == []  # brick, grass and gravel do not look alike

    # Typed errors: a label outside the classes, a URI outside storage, no examples, an unknown backbone.
    assert ml.error_code(HINTS, input={"key": key, "signature": "x", "examples": [photos[0].example()],
                                       "classes": ["grass"]}) == "BAD_USER_INPUT"
    assert ml.error_code(HINTS, input={"key": key, "signature": "x",
                                       "examples": [{"uri": "file:///etc/passwd", "label": "a"}]}) == "BAD_USER_INPUT"
    assert ml.error_code(HINTS, input={"key": key, "signature": "x", "examples": []}) == "BAD_USER_INPUT"
    assert ml.error_code(HINTS, input={"key": key, "signature": "x", "examples": [photos[0].example()],
                                       "backbone": "nope"}) == "BAD_USER_INPUT"
    # None of them touched the job: it still answers its photo set.
    assert ml.hints(key, "set-1", examples, classes=classes) == job

    # A photo missing from storage is found by the job, which fails naming it (the BFF asks
    # again with its new photo set).
    missing = ml.storage.uri("photos/nowhere/gone.jpg")
    failed = ml.wait_hints(new_id(), "gone", [{"uri": missing, "label": "a"}])
    assert failed["status"] == "FAILED" and missing in failed["error"] and failed["result"] is None
