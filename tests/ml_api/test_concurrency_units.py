"""Which operations count as heavy, and the limiter inside the real ML API app."""

from __future__ import annotations

import pytest

from ml_api.concurrency import HeavyRequestLimiter, heavy_fields


@pytest.mark.parametrize("payload, heavy", [
    ({"query": '{ evaluate(input: {runId: "r", examples: []}) { accuracy } }'}, {"evaluate"}),
    ({"query": 'query P { predict(input: {runId: "r", imageUri: "u"}) { label } }'}, {"predict"}),
    ({"query": '{ trainingJob(runId: "r") { status } health { device } }'}, set()),
    ({"query": 'mutation { startTraining(input: {runId: "r"}) { status } }'}, set()),
    ([{"query": "{ health { device } }"}, {"query": "{ predict { label } }"}], {"predict"}),
    ({"query": "{ evaluate("}, set()),  # a syntax error is the GraphQL view's to answer
    (None, set()),
    ({"query": 42}, set()),
])
def test_heavy_fields(payload, heavy):
    assert heavy_fields(payload) == heavy


def test_limiter_slots():
    limiter = HeavyRequestLimiter(2)
    assert limiter.try_acquire() and limiter.try_acquire()
    assert not limiter.try_acquire()
    limiter.release()
    assert limiter.try_acquire()
    with pytest.raises(ValueError):
        HeavyRequestLimiter(0)


def test_the_ml_api_refuses_a_heavy_request_over_the_limit_and_frees_its_slot(tmp_path):
    from ml_api import create_app

    app = create_app({"ML_LOAD_BACKBONE": False, "ML_HANDLE_SIGNALS": False, "ML_MAX_HEAVY_REQUESTS": 1,
                      "data_dir": tmp_path, "ml_device": "cpu"})
    limiter = app.extensions["ml_api.limiter"]
    assert limiter.limit == 1
    client = app.test_client()
    query = {"query": '{ evaluate(input: {runId: "nope", examples: []}) { accuracy } }'}
    assert limiter.try_acquire()  # another request holds the only slot
    response = client.post("/graphql", json=query)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.get_json()["errors"][0]["extensions"]["code"] == "BUSY"
    assert client.get("/healthz").status_code == 200
    limiter.release()
    response = client.post("/graphql", json=query)
    assert response.status_code != 503  # runs (and fails on its own input), then frees the slot
    assert limiter.try_acquire()
    limiter.release()
