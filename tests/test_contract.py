"""The public contract (ARCHITECTURE.md): every operation it names, with exactly the fields
it names, is a complete, valid query against the services' schemas. Renaming or reshaping
any of them breaks this test before it breaks a client."""

from __future__ import annotations

import pytest
from graphql import parse, validate

BFF_OPERATIONS = [
    'mutation { login(token: "t") { id name } }',
    "mutation { logout }",
    "{ me { id name } }",
    "{ workshop { id title phase classes { id name } } }",
    'mutation($f: Upload!) { uploadPhoto(classId: "c", file: $f) { id classId url width height } }',
    '{ photos(classId: "c") { id classId url width height } }',
    "{ photos { id } }",
    'mutation { deletePhoto(id: "p") }',
    "mutation { train { id status progress trainAccuracy testAccuracy } }",
    "mutation { train(mode: DEEP) { id } }",
    "{ trainingRuns { id status progress trainAccuracy testAccuracy } }",
    "mutation($f: Upload!) { predict(file: $f) { label classId confidence scores { classId label confidence } } }",
    'mutation { adminLogin(password: "p") }',
    'mutation { createWorkshop(title: "t", classes: ["a", "b"], groups: 3) { id } }',
    'mutation($f: Upload!) { uploadTestPhoto(classId: "c", file: $f) { id classId url width height } }',
    *[f'mutation {{ setPhase(workshopId: "w", phase: {p}) {{ id phase }} }}'
      for p in ("SETUP", "COLLECT", "TRAIN", "COMPETE", "CLOSED")],
    '{ scoreboard(workshopId: "w") { rank group { id name } testAccuracy photoCount status } }',
    "{ scoreboard { rank } }",
]

ML_OPERATIONS = [
    'mutation { startTraining(input: {runId: "r", classes: ["a", "b"], examples: [{uri: "u", label: "a"}],'
    " mode: QUICK}) { runId status progress epoch trainAccuracy error modelUri } }",
    'mutation { startTraining(input: {runId: "r", classes: ["a", "b"], examples: [], mode: DEEP}) { runId } }',
    '{ trainingJob(runId: "r") { runId status progress epoch trainAccuracy error modelUri } }',
    'mutation { predict(input: {runId: "r", imageUri: "u"}) { label confidence } }',
    'mutation { evaluate(input: {runId: "r", examples: [{uri: "u", label: "a"}]}) { accuracy perClass confusion } }',
    "{ health { device backbone } }",
]


@pytest.fixture(scope="module")
def bff_schema():
    from bff.schema import build_schema

    return build_schema().graphql_schema


@pytest.fixture(scope="module")
def ml_schema():
    from ml_api.schema import build_schema

    return build_schema().graphql_schema


@pytest.mark.parametrize("operation", BFF_OPERATIONS)
def test_bff_contract(bff_schema, operation):
    assert validate(bff_schema, parse(operation)) == []


@pytest.mark.parametrize("operation", ML_OPERATIONS)
def test_ml_api_contract(ml_schema, operation):
    assert validate(ml_schema, parse(operation)) == []


def test_a_wrong_shape_is_caught(bff_schema):
    """The check can fail: an unknown field or a missing selection is an error."""
    assert validate(bff_schema, parse("{ workshop { id nope } }"))
    assert validate(bff_schema, parse("{ scoreboard { group } }"))


# ---- the internal contract: what the BFF sends to the ML API --------------------------------
def test_every_query_the_bff_sends_is_valid_against_the_ml_api(ml_schema):
    """bff.ml_client holds every ML API operation the BFF sends: each one must be valid
    against the ML API's schema, so a renamed or removed field fails here, not in a workshop."""
    from bff.ml_client import OPERATIONS

    assert {"startTraining", "trainingJob", "trainingJobs", "predict", "evaluate", "health", "embedPhotos",
            "photoHints", "deleteJobs"} <= set(OPERATIONS)
    for name, operation in OPERATIONS.items():
        assert validate(ml_schema, parse(operation)) == [], name


def test_the_bff_reads_the_typed_error_code_of_a_job(ml_schema):
    """The reconciler maps the job's errorCode, never its message: the field must be there."""
    from bff.ml_client import JOB_FIELDS

    assert "errorCode" in JOB_FIELDS.split()
    assert validate(ml_schema, parse("{ trainingJob(runId: \"r\") { errorCode } }")) == []


def test_a_renamed_ml_field_is_caught(ml_schema):
    """The check can fail: the same operation with one field renamed is invalid."""
    from bff.ml_client import TRAINING_JOB

    assert validate(ml_schema, parse(TRAINING_JOB.replace("heartbeatAt", "heartbeat")))
