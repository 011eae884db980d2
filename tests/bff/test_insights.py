"""Why the AI answers what it answers, in the BFF, against the fake ML API (tests/bff/fakes.py):
the heatmap a try passes on, a run's confusing photos and per-class "how sure" (stored when the
ML job succeeds, mapped to the group's own photo ids), movePhoto, and photo hints computed after
uploads. The same paths against a real ML API process: tests/bff/test_training.py."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image
from sqlalchemy import select, update

from bff.db import session_scope
from bff.hints import HintsRefresher
from bff.models import AuditEvent, Group, Phase, Photo, TrainingRun
from bff.training import RunReconciler
from tests.bff.fakes import FakeMLClient
from tests.bff.helpers import UPLOAD, GraphQLClient, admin_login, login, set_phase, workshop_on

TRAIN = "mutation { train { id status } }"
RUN = """{ trainingRuns { id status confusingPhotos { photoId classId predictedClassId confidence }
           classConfidence { classId count sure accuracy } } }"""
MOVE = "mutation($id: ID!, $classId: ID!) { movePhoto(id: $id, classId: $classId) { id classId } }"
PHOTOS = "{ photos { id classId hints } }"
PAIRS = "{ classPairHints { classIds code } }"
PREDICT = "mutation($file: Upload!) { predict(file: $file) { classId heatmap { width height values } } }"


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    image = Image.new("RGB", (64, 48), (shade, 255 - shade, (shade * 7) % 256))
    image.putpixel((shade % 64, shade % 48), (0, 0, 0))  # distinct bytes per shade
    image.save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def app(make_app):
    return make_app(min_photos_per_class=3)


def with_settings(app, **changes) -> None:
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], **changes)


@pytest.fixture
def fake(app):
    ml = FakeMLClient()
    app.extensions["pictolab.ml"] = ml  # what predict uses
    return ml


@pytest.fixture
def world(app, fake):
    """A COLLECT workshop (cat, cup, shoe), group 0 logged in with 3 photos per class, and
    group 1 with one photo of its own."""
    summary = workshop_on(app, Phase.COLLECT)
    classes = [c["id"] for c in summary["classes"]]
    group = GraphQLClient(app.test_client())
    login(group, summary["groups"][0]["token"])
    photos = {c: [] for c in classes}
    for i, class_id in enumerate(classes):
        for j in range(3):
            response = group.upload(UPLOAD, {"classId": class_id}, {"file": (jpeg(10 * i + j), "p.jpg", "image/jpeg")})
            photos[class_id].append(response.get_json()["data"]["uploadPhoto"]["id"])
    other = GraphQLClient(app.test_client())
    login(other, summary["groups"][1]["token"])
    foreign = other.upload(UPLOAD, {"classId": classes[0]}, {"file": (jpeg(200), "p.jpg", "image/jpeg")})
    return summary, classes, group, photos, foreign.get_json()["data"]["uploadPhoto"]["id"]


def uri_of(app, photo_id: str) -> str:
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        return app.extensions["pictolab.storage"].uri(db.get(Photo, photo_id).storage_key)


class Loop:
    """The reconciler, each pass due at once (no waiting out the poll interval's lease)."""

    def __init__(self, app, fake):
        self.app = app
        self.reconciler = RunReconciler(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"],
                                        fake)

    def run_once(self) -> None:
        with session_scope(self.app.extensions["pictolab.sessionmaker"]) as db:
            db.execute(update(TrainingRun).values(next_attempt_at=None))
        self.reconciler.run_once()


def reconciler(app, fake) -> Loop:
    return Loop(app, fake)


def test_confusing_photos_are_null_until_success_then_the_groups_own_photos(app, fake, world):
    summary, classes, group, photos, foreign = world
    set_phase(app, summary["id"], Phase.TRAIN)
    run_id = group.data(TRAIN)["train"]["id"]
    loop = reconciler(app, fake)
    loop.run_once()
    fake.set_job(run_id, status="RUNNING", progress=0.5)
    loop.run_once()
    run = group.data(RUN)["trainingRuns"][0]
    assert run["status"] == "RUNNING" and run["confusingPhotos"] is None and run["classConfidence"] is None

    mislabelled, deleted = photos[classes[0]][0], photos[classes[1]][0]
    fake.set_job(run_id, status="SUCCEEDED", progress=1.0, analysis={
        "method": "kfold-quick", "folds": 3, "threshold": 0.6,
        "confusing": [
            {"uri": uri_of(app, mislabelled), "label": classes[0], "predicted": classes[2], "confidence": 0.9},
            {"uri": uri_of(app, deleted), "label": classes[1], "predicted": classes[0], "confidence": 0.8},
            # Not one of this group's photos (another group's; a path that is no photo): never shown.
            {"uri": uri_of(app, foreign), "label": classes[0], "predicted": classes[1], "confidence": 0.99},
            {"uri": "file:///elsewhere/x.jpg", "label": classes[0], "predicted": classes[1], "confidence": 0.99}],
        "perClass": [{"label": c, "count": 3, "sure": 0.5 + i / 10, "accuracy": 1.0 if i else 2 / 3}
                     for i, c in enumerate(classes)]})
    loop.run_once()
    group.data("mutation($id: ID!) { deletePhoto(id: $id) }", id=deleted)
    run = group.data(RUN)["trainingRuns"][0]
    assert run["status"] == "SUCCEEDED"
    assert run["confusingPhotos"] == [{"photoId": mislabelled, "classId": classes[0],
                                       "predictedClassId": classes[2], "confidence": 0.9}]
    assert [(c["classId"], c["count"], c["sure"]) for c in run["classConfidence"]] == \
        [(c, 3, 0.5 + i / 10) for i, c in enumerate(classes)]
    # The instructor's group detail lists the same.
    admin = GraphQLClient(app.test_client())
    admin_login(admin)
    detail = admin.data("""query($g: ID!) { groupDetail(groupId: $g) { runs {
        confusingPhotos { photoId } classConfidence { classId sure } } } }""", g=summary["groups"][0]["id"])
    assert detail["groupDetail"]["runs"][0]["confusingPhotos"] == [{"photoId": mislabelled}]

    # Fixed with one tap: the moved photo is no longer listed as confusing.
    assert group.data(MOVE, id=mislabelled, classId=classes[2])["movePhoto"] == {"id": mislabelled,
                                                                              "classId": classes[2]}
    assert group.data(RUN)["trainingRuns"][0]["confusingPhotos"] == []


def test_a_run_without_an_analysis_has_no_confusing_photos(app, fake, world):
    summary, _classes, group, _photos, _foreign = world
    set_phase(app, summary["id"], Phase.TRAIN)
    run_id = group.data(TRAIN)["train"]["id"]
    loop = reconciler(app, fake)
    loop.run_once()
    fake.set_job(run_id, status="SUCCEEDED", progress=1.0, analysis=None)
    loop.run_once()
    run = group.data(RUN)["trainingRuns"][0]
    assert run["status"] == "SUCCEEDED" and run["confusingPhotos"] is None


def test_move_photo_moves_one_of_the_groups_photos_and_is_audited(app, fake, world):
    summary, classes, group, photos, _foreign = world
    photo = photos[classes[0]][1]
    assert group.data(MOVE, id=photo, classId=classes[1])["movePhoto"]["classId"] == classes[1]
    listed = {p["id"]: p["classId"] for p in group.data(PHOTOS)["photos"]}
    assert listed[photo] == classes[1]
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "photo.move")).all()
        assert [(e.actor, e.target_id, e.details) for e in events] == [
            (f"group:{summary['groups'][0]['id']}", photo, {"fromClassId": classes[0], "classId": classes[1]})]
        key = db.get(Photo, photo).storage_key
    # The object stays where it is: its key names the photo, not the class.
    assert group.http.get(f"/media/photos/{photo}").status_code == 200 and photo in key


