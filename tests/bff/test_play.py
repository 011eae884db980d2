"""Play with a trained AI in the BFF (bff/play.py): a friend's AI with the setting on and off,
class reactions returned with a prediction, the reflection answers and their tally. Runs are
written as finished rows and the ML API is a small recording stand-in: what is tested here is
who may see what, not training (the same paths over real HTTP: tests/frontend/test_play_browser.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from bff.db import session_scope
from bff.models import ClassReaction, Phase, RunStatus, TrainingRun, Workshop
from bff.workshops import purge_workshop
from tests.bff.helpers import UPLOAD, GraphQLClient, admin_login, login, set_phase, workshop_on

PREDICT = """mutation($file: Upload!, $groupId: ID) { predict(file: $file, groupId: $groupId) {
    classId label confidence runId groupId heatmap { width height } reaction { emoji sound words } } }"""
FRIENDS = "{ friends { id name emoji } workshop { friendsAIs } }"
SET_FRIENDS = """mutation($w: ID!, $on: Boolean!) { setFriendsAIs(workshopId: $w, enabled: $on) { id friendsAIs } }"""
REACT = """mutation($c: ID!, $e: String, $s: String, $w: String) {
    setClassReaction(classId: $c, emoji: $e, sound: $s, words: $w) { emoji sound words } }"""
REFLECT = "mutation($r: ID!, $a: ReflectionAnswer!) { answerReflection(runId: $r, answer: $a) }"
TALLY = "query($w: ID!) { reflectionTally(workshopId: $w) { answer count groups } }"


class RecordingML:
    """The ML API's predict: answers the run's first class and records what it was asked."""

    def __init__(self):
        self.asked: list[tuple[str, str]] = []
        self.classes: dict[str, list[str]] = {}

    def predict(self, run_id: str, image_uri: str) -> dict:
        self.asked.append((run_id, image_uri))
        label = self.classes[run_id][1]
        heatmap = {"width": 7, "height": 7, "values": [0.5] * 49}
        return {"label": label, "confidence": 0.9, "scores": [{"label": label, "confidence": 0.9}],
                "heatmap": heatmap}


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 100, 255 - shade)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def ml(app):
    fake = RecordingML()
    app.extensions["pictolab.ml"] = fake
    return fake


@pytest.fixture
def world(app, ml):
    """A COLLECT workshop of 2 groups, both logged in; group 1 has a finished run."""
    summary = workshop_on(app, Phase.COLLECT)
    classes = [c["id"] for c in summary["classes"]]
    me, friend = GraphQLClient(app.test_client()), GraphQLClient(app.test_client())
    login(me, summary["groups"][0]["token"])
    login(friend, summary["groups"][1]["token"])
    return summary, classes, me, friend


def finished_run(app, ml, summary, group_index: int, classes) -> str:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][group_index]["id"],
                          status=RunStatus.SUCCEEDED, progress=1.0, test_accuracy=0.75,
                          finished_at=datetime.now(UTC))
        db.add(run)
        db.flush()
        run_id = run.id
    ml.classes[run_id] = list(classes)
    return run_id


def try_photo(client: GraphQLClient, group_id: str | None = None) -> dict:
    response = client.upload(PREDICT, {"groupId": group_id}, {"file": (jpeg(30), "p.jpg", "image/jpeg")})
    return response.get_json()


def test_a_friends_ai_only_while_the_setting_is_on(app, ml, world):
    summary, classes, me, friend = world
    friend_id = summary["groups"][1]["id"]
    friend_run = finished_run(app, ml, summary, 1, classes)
    # The friend's own photo: it must never reach the trying group, nor the ML API's predict.
    friend.upload(UPLOAD, {"classId": classes[0]}, {"file": (jpeg(200), "f.jpg", "image/jpeg")})

    # Off by default before COMPETE: nobody listed, and trying is refused with a typed error.
    assert me.data(FRIENDS) == {"friends": [], "workshop": {"friendsAIs": False}}
    refused = try_photo(me, friend_id)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN" and ml.asked == []

    # On by default in COMPETE; the instructor can turn it off again (and on).
    set_phase(app, summary["id"], Phase.COMPETE)
    assert me.data(FRIENDS)["friends"] == [{"id": friend_id, "name": summary["groups"][1]["name"],
                                           "emoji": summary["groups"][1]["emoji"]}]
    admin = GraphQLClient(app.test_client())
    admin_login(admin)
    assert admin.data(SET_FRIENDS, w=summary["id"], on=False)["setFriendsAIs"]["friendsAIs"] is False
    assert me.data(FRIENDS)["friends"] == []
    assert try_photo(me, friend_id)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Only instructors switch it.
    assert me.error_code(SET_FRIENDS, w=summary["id"], on=True) == "FORBIDDEN"
    admin.data(SET_FRIENDS, w=summary["id"], on=True)

    # The friend (group 1) has no friends with an AI: group 0 has not trained.
    assert friend.data(FRIENDS)["friends"] == []
    assert try_photo(friend, summary["groups"][0]["id"])["errors"][0]["extensions"]["code"] == \
        "FAILED_PRECONDITION"

    answer = try_photo(me, friend_id)
    assert not answer.get("errors"), answer
    prediction = answer["data"]["predict"]
    assert prediction["classId"] == classes[1] and prediction["groupId"] == friend_id
    assert prediction["heatmap"] == {"width": 7, "height": 7}
    assert prediction["runId"] == ""  # the friend's run is not the caller's to open
    # The friend's latest run looked at the trying group's own photo, under its own workshop's tmp/.
    (run_id, uri), = [a for a in ml.asked]
    assert run_id == friend_run and "/tmp/" in uri
    # Nothing else of the friend's: its runs, its photos.
    assert me.error_code("query($id: ID!) { trainingRun(id: $id) { id } }", id=friend_run) == "NOT_FOUND"
    assert me.data("{ photos { id } }")["photos"] == []
    # A group of another workshop is unknown.
    other = workshop_on(app, Phase.COMPETE)
    assert try_photo(me, other["groups"][0]["id"])["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_reactions_are_per_group_and_class_and_come_with_a_prediction(app, ml, world):
    summary, classes, me, friend = world
    my_run = finished_run(app, ml, summary, 0, classes)
    assert me.data(REACT, c=classes[1], e="🎉", s="chime", w="  やった!  ")["setClassReaction"] == \
        {"emoji": "🎉", "sound": "chime", "words": "やった!"}
    # Another group's reaction to the same class is its own.
    friend.data(REACT, c=classes[1], e="🚀", s="boing", w=None)
    listed = me.data("{ workshop { classes { id reaction { emoji sound words } } } }")["workshop"]["classes"]
    assert [c["reaction"] for c in listed] == [None, {"emoji": "🎉", "sound": "chime", "words": "やった!"}, None]

    prediction = try_photo(me)["data"]["predict"]
    assert prediction["runId"] == my_run and prediction["classId"] == classes[1]
    assert prediction["reaction"] == {"emoji": "🎉", "sound": "chime", "words": "やった!"}

    # Only the built-in sets, short words, known classes.
    assert me.error_code(REACT, c=classes[0], e="💣", s=None, w=None) == "BAD_USER_INPUT"
    assert me.error_code(REACT, c=classes[0], e=None, s="http://x/a.mp3", w=None) == "BAD_USER_INPUT"
    assert me.error_code(REACT, c=classes[0], e=None, s=None, w="x" * 41) == "BAD_USER_INPUT"
    other = workshop_on(app, Phase.COLLECT)
    assert me.error_code(REACT, c=other["classes"][0]["id"], e="🎉", s=None, w=None) == "NOT_FOUND"
    # Nothing chosen removes it.
    assert me.data(REACT, c=classes[1], e=None, s=None, w="")["setClassReaction"] is None
    assert try_photo(me)["data"]["predict"]["reaction"] is None
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert len(db.scalars(select(ClassReaction)).all()) == 1  # the friend's
    # The children's words go with a purge.
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        purge_workshop(db, app.extensions["pictolab.storage"], db.get(Workshop, summary["id"]), actor="cli")
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert db.scalars(select(ClassReaction)).all() == []


def test_reflection_answers_are_counted_for_the_instructor(app, ml, world):
    summary, classes, me, friend = world
    first, second = finished_run(app, ml, summary, 0, classes), finished_run(app, ml, summary, 0, classes)
    friends_run = finished_run(app, ml, summary, 1, classes)
    assert me.data(REFLECT, r=first, a="BACKGROUND")["answerReflection"] == "BACKGROUND"
    assert me.data(REFLECT, r=second, a="TOO_FEW_PHOTOS")["answerReflection"] == "TOO_FEW_PHOTOS"
    friend.data(REFLECT, r=friends_run, a="BACKGROUND")
    # Changing one's mind replaces the answer for that run.
    me.data(REFLECT, r=second, a="BACKGROUND")
    assert me.data("query($id: ID!) { trainingRun(id: $id) { reflection } }", id=second) == \
        {"trainingRun": {"reflection": "BACKGROUND"}}
    # Only one's own runs.
    assert me.error_code(REFLECT, r=friends_run, a="LOOK_ALIKE") == "NOT_FOUND"
    assert me.error_code(TALLY, w=summary["id"]) == "FORBIDDEN"

    admin = GraphQLClient(app.test_client())
    admin_login(admin)
    assert admin.data(TALLY, w=summary["id"])["reflectionTally"] == [
        {"answer": "TOO_FEW_PHOTOS", "count": 0, "groups": 0},
        {"answer": "LOOK_ALIKE", "count": 0, "groups": 0},
        {"answer": "BACKGROUND", "count": 3, "groups": 2}]
