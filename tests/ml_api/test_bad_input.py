"""Bad input: each a typed GraphQL error (extensions.code), no crash, nothing written: no
job row and no object."""

from __future__ import annotations

import pytest

from tests.ml_api.helpers import (
    EMBED_PHOTOS,
    EVALUATE,
    HINTS,
    JOB,
    PREDICT,
    START,
    new_id,
    put_photos,
    texture_images,
)

CLASSES = ["brick", "grass"]


@pytest.fixture
def photos(ml):
    images, labels = texture_images(per_class=2, patch=64)
    return put_photos(ml.storage, images[:4], labels[:4])  # 2 brick, 2 grass


def start_error(ml, **fields):
    body = ml.gql(START, input=fields)
    assert body.get("errors") and body["data"] is None, body
    return body["errors"][0]


@pytest.mark.parametrize("case, expected", [
    ("one class", "at least 2 classes"),
    ("class without examples", "none for: gravel"),
    ("label not in classes", "label 'gravel' is not one of the classes"),
    ("unknown backbone", "unknown backbone 'resnet9000'"),
    ("uri outside storage", "is not an object URI inside"),
    ("bad run id", "runId must be"),
    ("too many epochs", "epochs must be between"),
    ("odd image size", "imageSize must be"),
])
def test_start_training_rejects_bad_input_and_writes_nothing(ml, photos, case, expected):
    examples = [p.example() for p in photos]
    fields = {"runId": new_id(), "classes": CLASSES, "examples": examples}
    if case == "one class":
        fields.update(classes=["brick"], examples=[e for e in examples if e["label"] == "brick"])
    elif case == "class without examples":
        fields.update(classes=[*CLASSES, "gravel"])
    elif case == "label not in classes":
        fields.update(examples=[*examples, {"uri": photos[0].uri, "label": "gravel"}])
    elif case == "unknown backbone":
        fields.update(backbone="resnet9000")
    elif case == "uri outside storage":
        fields.update(examples=[*examples, {"uri": "file:///etc/passwd", "label": "brick"}])
    elif case == "bad run id":
        fields.update(runId="../../etc")
    elif case == "too many epochs":
        fields.update(mode="DEEP", epochs=10_000)
    elif case == "odd image size":
        fields.update(mode="DEEP", imageSize=100)
    before = ml.stored_keys()
    error = start_error(ml, **fields)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert expected in error["message"]
    assert ml.rows() == []  # no job row...
    assert ml.stored_keys() == before  # ...and no object: nothing half-written


def test_unknown_run_is_not_found_everywhere(ml, photos):
    run_id = new_id()
    assert ml.error_code(JOB, runId=run_id) == "NOT_FOUND"
    assert ml.error_code(PREDICT, input={"runId": run_id, "imageUri": photos[0].uri}) == "NOT_FOUND"
    assert ml.error_code(EVALUATE, input={"runId": run_id, "examples": [photos[0].example()]}) == "NOT_FOUND"


def test_a_missing_photo_is_skipped_not_a_failure(make_ml, photos):
    """A photo deleted after the BFF sent the run (a child deleting while it trains) is left
    out; the run still trains on the rest (deleting must not fail the run)."""
    ml = make_ml(ml_gpu_concurrency=1)
    gone_uri = ml.storage.uri(f"photos/{new_id()}/{new_id()}.jpg")
    run_id = new_id()
    ml.start(run_id, CLASSES, [*(p.example() for p in photos), {"uri": gone_uri, "label": "grass"}])
    done = ml.wait(run_id, timeout=120)
    assert done["status"] == "SUCCEEDED" and done.get("errorCode") is None
    assert ml.service.queue.get(run_id)["result"]["skippedExamples"] == 1
    assert f"runs/{run_id}/model.pt" in ml.stored_keys()