def test_move_photo_refusals_change_nothing(app, fake, world):
    summary, classes, group, photos, foreign = world
    photo = photos[classes[0]][0]
    assert group.error_code(MOVE, id=foreign, classId=classes[1]) == "NOT_FOUND"  # another group's
    assert group.error_code(MOVE, id="nope", classId=classes[1]) == "NOT_FOUND"
    assert group.error_code(MOVE, id=photo, classId="0" * 32) == "NOT_FOUND"  # unknown class
    other_workshop = workshop_on(app, Phase.COLLECT)
    assert group.error_code(MOVE, id=photo, classId=other_workshop["classes"][0]["id"]) == "NOT_FOUND"
    with_settings(app, max_photos_per_class=3)
    assert group.error_code(MOVE, id=photo, classId=classes[1]) == "FAILED_PRECONDITION"  # class is full
    set_phase(app, summary["id"], Phase.COMPETE)
    assert group.error_code(MOVE, id=photo, classId=classes[2]) == "FAILED_PRECONDITION"  # wrong phase
    anonymous = GraphQLClient(app.test_client())
    assert anonymous.error_code(MOVE, id=photo, classId=classes[2]) == "UNAUTHENTICATED"
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert db.get(Photo, photo).class_id == classes[0]
        assert db.scalars(select(AuditEvent).where(AuditEvent.action == "photo.move")).all() == []


