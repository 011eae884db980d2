"""The ML API's request limits are sized by what the requests carry: its
callers are the BFF only, and its largest requests are lists of example URIs. The cap is
the most examples a request may carry (PICTOLAB_MAX_PHOTOS_PER_CLASS x the most classes for
startTraining, PICTOLAB_MAX_TEST_PHOTOS for evaluate) x the bytes of one example."""

from __future__ import annotations

from pictolab.settings import MAX_CLASSES_PER_WORKSHOP
from tests.ml_api.helpers import EVALUATE, new_id

RUN_FIELDS = "mutation($input: StartTrainingInput!) { startTraining(input: $input) { runId status } }"


def examples(ml, count: int, classes: list[str]) -> list[dict]:
    """Examples with the URIs the BFF sends (photos/<workshopId>/<photoId>.jpg in storage)."""
    workshop = new_id()
    return [{"uri": ml.storage.uri(f"photos/{workshop}/{new_id()}.jpg"), "label": classes[i % len(classes)]}
            for i in range(count)]


def post(ml, query: str, **variables):
    return ml.client.post("/graphql", json={"query": query, "variables": variables})


def test_evaluate_takes_a_real_hidden_test_set(ml):
    """4 classes x 100 hidden test photos: over 64 KB of URIs. Refused today with 413; now it
    reaches the resolver (which answers NOT_FOUND: no such run)."""
    classes = [new_id() for _ in range(4)]
    body = {"runId": new_id(), "examples": examples(ml, 400, classes)}
    response = post(ml, EVALUATE, input=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_start_training_takes_the_most_photos_a_group_may_have(ml):
    settings = ml.app.config["SETTINGS"]
    classes = [new_id() for _ in range(MAX_CLASSES_PER_WORKSHOP)]
    count = settings.max_photos_per_class * len(classes)  # 20 x 60 = 1200
    response = post(ml, RUN_FIELDS, input={"runId": new_id(), "classes": classes,
                                           "examples": examples(ml, count, classes)})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["data"]["startTraining"]["status"] in ("QUEUED", "RUNNING", "FAILED")


def test_a_request_beyond_what_any_workshop_sends_is_still_refused(ml):
    settings = ml.app.config["SETTINGS"]
    classes = [new_id() for _ in range(4)]
    count = settings.ml_max_request_bytes // 150  # each example here is ~190 bytes of JSON
    response = post(ml, EVALUATE, input={"runId": new_id(), "examples": examples(ml, count, classes)})
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
