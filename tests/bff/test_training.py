"""train / trainingRuns / predict / scoreboard / experimentLog in the BFF, against a real
ML API process (one per module: it loads the backbone once) sharing the storage folder."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bff.models import Phase, RunStatus, TrainingRun
from bff.training import RunReconciler
from tests.bff.helpers import GraphQLClient, admin_login, login, set_phase
from tests.datasets import TEXTURES, texture_jpegs
from tests.services import ServiceProcess, base_env

TRAIN = "mutation($mode: TrainingMode) { train(mode: $mode) { id status progress trainAccuracy testAccuracy error } }"
RUNS = "{ trainingRuns { id status progress trainAccuracy testAccuracy photoCount error errorCode } }"
PREDICT = "mutation($file: Upload!) { predict(file: $file) { label classId confidence scores { classId label confidence } } }"
SCOREBOARD = "query($w: ID) { scoreboard(workshopId: $w) { rank group { id name } testAccuracy photoCount status } }"
UPLOAD = "mutation($classId: ID!, $file: Upload!) { uploadPhoto(classId: $classId, file: $file) { id } }"
UPLOAD_TEST = "mutation($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id } }"


@pytest.fixture(scope="module")
def shared_storage(tmp_path_factory):
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(scope="module")
def ml_service(tmp_path_factory, shared_storage):
    data_dir = tmp_path_factory.mktemp("ml")
    env = base_env(data_dir, PICTOLAB_STORAGE_URL=shared_storage.as_uri())
    with ServiceProcess("ml-api", env, ready_timeout=240) as service:
        yield service


@pytest.fixture
def loop_app(make_app, shared_storage, ml_service):
    return make_app(storage_url=shared_storage.as_uri(), ml_api_url=ml_service.url, min_photos_per_class=3)


@pytest.fixture
def new_client(loop_app):
    """Clients (each its own cookie jar: a group's iPad, the instructor's laptop) of loop_app."""
    return lambda: GraphQLClient(loop_app.test_client())


def workshop_with_photos(app, client_factory, per_class=4, phase=Phase.TRAIN, seed=0, mislabel=False):
    """A workshop with the three textures as classes, one group logged in with photos."""
    from tests.bff.helpers import workshop_on

    summary = workshop_on(app, Phase.COLLECT)
    classes = {c["name"]: c["id"] for c in summary["classes"]}
    group_client = client_factory()
    login(group_client, summary["groups"][0]["token"])
    names = list(classes)
    for i, texture in enumerate(TEXTURES):
        label = names[(i + 1) % len(names)] if mislabel else names[i]
        for jpeg in texture_jpegs(texture, per_class, seed=seed + i):
            group_client.upload(UPLOAD, {"classId": classes[label]}, {"file": (jpeg, "p.jpg", "image/jpeg")})
    set_phase(app, summary["id"], phase)
    return summary, classes, group_client


@pytest.fixture
def three_textures(loop_app, new_client):
    """A TRAIN-phase workshop whose first group photographed the three textures."""
    def _make(**kwargs):
        return workshop_with_photos(loop_app, new_client, **kwargs)
    return _make


def drive(app, until, timeout=120.0):
    """Run the reconciler (no background thread in tests) until ``until()`` holds."""
    reconciler: RunReconciler = app.extensions["pictolab.reconciler"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            reconciler.run_once()
        value = until()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not reached")


def latest_run(client):
    runs = client.data(RUNS)["trainingRuns"]
    return runs[0] if runs else None


def upload_test_photos(app, admin, classes, per_class=4, seed=100) -> list[str]:
    ids = []
    for i, texture in enumerate(TEXTURES):
        for jpeg in texture_jpegs(texture, per_class, seed=seed + i):
            body = admin.upload(UPLOAD_TEST, {"classId": classes[texture_name(classes, i)]},
                                {"file": (jpeg, "t.jpg", "image/jpeg")}).get_json()
            ids.append(body["data"]["uploadTestPhoto"]["id"])
    return ids


def texture_name(classes, index):
    return list(classes)[index]


def test_quick_run_is_trained_scored_ranked_and_tried(loop_app, three_textures, new_client):
    summary, classes, group = three_textures(per_class=8)
    admin = new_client()
    admin_login(admin)
    test_photo_ids = upload_test_photos(loop_app, admin, classes)
    # Hidden test photos never reach a group.
    assert group.http.get(f"/media/photos/{test_photo_ids[0]}").status_code == 404

    # Two taps at once (two threads, as two gunicorn workers would) make one run.
    with ThreadPoolExecutor(2) as pool:
        taps = list(pool.map(lambda _: group.data(TRAIN, mode="QUICK")["train"], range(2)))
    run = taps[0]
    assert run["status"] == "QUEUED" and taps[1]["id"] == run["id"]
    assert len(group.data(RUNS)["trainingRuns"]) == 1

    seen = []

    def finished():
        current = latest_run(group)
        seen.append(current["progress"])
        return current if current["status"] in ("SUCCEEDED", "FAILED") else None

    done = drive(loop_app, finished)
    assert done["status"] == "SUCCEEDED", done["error"]
    assert done["progress"] == 1.0 and done["photoCount"] == 24
    assert done["testAccuracy"] is not None and done["testAccuracy"] >= 0.9
    assert seen == sorted(seen)  # the bar never goes backwards

    # Try it: a new brick crop is a brick; nothing of the photo is kept.
    brick = texture_jpegs("brick", 1, seed=999)[0]
    prediction = group.upload(PREDICT, {}, {"file": (brick, "try.jpg", "image/jpeg")}).get_json()["data"]["predict"]
    assert prediction["label"] == list(classes)[0] and prediction["classId"] == classes[list(classes)[0]]
    assert len(prediction["scores"]) == 3 and abs(sum(s["confidence"] for s in prediction["scores"]) - 1) < 1e-3
    assert list(loop_app.extensions["pictolab.storage"].list("tmp")) == []

    # Groups see the ranking in COMPETE only; instructors always.
    assert group.error_code(SCOREBOARD) == "FAILED_PRECONDITION"
    rows = admin.data(SCOREBOARD, w=summary["id"])["scoreboard"]
    assert rows[0]["group"]["id"] == summary["groups"][0]["id"] and rows[0]["rank"] == 1
    assert rows[0]["testAccuracy"] == done["testAccuracy"] and rows[0]["photoCount"] == 24
    assert rows[1]["testAccuracy"] is None and rows[1]["status"] == "NOT_TRAINED"
    set_phase(loop_app, summary["id"], Phase.COMPETE)
    assert group.data(SCOREBOARD)["scoreboard"][0]["group"]["name"] == rows[0]["group"]["name"]

    log = admin.data("query($w: ID!) { experimentLog(workshopId: $w) { runId mode photoCount testAccuracy } }",
                     w=summary["id"])["experimentLog"]
    assert log == [{"runId": run["id"], "mode": "QUICK", "photoCount": 24, "testAccuracy": done["testAccuracy"]}]
    detail = admin.data("""query($g: ID!) { groupDetail(groupId: $g) { photosPerClass { classId count }
        runs { id labels confusion misclassified { photoId } } } }""", g=summary["groups"][0]["id"])["groupDetail"]
    assert [c["count"] for c in detail["photosPerClass"]] == [8, 8, 8]
    confusion = detail["runs"][0]["confusion"]
    assert sum(map(sum, confusion)) == 12  # every hidden test photo counted once
    assert detail["runs"][0]["labels"] == [classes[name] for name in classes]


def test_new_test_photos_rescore_finished_runs(loop_app, three_textures, new_client, db_session):
    summary, classes, group = three_textures(per_class=3)
    admin = new_client()
    admin_login(admin)
    run = group.data(TRAIN)["train"]
    done = drive(loop_app, lambda: (r := latest_run(group))["status"] == "SUCCEEDED" and r)
    assert done["testAccuracy"] is None  # no hidden test photos yet
    upload_test_photos(loop_app, admin, classes, per_class=2)
    rescored = drive(loop_app, lambda: latest_run(group)["testAccuracy"] is not None and latest_run(group))
    assert rescored["id"] == run["id"] and 0.0 <= rescored["testAccuracy"] <= 1.0


def test_ml_api_down_keeps_the_run_queued_then_it_runs(loop_app, three_textures, ml_service, db_session):
    summary, classes, group = three_textures(per_class=3)
    ml = loop_app.extensions["pictolab.ml"]
    real_endpoint = ml.endpoint
    from tests.helpers import free_port

    ml.endpoint = f"http://127.0.0.1:{free_port()}/graphql"  # nothing listens there
    run = group.data(TRAIN)["train"]
    assert run["status"] == "QUEUED"
    loop_app.extensions["pictolab.reconciler"].run_once()
    row = db_session.get(TrainingRun, run["id"])
    assert row.attempts == 1 and row.next_attempt_at is not None  # backoff scheduled
    assert latest_run(group)["status"] == "QUEUED"

    ml.endpoint = real_endpoint  # the ML API is back
    done = drive(loop_app, lambda: (r := latest_run(group))["status"] in ("SUCCEEDED", "FAILED") and r)
    assert done["status"] == "SUCCEEDED", done["error"]


def test_train_refusals(loop_app, new_client):
    from tests.bff.helpers import workshop_on

    summary = workshop_on(loop_app, Phase.COLLECT)
    group = new_client()
    assert group.error_code(TRAIN) == "UNAUTHENTICATED"
    login(group, summary["groups"][0]["token"])
    assert group.error_code(TRAIN) == "FAILED_PRECONDITION"  # COLLECT: not training time
    set_phase(loop_app, summary["id"], Phase.TRAIN)
    response = group.execute(TRAIN)
    error = response["errors"][0]
    assert error["extensions"]["code"] == "FAILED_PRECONDITION" and error["extensions"]["minimum"] == 3
    assert {m["name"] for m in error["extensions"]["missing"]} == {c["name"] for c in summary["classes"]}
    assert group.data(RUNS)["trainingRuns"] == []  # nothing recorded
    # predict before any model
    jpeg = texture_jpegs("grass", 1, seed=5)[0]
    body = group.upload(PREDICT, {}, {"file": (jpeg, "t.jpg", "image/jpeg")}).get_json()
    assert body["errors"][0]["extensions"]["code"] == "FAILED_PRECONDITION"
    assert list(loop_app.extensions["pictolab.storage"].list("tmp")) == []


def test_failed_ml_run_shows_a_readable_error(loop_app, three_textures, db_session):
    summary, classes, group = three_textures(per_class=3)
    storage = loop_app.extensions["pictolab.storage"]
    # A photo object is damaged behind the database's back (a storage fault). (A photo that
    # is gone, e.g. deleted while the run trains, is skipped instead: tests/ml_api/test_missing_examples.py.)
    from bff.models import Photo

    photo = db_session.scalars(select(Photo).where(Photo.group_id.is_not(None))).first()
    storage.put_bytes(photo.storage_key, b"not a photo any more", "image/jpeg")
    group.data(TRAIN)
    done = drive(loop_app, lambda: (r := latest_run(group))["status"] in ("SUCCEEDED", "FAILED") and r)
    assert done["status"] == "FAILED"
    # The group reads what to do; the instructor reads which photo and why.
    assert done["error"].startswith("One of your photos could not be read") and "/" not in done["error"]
    assert done["errorCode"] == "PHOTO_UNREADABLE"
    admin = GraphQLClient(loop_app.test_client())
    admin_login(admin)
    detail = admin.data("query($g: ID!) { groupDetail(groupId: $g) { runs { error } } }",
                        g=summary["groups"][0]["id"])["groupDetail"]
    assert photo.storage_key.split("/")[-1] in detail["runs"][0]["error"]  # names the image
    assert db_session.scalars(select(TrainingRun.status)).all() == [RunStatus.FAILED]


def test_a_model_whose_test_set_cannot_be_scored_succeeds_not_scored(loop_app, three_textures, new_client,
                                                                    db_session):
    """The job scores its model right after training; an unreadable hidden test photo makes
    the run a success without a score (the model still works for "try it"), in one step."""
    summary, classes, group = three_textures(per_class=3)
    admin = new_client()
    admin_login(admin)
    upload_test_photos(loop_app, admin, classes, per_class=1)
    # A hidden test photo's object vanishes (a storage fault): it cannot be scored.
    from bff.models import Photo

    lost = db_session.scalars(select(Photo).where(Photo.group_id.is_(None))).first()
    loop_app.extensions["pictolab.storage"].delete(lost.storage_key)
    group.data(TRAIN)
    final = drive(loop_app, lambda: (r := latest_run(group))["status"] in ("SUCCEEDED", "FAILED") and r)
    assert final["status"] == "SUCCEEDED" and final["testAccuracy"] is None
    assert "secret photos" in final["error"] and final["errorCode"] == "NOT_SCORED"
    raw = admin.data("query($g: ID!) { groupDetail(groupId: $g) { runs { error } } }",
                     g=summary["groups"][0]["id"])["groupDetail"]["runs"][0]["error"]
    assert "scored" in raw and lost.storage_key.split("/")[-1] in raw
    assert db_session.scalars(select(TrainingRun.attempts)).all() == [0]  # no retries: one answer


def test_a_deleted_test_photo_rescores_with_one_evaluate(loop_app, three_textures, new_client, db_session):
    summary, classes, group = three_textures(per_class=3)
    admin = new_client()
    admin_login(admin)
    ids = upload_test_photos(loop_app, admin, classes, per_class=1)
    group.data(TRAIN)
    done = drive(loop_app, lambda: (r := latest_run(group))["status"] == "SUCCEEDED" and r)
    assert done["testAccuracy"] is not None
    admin.data("mutation($id: ID!) { deletePhoto(id: $id) }", id=ids[0])
    db_session.expire_all()
    run = db_session.get(TrainingRun, done["id"])
    assert run.rescore_due is True  # marked with the deletion itself
    drive(loop_app, lambda: (db_session.expire_all(), not db_session.get(TrainingRun, done["id"]).rescore_due)[1])
    detail = admin.data("query($g: ID!) { groupDetail(groupId: $g) { runs { confusion } } }",
                        g=summary["groups"][0]["id"])["groupDetail"]
    assert sum(map(sum, detail["runs"][0]["confusion"])) == 2  # scored on the two left


def test_a_mislabelled_photo_is_confusing_and_a_try_shows_where_the_ai_looked(loop_app, three_textures, db_session):
    """Against the real ML API: the cross-validated analysis finds the one photo the
    group put in the wrong class, the predict heatmap is passed on, and photo hints arrive
    on their own after the uploads."""
    from bff.models import Group

    summary, classes, group = three_textures(per_class=6)
    names = list(classes)
    brick = texture_jpegs(TEXTURES[0], 1, seed=777)[0]
    mislabelled = group.upload(UPLOAD, {"classId": classes[names[1]]},
                               {"file": (brick, "p.jpg", "image/jpeg")}).get_json()["data"]["uploadPhoto"]["id"]
    group.data(TRAIN, mode="QUICK")
    query = """{ trainingRuns { status error confusingPhotos { photoId classId predictedClassId confidence }
                 classConfidence { classId count sure } } }"""
    done = drive(loop_app, lambda: (r := group.data(query)["trainingRuns"][0])["status"] in ("SUCCEEDED", "FAILED")
                 and r)
    assert done["status"] == "SUCCEEDED", done["error"]
    confusing = {c["photoId"]: c for c in done["confusingPhotos"]}
    assert mislabelled in confusing, done["confusingPhotos"]
    assert confusing[mislabelled]["classId"] == classes[names[1]]
    assert confusing[mislabelled]["predictedClassId"] == classes[names[0]]
    assert len(confusing) <= 2  # correctly labelled crops are rarely flagged
    assert sorted(c["classId"] for c in done["classConfidence"]) == sorted(classes.values())
    assert {c["classId"]: c["count"] for c in done["classConfidence"]}[classes[names[1]]] == 7

    try_photo = texture_jpegs(TEXTURES[0], 1, seed=999)[0]
    heatmap = group.upload("mutation($file: Upload!) { predict(file: $file) { heatmap { width height values } } }",
                           {}, {"file": (try_photo, "t.jpg", "image/jpeg")}).get_json()["data"]["predict"]["heatmap"]
    assert heatmap["width"] >= 7 and heatmap["height"] >= 7
    assert len(heatmap["values"]) == heatmap["width"] * heatmap["height"]
    assert 0.0 <= min(heatmap["values"]) and max(heatmap["values"]) <= 1.0 and max(heatmap["values"]) > 0

    def hinted():
        db_session.expire_all()
        return db_session.get(Group, summary["groups"][0]["id"]).hints

    hints = drive(loop_app, hinted, timeout=60)
    assert len(hints["photos"]) == 19
    photos = group.data("{ photos { id hints } }")["photos"]
    assert all(set(p["hints"]) <= {"TOO_DARK", "BLURRY", "NEAR_DUPLICATE"} for p in photos)