def test_predict_passes_the_heatmap_on(app, fake, world):
    summary, classes, group, _photos, _foreign = world
    set_phase(app, summary["id"], Phase.TRAIN)
    run_id = group.data(TRAIN)["train"]["id"]
    loop = reconciler(app, fake)
    loop.run_once()
    fake.set_job(run_id, status="SUCCEEDED", progress=1.0)
    loop.run_once()
    fake.jobs[run_id]["classes"] = [classes[1]]
    body = group.upload(PREDICT, {}, {"file": (jpeg(99), "t.jpg", "image/jpeg")}).get_json()
    heatmap = body["data"]["predict"]["heatmap"]
    assert body["data"]["predict"]["classId"] == classes[1]
    assert (heatmap["width"], heatmap["height"]) == (7, 7)
    assert heatmap["values"] == [1.0 if i % 7 == 0 else 0.0 for i in range(49)]


def test_hints_are_computed_after_uploads_and_shown_to_their_group(app, fake, world):
    _summary, classes, group, photos, _foreign = world
    assert all(p["hints"] == [] for p in group.data(PHOTOS)["photos"])  # not computed yet
    assert group.data(PAIRS)["classPairHints"] == []
    dark = photos[classes[0]][0]
    fake.hint_codes[uri_of(app, dark)] = ["TOO_DARK", "BLURRY"]
    fake.class_pairs = [{"a": classes[0], "b": classes[2], "overlap": 0.5, "code": "CLASSES_LOOK_ALIKE"}]
    refresher = HintsRefresher(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake)
    assert refresher.run_once(force=True) == 2  # both groups
    hints = {p["id"]: p["hints"] for p in group.data(PHOTOS)["photos"]}
    assert hints[dark] == ["TOO_DARK", "BLURRY"] and sum(map(len, hints.values())) == 2
    assert group.data(PAIRS)["classPairHints"] == [{"classIds": [classes[0], classes[2]],
                                                    "code": "CLASSES_LOOK_ALIKE"}]
    # Each group's request named only its own photos, with every class of the workshop.
    sent = sorted(len(request) for request in fake.hint_requests)
    assert sent == [1, 9]
    # Nothing changed: nothing asked again. A moved photo changes the set: asked again.
    assert refresher.run_once(force=True) == 0
    group.data(MOVE, id=photos[classes[1]][0], classId=classes[2])
    assert refresher.run_once(force=True) == 1


def test_an_unreachable_ml_api_leaves_photos_without_hints_and_uploads_work(app, fake, world):
    summary, classes, group, _photos, _foreign = world
    fake.unavailable = True
    refresher = HintsRefresher(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake)
    assert refresher.run_once(force=True) == 0
    response = group.upload(UPLOAD, {"classId": classes[0]}, {"file": (jpeg(123), "p.jpg", "image/jpeg")})
    assert response.get_json()["data"]["uploadPhoto"]["id"]
    assert all(p["hints"] == [] for p in group.data(PHOTOS)["photos"])
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        assert db.get(Group, summary["groups"][0]["id"]).hints is None
    # Back up: the group is asked again once its backoff has passed.
    fake.unavailable = False
    refresher._backoff.clear()
    assert refresher.run_once(force=True) == 2


