"""Running the day: hidden scores, announcements, card reissue, deleting a hidden test photo,
keepPhoto, the children's try answers and the instructors' live table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from graphql import GraphQLObjectType

from bff import run_the_day
from bff.db import session_scope
from bff.models import Phase, Photo, RunStatus, TrainingMode, TrainingRun, Workshop
from tests.bff.factories import solid_jpeg
from tests.bff.helpers import UPLOAD, UPLOAD_TEST, admin_login, login

HIDE = "mutation($w: ID!, $h: Boolean!) { setScoresHidden(workshopId: $w, hidden: $h) { id scoresHidden } }"
ANNOUNCE = """mutation($w: ID!, $m: String, $f: Boolean) {
  announce(workshopId: $w, message: $m, freeze: $f) { id announcement { message freeze at } } }"""
REISSUE = "mutation($g: ID!) { reissueCard(groupId: $g) }"
DELETE_TEST = "mutation($id: ID!) { deleteTestPhoto(id: $id) }"
KEEP = "mutation($id: ID!) { keepPhoto(id: $id) { id classId } }"
ANSWER = "mutation($c: Boolean!, $k: ID) { answerTry(correct: $c, classId: $k) }"
ME = "{ me { id number } workshop { id scoresHidden announcement { message freeze } } }"

# Every field a group can select that carries the secret test's score (or an order made from
# it). The walk below fails when a new such field appears that this query does not check.
GROUP_SCORE_QUERY = """{
  workshop { scoresHidden }
  trainingRuns { id testAccuracy testCorrect testTotal perClassAccuracy { classId accuracy count } }
  scoreboard { rank group { id } testAccuracy runId status }
}"""
CHECKED_SCORE_FIELDS = {
    "TrainingRun.testAccuracy", "TrainingRun.testCorrect", "TrainingRun.testTotal", "TrainingRun.perClassAccuracy",
    "ClassAccuracy.accuracy", "ScoreboardRow.rank", "ScoreboardRow.testAccuracy", "ScoreboardRow.runId",
}
# Fields with "accuracy"/"score" in their name that are not the secret test: the group's own
# photos (cross-validated), the instructors' screens, or a prediction's per-class confidence.
NOT_THE_SECRET_SCORE = {
    "TrainingRun.trainAccuracy", "TrainingRun.crossValidatedAccuracy", "ClassConfidence.accuracy",
    "Prediction.scores", "ExperimentRow.testAccuracy", "ExperimentRow.trainAccuracy",
    "GroupActivityRow.bestScore", "RunDetail.testAccuracy", "RunDetail.trainAccuracy",
    "RunDetail.perClassAccuracy", "RunDetail.testCorrect", "RunDetail.testTotal",
    "RunDetail.crossValidatedAccuracy", "ExperimentRow.runId", "Prediction.runId", "Workshop.scoresHidden",
}
SCORE_WORDS = ("accuracy", "score", "rank", "correct", "total", "runid")


def _score_fields(schema) -> set[str]:
    found = set()
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or not isinstance(gtype, GraphQLObjectType) or name in ("Query", "Mutation"):
            continue
        for field_name in gtype.fields:
            if any(word in field_name.lower() for word in SCORE_WORDS):
                found.add(f"{name}.{field_name}")
    return found


def test_every_score_field_is_checked_by_the_hidden_scores_test(app):
    from bff.schema import build_schema

    unknown = _score_fields(build_schema().graphql_schema) - CHECKED_SCORE_FIELDS - NOT_THE_SECRET_SCORE
    assert unknown == set(), (f"score-like fields a group might see: {sorted(unknown)}; hide them while "
                              "scores are hidden (bff.run_the_day.scores_hidden_from) and check them here")


def _scored_run(app, workshop: dict, group_index: int, accuracy: float, confusion) -> str:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        classes = [c["id"] for c in workshop["classes"]]
        run = TrainingRun(workshop_id=workshop["id"], group_id=workshop["groups"][group_index]["id"],
                          mode=TrainingMode.QUICK, status=RunStatus.SUCCEEDED, progress=1.0, train_accuracy=0.9,
                          test_accuracy=accuracy, confusion=confusion, labels=classes,
                          per_class_accuracy=[{"classId": c, "accuracy": accuracy, "count": 4} for c in classes],
                          finished_at=datetime.now(UTC))
        db.add(run)
        db.flush()
        return run.id


def _no_score_in(answer: dict, *values: float) -> None:
    text = json.dumps(answer)
    for value in values:
        assert str(value) not in text, f"{value} reached a group: {text}"


def test_hidden_scores_reach_no_group_and_the_reveal_brings_them_back(app, client, new_client, make_workshop):
    workshop = make_workshop(phase=Phase.COMPETE, classes=("cat", "cup"), groups=3)
    _scored_run(app, workshop, 0, 0.625, [[3, 1], [2, 2]])
    _scored_run(app, workshop, 1, 0.875, [[4, 0], [1, 3]])
    kids = [new_client() for _ in workshop["groups"][:2]]
    for device, group in zip(kids, workshop["groups"]):
        login(device, group["token"])
    shown = kids[0].data(GROUP_SCORE_QUERY)
    assert shown["trainingRuns"][0]["testAccuracy"] == 0.625
    assert (shown["trainingRuns"][0]["testCorrect"], shown["trainingRuns"][0]["testTotal"]) == (5, 8)
    assert [r["testAccuracy"] for r in shown["scoreboard"]] == [0.875, 0.625, None]

    admin_login(client)
    assert client.data(HIDE, w=workshop["id"], h=True)["setScoresHidden"]["scoresHidden"] is True
    for device in kids:
        hidden = device.data(GROUP_SCORE_QUERY)
        assert hidden["workshop"]["scoresHidden"] is True
        for run in hidden["trainingRuns"]:
            assert (run["testAccuracy"], run["testCorrect"], run["testTotal"], run["perClassAccuracy"]) == \
                (None, None, None, None)
        # Card order, no score, no run: nothing tells who leads.
        assert [r["group"]["id"] for r in hidden["scoreboard"]] == [g["id"] for g in workshop["groups"]]
        assert [r["rank"] for r in hidden["scoreboard"]] == [1, 2, 3]
        assert all(r["testAccuracy"] is None and r["runId"] is None for r in hidden["scoreboard"])
        _no_score_in(hidden, 0.625, 0.875)
        run_id = hidden["trainingRuns"][0]["id"]
        one = device.data("query($id: ID!) { trainingRun(id: $id) { testAccuracy testCorrect perClassAccuracy "
                          "{ accuracy } } }", id=run_id)
        assert one["trainingRun"] == {"testAccuracy": None, "testCorrect": None, "perClassAccuracy": None}
    # The instructors (and the projector) still see everything.
    board = client.data("query($w: ID) { scoreboard(workshopId: $w) { testAccuracy } }", w=workshop["id"])
    assert [r["testAccuracy"] for r in board["scoreboard"]] == [0.875, 0.625, None]

    client.data(HIDE, w=workshop["id"], h=False)
    assert kids[0].data(GROUP_SCORE_QUERY)["trainingRuns"][0]["testAccuracy"] == 0.625


def test_only_instructors_hide_scores(client, make_workshop):
    workshop = make_workshop()
    assert client.error_code(HIDE, w=workshop["id"], h=True) == "UNAUTHENTICATED"
    login(client, workshop["groups"][0]["token"])
    assert client.error_code(HIDE, w=workshop["id"], h=True) == "FORBIDDEN"


def test_announcement_reaches_the_groups_and_is_lifted(client, new_client, make_workshop):
    workshop = make_workshop()
    kid = new_client()
    login(kid, workshop["groups"][1]["token"])
    assert kid.data(ME)["workshop"]["announcement"] is None
    admin_login(client)
    made = client.data(ANNOUNCE, w=workshop["id"], m="  みんな   手を とめて ", f=True)["announce"]
    assert made["announcement"]["message"] == "みんな 手を とめて" and made["announcement"]["at"]
    assert kid.data(ME)["workshop"]["announcement"] == {"message": "みんな 手を とめて", "freeze": True}
    assert client.error_code(ANNOUNCE, w=workshop["id"], m="x" * 201, f=False) == "BAD_USER_INPUT"
    assert client.data(ANNOUNCE, w=workshop["id"], m=None)["announce"]["announcement"] is None
    assert kid.data(ME)["workshop"]["announcement"] is None
    assert kid.error_code(ANNOUNCE, w=workshop["id"], m="hi") == "FORBIDDEN"


def test_reissued_card_replaces_the_old_one_and_keeps_the_work(app, client, new_client, make_workshop):
    workshop = make_workshop(phase=Phase.COLLECT)
    group = workshop["groups"][0]
    kid = new_client()
    login(kid, group["token"])
    assert kid.data(ME)["me"]["number"] == 1
    upload = kid.upload(UPLOAD, {"classId": workshop["classes"][0]["id"]}, {"file": (solid_jpeg(), "a.jpg", "image/jpeg")})
    assert not upload.get_json().get("errors")

    admin_login(client)
    url = client.data(REISSUE, g=group["id"])["reissueCard"]
    assert url != group["loginUrl"] and "/join#" in url
    # The old card and the device logged in with it stop working at once ...
    assert kid.data("{ me { id } }")["me"] is None
    other = new_client()
    assert other.error_code("mutation($t: String!) { login(token: $t) { id } }", t=group["token"]) == "UNAUTHENTICATED"
    # ... the new one logs in as the same group, with its photos.
    login(other, url.split("#", 1)[1])
    assert other.data(ME)["me"] == {"id": group["id"], "number": 1}
    assert len(other.data("{ photos { id } }")["photos"]) == 1
    assert kid.error_code(REISSUE, g=group["id"]) == "UNAUTHENTICATED"
    assert client.error_code(REISSUE, g="0" * 32) == "NOT_FOUND"


def test_delete_test_photo_changes_the_scored_set(app, client, new_client, make_workshop):
    workshop = make_workshop(phase=Phase.COLLECT)
    cls = workshop["classes"][0]["id"]
    admin_login(client)
    ids = []
    for color in ((10, 20, 30), (200, 100, 0)):
        reply = client.upload(UPLOAD_TEST, {"classId": cls}, {"file": (solid_jpeg(color=color), "t.jpg", "image/jpeg")})
        ids.append(reply.get_json()["data"]["uploadTestPhoto"]["id"])
    run_id = _scored_run(app, workshop, 0, 0.5, [[1, 1], [1, 1]])
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.get(TrainingRun, run_id).rescore_due = False  # scored on the two photos
        keys = [db.get(Photo, i).storage_key for i in ids]

    kid = new_client()
    login(kid, workshop["groups"][0]["token"])
    group_photo = kid.upload(UPLOAD, {"classId": cls}, {"file": (solid_jpeg(), "a.jpg", "image/jpeg")})
    group_photo_id = group_photo.get_json()["data"]["uploadPhoto"]["id"]
    assert kid.error_code(DELETE_TEST, id=ids[0]) == "FORBIDDEN"
    # A group's photo is not a test photo.
    assert client.error_code(DELETE_TEST, id=group_photo_id) == "NOT_FOUND"

    assert client.data(DELETE_TEST, id=ids[0])["deleteTestPhoto"] is True
    left = client.data("query($w: ID!) { testPhotos(workshopId: $w) { id url } }", w=workshop["id"])["testPhotos"]
    assert [p["id"] for p in left] == [ids[1]]
    storage = app.extensions["pictolab.storage"]
    assert not storage.exists(keys[0]) and storage.exists(keys[1])
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        # The run's score belongs to a set that no longer exists: due for rescoring, marked in
        # the delete's own transaction (bff.photos.mark_rescoring_due).
        assert db.get(TrainingRun, run_id).rescore_due is True
    assert client.error_code(DELETE_TEST, id=ids[0]) == "NOT_FOUND"


def test_kept_photo_is_not_flagged_again(app, client, new_client, make_workshop):
    workshop = make_workshop(phase=Phase.TRAIN, classes=("cat", "cup"))
    cat, cup = (c["id"] for c in workshop["classes"])
    login(client, workshop["groups"][0]["token"])
    ids = []
    for color in ((1, 2, 3), (250, 240, 230)):
        reply = client.upload(UPLOAD, {"classId": cat}, {"file": (solid_jpeg(color=color), "a.jpg", "image/jpeg")})
        ids.append(reply.get_json()["data"]["uploadPhoto"]["id"])
    run_id = _scored_run(app, workshop, 0, 0.5, [[1, 1], [1, 1]])
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.get(TrainingRun, run_id).analysis = {"confusing": [
            {"photoId": i, "classId": cat, "predictedClassId": cup, "confidence": 0.9 - n / 10}
            for n, i in enumerate(ids)], "perClass": []}
    query = "{ trainingRuns { confusingPhotos { photoId } } }"
    assert [c["photoId"] for c in client.data(query)["trainingRuns"][0]["confusingPhotos"]] == ids

    assert client.data(KEEP, id=ids[0])["keepPhoto"] == {"id": ids[0], "classId": cat}
    assert [c["photoId"] for c in client.data(query)["trainingRuns"][0]["confusingPhotos"]] == [ids[1]]
    assert client.data(KEEP, id=ids[0])["keepPhoto"]["id"] == ids[0]  # a second tap: no error

    other = new_client()
    login(other, workshop["groups"][1]["token"])
    assert other.error_code(KEEP, id=ids[1]) == "NOT_FOUND"  # another group's photo
    assert new_client().error_code(KEEP, id=ids[1]) == "UNAUTHENTICATED"


def test_try_answers_and_the_live_table(app, client, new_client, make_workshop):
    workshop = make_workshop(phase=Phase.COLLECT, classes=("cat", "cup"), groups=3)
    cat = workshop["classes"][0]["id"]
    kid = new_client()
    login(kid, workshop["groups"][0]["token"])
    assert kid.data(ANSWER, c=True, k=cat)["answerTry"] is True
    assert kid.data(ANSWER, c=False, k=cat)["answerTry"] is True
    assert kid.data(ANSWER, c=True)["answerTry"] is True
    assert kid.error_code(ANSWER, c=True, k="0" * 32) == "NOT_FOUND"
    kid.upload(UPLOAD, {"classId": cat}, {"file": (solid_jpeg(), "a.jpg", "image/jpeg")})

    admin_login(client)
    rows = client.data("""query($w: ID!) { groupActivity(workshopId: $w) {
        number group { id } photoCount photosPerClass { classId count } trained bestScore lastActivityAt
        idle stuck attention triesRight triesWrong } }""", w=workshop["id"])["groupActivity"]
    assert [r["number"] for r in rows] == [1, 2, 3]
    first = rows[0]
    assert first["photoCount"] == 1 and first["photosPerClass"][0] == {"classId": cat, "count": 1}
    assert (first["triesRight"], first["triesWrong"], first["trained"]) == (2, 1, False)
    assert first["lastActivityAt"] and not first["attention"]
    log = client.data("query($w: ID!) { tryLog(workshopId: $w) { classId right wrong } }", w=workshop["id"])
    assert {(r["classId"], r["right"], r["wrong"]) for r in log["tryLog"]} == {(cat, 1, 1), (None, 1, 0)}
    assert kid.error_code("query($w: ID!) { groupActivity(workshopId: $w) { number } }", w=workshop["id"]) == "FORBIDDEN"

    # Ten minutes on: the busy group went quiet, and a run has sat in the queue all along.
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        db.add(TrainingRun(workshop_id=workshop["id"], group_id=workshop["groups"][2]["id"], status=RunStatus.QUEUED,
                           mode=TrainingMode.QUICK))
    later = datetime.now(UTC) + timedelta(minutes=10)
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        table = run_the_day.group_activity(db, db.get(Workshop, workshop["id"]), now=later)
        assert [(r.idle, r.stuck) for r in table] == [(True, False), (True, False), (False, True)]
        now = run_the_day.group_activity(db, db.get(Workshop, workshop["id"]))
        assert [r.attention for r in now] == [False, False, False]


@pytest.mark.parametrize("confusion,expected", [([[3, 1], [2, 2]], (5, 8)), ([], None), ([[0, 0], [0, 0]], None)])
def test_secret_test_score_reads_the_confusion_matrix(confusion, expected):
    run = TrainingRun(test_accuracy=0.5, confusion=confusion)
    assert run_the_day.secret_test_score(run) == expected



LAST_TRY = """query($g: ID!) { lastTry(groupId: $g) {
  group { id } photoUrl classId label confidence heatmap { width height } at } }"""
PREDICT = "mutation($file: Upload!) { predict(file: $file) { classId } }"
PURGE = "mutation($w: ID!) { purgeWorkshop(workshopId: $w) { photos } }"


def test_the_last_try_is_kept_for_the_projector_only(app, client, new_client, make_workshop):
    import base64

    from tests.bff.fakes import FakeMLClient

    ml = FakeMLClient()
    app.extensions["pictolab.ml"] = ml
    workshop = make_workshop(phase=Phase.TRAIN, classes=("cat", "cup"))
    group, cup = workshop["groups"][0], workshop["classes"][1]["id"]
    run_id = _scored_run(app, workshop, 0, 0.5, [[1, 1], [1, 1]])
    ml.jobs[run_id] = {"runId": run_id, "classes": [cup]}
    kid = new_client()
    login(kid, group["token"])
    admin_login(client)
    assert client.data(LAST_TRY, g=group["id"])["lastTry"] is None

    for color in ((9, 99, 199), (200, 10, 10)):  # only the latest is kept
        reply = kid.upload(PREDICT, {}, {"file": (solid_jpeg(color=color), "t.jpg", "image/jpeg")}).get_json()
        assert reply["data"]["predict"]["classId"] == cup, reply
    last = client.data(LAST_TRY, g=group["id"])["lastTry"]
    assert (last["group"]["id"], last["classId"], last["label"], last["confidence"]) == (group["id"], cup, "cup", 1.0)
    assert last["heatmap"] == {"width": 7, "height": 7} and last["at"]
    prefix = "data:image/jpeg;base64,"
    assert last["photoUrl"].startswith(prefix)
    import io

    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(last["photoUrl"][len(prefix):]))) as image:
        assert image.format == "JPEG" and image.convert("RGB").getpixel((5, 5))[0] > 150  # the red one
    # No group reads it (its own included); the workshop's purge deletes it.
    assert kid.error_code(LAST_TRY, g=group["id"]) == "FORBIDDEN"
    client.data(PURGE, w=workshop["id"])
    assert client.data(LAST_TRY, g=group["id"])["lastTry"] is None