@pytest.mark.parametrize("problem", ["corrupt"])
def test_bad_image_fails_the_job_naming_it_and_the_worker_goes_on(make_ml, photos, problem):
    ml = make_ml(ml_gpu_concurrency=1)  # one worker: a hung job would block the next one
    bad_key = f"photos/{new_id()}/{new_id()}.jpg"
    ml.storage.put_bytes(bad_key, b"\xff\xd8\xff\xe0 this is not really a JPEG")
    bad_uri = ml.storage.uri(bad_key)
    examples = [p.example() for p in photos]
    bad_run, good_run = new_id(), new_id()
    ml.start(bad_run, CLASSES, [*examples, {"uri": bad_uri, "label": "grass"}])
    ml.start(good_run, CLASSES, examples)

    failed = ml.wait(bad_run, timeout=120)
    assert failed["status"] == "FAILED" and failed["errorCode"] == "PHOTO_UNREADABLE"  # typed, for the BFF
    assert bad_uri in failed["error"]
    assert "cannot decode" in failed["error"]
    assert f"runs/{bad_run}/model.pt" not in ml.stored_keys()
    assert ml.wait(good_run, timeout=120)["status"] == "SUCCEEDED"

    # predict/evaluate on a failed run: a precondition, not a crash.
    assert ml.error_code(PREDICT, input={"runId": bad_run, "imageUri": photos[0].uri}) == "FAILED_PRECONDITION"
    # ... and bad images given to predict/evaluate of a good run are named too.
    body = ml.gql(PREDICT, input={"runId": good_run, "imageUri": bad_uri})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and bad_uri in body["errors"][0]["message"]
    body = ml.gql(EVALUATE, input={"runId": good_run, "examples": [{"uri": photos[0].uri, "label": "gravel"}]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_predict_before_the_run_finished_is_a_failed_precondition(ml, photos):
    run_id = new_id()
    job = ml.start(run_id, CLASSES, [p.example() for p in photos], mode="DEEP", epochs=3, imageSize=64)
    assert job["status"] in ("QUEUED", "RUNNING")
    body = ml.gql(PREDICT, input={"runId": run_id, "imageUri": photos[0].uri})
    assert body["errors"][0]["extensions"]["code"] == "FAILED_PRECONDITION"
    assert "has not succeeded" in body["errors"][0]["message"]
    assert ml.error_code(EVALUATE, input={"runId": run_id, "examples": [photos[0].example()]}) \
        == "FAILED_PRECONDITION"
    ml.wait(run_id)


def test_repeated_start_training_returns_the_same_run(ml, photos):
    run_id = new_id()
    examples = [p.example() for p in photos]
    first = ml.start(run_id, CLASSES, examples, mode="DEEP", epochs=2, imageSize=64)
    again = ml.start(run_id, CLASSES, examples, mode="DEEP", epochs=2, imageSize=64)
    # (attempt 0 while queued, 1 once a worker claimed it)
    assert again["runId"] == run_id and first["attempt"] <= again["attempt"] <= 1
    assert [row["id"] for row in ml.rows()] == [run_id]  # one row, however often it is sent
    done = ml.wait(run_id)
    assert done["status"] == "SUCCEEDED" and done["attempt"] == 1
    finished_again = ml.start(run_id, CLASSES, examples, mode="DEEP", epochs=2, imageSize=64)
    assert finished_again == done  # a finished run is returned as it is, not retrained


@pytest.mark.parametrize("case", ["bad runId", "too many runIds"])
def test_bad_job_queries_are_typed_errors(ml, case):
    query = "query($ids: [ID!]!) { trainingJobs(runIds: $ids) { runId } }"
    ids = ["../x"] if case == "bad runId" else [new_id() for _ in range(2001)]
    assert ml.error_code(query, ids=ids) == "BAD_USER_INPUT"
    assert ml.data(query, ids=[new_id()])["trainingJobs"] == []  # unknown ids are left out


@pytest.mark.parametrize("case", ["hints: label not in classes", "hints: uri outside storage", "hints: no examples",
                                  "hints: unknown backbone", "hints: repeated class", "embed: uri outside storage",
                                  "embed: unknown backbone", "delete: empty scope"])
def test_bad_background_requests_write_no_row_and_no_object(ml, photos, case):
    """The queue has no size limit to hit (a request is one row, the workers take them in
    turn); what it guarantees is that a refused request leaves nothing behind."""
    hints = {"key": new_id(), "signature": "s1", "examples": [p.example() for p in photos]}
    if case == "hints: label not in classes":
        operation, variables = HINTS, {"input": {**hints, "classes": ["grass"]}}
    elif case == "hints: uri outside storage":
        operation, variables = HINTS, {"input": {**hints, "examples": [{"uri": "file:///etc/passwd", "label": "a"}]}}
    elif case == "hints: no examples":
        operation, variables = HINTS, {"input": {**hints, "examples": []}}
    elif case == "hints: unknown backbone":
        operation, variables = HINTS, {"input": {**hints, "backbone": "nope"}}
    elif case == "hints: repeated class":
        operation, variables = HINTS, {"input": {**hints, "classes": ["brick", "grass", "brick"]}}
    elif case == "embed: uri outside storage":
        operation, variables = EMBED_PHOTOS, {"input": {"uris": [photos[0].uri, "file:///etc/passwd"]}}
    elif case == "embed: unknown backbone":
        operation, variables = EMBED_PHOTOS, {"input": {"uris": [photos[0].uri], "backbone": "nope"}}
    else:
        operation, variables = "mutation($s: String!) { deleteJobs(scope: $s) }", {"s": ""}
    before = ml.stored_keys()
    assert ml.error_code(operation, **variables) == "BAD_USER_INPUT"
    assert ml.rows() == [] and ml.stored_keys() == before


def test_a_purged_workshop_takes_no_job_and_writes_nothing(ml, photos):
    """A request still on its way when its workshop was purged (deleteJobs) is refused."""
    scope = new_id()
    assert ml.data("mutation($s: String!) { deleteJobs(scope: $s) }", s=scope)["deleteJobs"] == 0
    before = ml.stored_keys()
    examples = [p.example() for p in photos]
    assert ml.error_code(START, input={"runId": new_id(), "classes": CLASSES, "examples": examples,
                                       "scope": scope}) == "BAD_USER_INPUT"
    assert ml.error_code(HINTS, input={"key": new_id(), "signature": "s", "examples": examples,
                                       "scope": scope}) == "BAD_USER_INPUT"
    assert ml.error_code(EMBED_PHOTOS, input={"uris": [p.uri for p in photos], "scope": scope}) == "BAD_USER_INPUT"
    assert ml.rows() == [] and ml.stored_keys() == before