# ---- "Where the AI looked" on a confusing photo (ConfusingPhoto.heatmap) ----------------------

ONE_HEATMAP = """query($run: ID!, $photo: ID) { trainingRun(id: $run) { id confusingPhotos(photoId: $photo) {
    photoId predictedClassId heatmapClassId heatmap { width height values } } } }"""
LEFT_COLUMN = [1.0 if i % 7 == 0 else 0.0 for i in range(49)]


@pytest.fixture
def explained(app, fake, world):
    """A succeeded run of group 0 with one confusing photo (a cat put in with the cups)."""
    from bff import insights

    insights.clear_heatmap_cache()
    summary, classes, group, photos, foreign = world
    set_phase(app, summary["id"], Phase.TRAIN)
    run_id = group.data(TRAIN)["train"]["id"]
    loop = reconciler(app, fake)
    loop.run_once()
    mislabelled = photos[classes[0]][0]
    fake.set_job(run_id, status="SUCCEEDED", progress=1.0, analysis={
        "method": "kfold-quick", "folds": 3, "threshold": 0.6,
        "confusing": [{"uri": uri_of(app, mislabelled), "label": classes[0], "predicted": classes[2],
                       "confidence": 0.9}],
        "perClass": []})
    loop.run_once()
    fake.jobs[run_id]["classes"] = [classes[2]]  # what the fake's predict answers
    uris = []
    real_predict = fake.predict

    def predict(run, uri):
        uris.append((run, uri))
        return real_predict(run, uri)

    fake.predict = predict
    yield summary, classes, group, run_id, mislabelled, foreign, uris
    insights.clear_heatmap_cache()


def test_a_confusing_photo_shows_where_the_ai_looked_asked_only_when_selected(app, fake, explained):
    summary, classes, group, run_id, photo, _foreign, uris = explained
    # The Train screen's poll does not select it: no predict at all.
    assert group.data(RUN)["trainingRuns"][0]["confusingPhotos"][0]["photoId"] == photo
    assert uris == []
    item = group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"]
    assert item == [{"photoId": photo, "predictedClassId": classes[2], "heatmapClassId": classes[2],
                     "heatmap": {"width": 7, "height": 7, "values": LEFT_COLUMN}}]
    # The run's own model on the stored photo itself, once (both fields share it), then cached.
    assert uris == [(run_id, uri_of(app, photo))]
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"]
    assert len(uris) == 1
    # Another photo id: not listed, nothing asked.
    assert group.data(ONE_HEATMAP, run=run_id, photo="nope")["trainingRun"]["confusingPhotos"] == []
    assert len(uris) == 1
    # The instructor's group detail can show it too.
    admin = GraphQLClient(app.test_client())
    admin_login(admin)
    detail = admin.data("""query($g: ID!) { groupDetail(groupId: $g) { runs {
        confusingPhotos { photoId heatmap { width } } } } }""", g=summary["groups"][0]["id"])
    assert detail["groupDetail"]["runs"][0]["confusingPhotos"] == [{"photoId": photo, "heatmap": {"width": 7}}]


def test_a_failing_ml_api_makes_the_heatmap_null_never_an_error(app, fake, explained):
    from bff.ml_client import MLError

    _summary, classes, group, run_id, photo, _foreign, _uris = explained
    fake.unavailable = True
    body = group.execute(ONE_HEATMAP, run=run_id, photo=photo)
    assert "errors" not in body
    assert body["data"]["trainingRun"]["confusingPhotos"] == [
        {"photoId": photo, "predictedClassId": classes[2], "heatmapClassId": None, "heatmap": None}]
    fake.unavailable = False

    def refuses(run, uri):
        raise MLError("model gone", "NOT_FOUND")

    fake.predict = refuses
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"] is None

    def no_map(run, uri):
        return {"label": classes[2], "confidence": 1.0, "scores": [],
                "heatmap": {"width": 7, "height": 7, "values": [0.5]}}  # malformed

    fake.predict = no_map
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"] is None
    # Failures are not remembered: back up, it is drawn.
    del fake.predict
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"]


def test_a_deleted_photo_or_a_closed_workshop_has_no_heatmap(app, fake, explained):
    summary, _classes, group, run_id, photo, _foreign, uris = explained
    set_phase(app, summary["id"], Phase.CLOSED)
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"] is None
    set_phase(app, summary["id"], Phase.TRAIN)
    group.data("mutation($id: ID!) { deletePhoto(id: $id) }", id=photo)
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"] == []
    assert uris == []


def test_another_group_cannot_get_a_groups_confusing_photo_or_its_heatmap(app, fake, explained):
    from bff import insights
    from bff.models import TrainingRun as Run

    summary, _classes, _group, run_id, photo, foreign, uris = explained
    other = GraphQLClient(app.test_client())
    login(other, summary["groups"][1]["token"])
    assert other.error_code(ONE_HEATMAP, run=run_id, photo=photo) == "NOT_FOUND"
    assert other.data(RUN)["trainingRuns"] == []
    anonymous = GraphQLClient(app.test_client())
    assert anonymous.error_code(ONE_HEATMAP, run=run_id, photo=photo) == "UNAUTHENTICATED"
    # The run's model is never asked about a photo that is not its group's own.
    with session_scope(app.extensions["pictolab.sessionmaker"]) as db:
        run = db.get(Run, run_id)
        assert insights.confusing_photo_heatmap(db, app.extensions["pictolab.storage"], fake, run, foreign) is None
    assert uris == []


def test_heatmap_predicts_are_bounded_per_request_and_only_for_the_latest_model(app, fake, explained,
                                                                                monkeypatch):
    from bff import insights

    _summary, _classes, group, run_id, photo, _foreign, uris = explained
    monkeypatch.setattr(insights, "MAX_HEATMAP_ASKS_PER_REQUEST", 0)
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"] is None
    assert uris == []
    monkeypatch.setattr(insights, "MAX_HEATMAP_ASKS_PER_REQUEST", 8)
    # A newer run succeeded: the older run's model is not the group's AI any more.
    newer = group.data(TRAIN)["train"]["id"]
    loop = reconciler(app, fake)
    loop.run_once()
    fake.set_job(newer, status="SUCCEEDED", progress=1.0, analysis=fake.jobs[run_id]["analysis"])
    loop.run_once()
    assert group.data(ONE_HEATMAP, run=run_id, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"] is None
    assert uris == []
    fake.jobs[newer]["classes"] = fake.jobs[run_id]["classes"]
    assert group.data(ONE_HEATMAP, run=newer, photo=photo)["trainingRun"]["confusingPhotos"][0]["heatmap"]
    assert [run for run, _uri in uris] == [newer]


def test_hints_wait_for_their_job_and_are_asked_about_without_a_resend(app, fake, world):
    """photoHints answers at once: while the group's job is queued nothing is stored, the pass
    asks about it again later (same signature: the same job), then stores its result."""
    _summary, classes, group, photos, _foreign = world
    clock = [100.0]
    fake.hint_asks_before_done = 1
    refresher = HintsRefresher(app.extensions["pictolab.sessionmaker"], app.extensions["pictolab.storage"], fake,
                               monotonic=lambda: clock[0])
    assert refresher.run_once(force=True) == 0  # both groups' jobs queued
    assert all(p["hints"] == [] for p in group.data(PHOTOS)["photos"])
    asked = fake.calls_of("photo_hints")
    assert refresher.run_once(force=True) == 0 and fake.calls_of("photo_hints") == asked  # not due yet
    clock[0] += 2.0
    assert refresher.run_once(force=True) == 2
    assert len(fake.hint_requests) == 2  # one job per group: asked about, never sent again
    assert {job["key"] for job in fake.hint_jobs.values()} == {g["id"] for g in _summary["groups"]}
    assert all(job["examples"] for job in fake.hint_jobs.values())
