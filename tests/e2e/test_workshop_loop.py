"""The day of the workshop, end to end, with real processes on loopback: groups upload,
train and try; instructors score on hidden test photos; faults don't lose anything."""

from __future__ import annotations

import pytest

from tests.datasets import TEXTURES, texture_jpegs
from tests.e2e.helpers import Browser, create_workshop, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LOGIN = "mutation($token: String!) { login(token: $token) { id name } }"
ADMIN_LOGIN = "mutation($p: String!) { adminLogin(password: $p) }"
SET_PHASE = "mutation($w: ID!, $p: Phase!) { setPhase(workshopId: $w, phase: $p) { phase } }"
UPLOAD = "mutation($classId: ID!, $file: Upload!) { uploadPhoto(classId: $classId, file: $file) { id } }"
UPLOAD_TEST = "mutation($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id } }"
TRAIN = "mutation($mode: TrainingMode) { train(mode: $mode) { id status } }"
RUNS = "{ trainingRuns { id status progress trainAccuracy testAccuracy error } }"
PHOTOS = "{ photos { id } }"
SCOREBOARD = "query($w: ID) { scoreboard(workshopId: $w) { rank group { id name } testAccuracy photoCount status } }"
PREDICT = "mutation($file: Upload!) { predict(file: $file) { label confidence } }"


def admin_password(system) -> str:
    return (system["data_dir"] / "admin_password").read_text().strip()


def open_workshop(system, groups: int = 2):
    workshop = create_workshop(system["env"], "e2e", list(TEXTURES), groups)
    admin = Browser(system["bff"].url)
    assert admin.data(ADMIN_LOGIN, p=admin_password(system))["adminLogin"] is True
    admin.data(SET_PHASE, w=workshop["id"], p="COLLECT")
    classes = {c["name"]: c["id"] for c in workshop["classes"]}
    return workshop, classes, admin


def group_browser(system, workshop, index: int) -> Browser:
    browser = Browser(system["bff"].url)
    browser.data(LOGIN, token=workshop["groups"][index]["token"])
    return browser


def upload_set(browser: Browser, classes: dict[str, str], plan: dict[str, list[tuple[str, int]]], seed: int):
    """plan: class name -> [(texture actually photographed, how many)]."""
    for n, (label, parts) in enumerate(plan.items()):
        for m, (texture, count) in enumerate(parts):
            for jpeg in texture_jpegs(texture, count, seed=seed + 10 * n + m):
                browser.upload(UPLOAD, {"classId": classes[label]}, jpeg)


def latest(browser: Browser) -> dict:
    return browser.data(RUNS)["trainingRuns"][0]


def test_two_groups_train_and_the_good_one_wins(system):
    workshop, classes, admin = open_workshop(system)
    for i, texture in enumerate(TEXTURES):
        for jpeg in texture_jpegs(texture, 5, seed=500 + i):
            admin.upload(UPLOAD_TEST, {"classId": classes[texture]}, jpeg)

    # The second card's group photographs well; the first took few photos and filed many
    # under the wrong class (so the ranking cannot just follow card order).
    good = group_browser(system, workshop, 1)
    upload_set(good, classes, {t: [(t, 10)] for t in TEXTURES}, seed=0)
    bad = group_browser(system, workshop, 0)
    upload_set(bad, classes, {"brick": [("brick", 2), ("gravel", 3)],
                              "grass": [("grass", 2), ("brick", 3)],
                              "gravel": [("gravel", 2), ("grass", 3)]}, seed=100)

    admin.data(SET_PHASE, w=workshop["id"], p="TRAIN")
    runs = {name: browser.data(TRAIN, mode="QUICK")["train"] for name, browser in (("good", good), ("bad", bad))}
    progress_seen = []

    def both_done():
        states = [latest(good), latest(bad)]
        progress_seen.append(states[0]["progress"])
        return states if all(s["status"] in ("SUCCEEDED", "FAILED") for s in states) else None

    good_run, bad_run = wait_until(both_done, what="both runs to finish")
    assert good_run["id"] == runs["good"]["id"] and good_run["status"] == "SUCCEEDED", good_run["error"]
    assert bad_run["status"] == "SUCCEEDED", bad_run["error"]
    assert progress_seen[-1] == 1.0 and progress_seen == sorted(progress_seen)
    assert good_run["testAccuracy"] >= 0.9
    assert bad_run["testAccuracy"] < good_run["testAccuracy"]

    # The group tries its model on a photo it never uploaded.
    assert good.upload(PREDICT, {}, texture_jpegs("grass", 1, seed=4242)[0])["predict"]["label"] == "grass"

    assert good.error_code(SCOREBOARD) == "FAILED_PRECONDITION"  # not before COMPETE
    admin.data(SET_PHASE, w=workshop["id"], p="COMPETE")
    board = admin.data(SCOREBOARD, w=workshop["id"])["scoreboard"]
    assert [row["group"]["id"] for row in board] == [workshop["groups"][1]["id"], workshop["groups"][0]["id"]]
    assert board[0]["rank"] == 1 and board[0]["testAccuracy"] == good_run["testAccuracy"]
    assert board[0]["photoCount"] == 30 and board[1]["photoCount"] == 15
    assert bad.data(SCOREBOARD)["scoreboard"] == board  # the groups see the same ranking


def test_faults_lose_nothing_and_never_fake_success(system):
    workshop, classes, admin = open_workshop(system, groups=1)
    for texture in TEXTURES:
        for jpeg in texture_jpegs(texture, 2, seed=700):
            admin.upload(UPLOAD_TEST, {"classId": classes[texture]}, jpeg)
    group = group_browser(system, workshop, 0)
    upload_set(group, classes, {t: [(t, 5)] for t in TEXTURES}, seed=900)
    photos_before = {p["id"] for p in group.data(PHOTOS)["photos"]}
    admin.data(SET_PHASE, w=workshop["id"], p="TRAIN")
    storage = system["data_dir"] / "storage"
    ml, bff = system["ml"], system["bff"]

    # 1. The ML API (a GPU node) dies during a DEEP run, after its first checkpoint.
    run = group.data(TRAIN, mode="DEEP")["train"]
    checkpoint = storage / "runs" / run["id"] / "checkpoint.pt"
    wait_until(checkpoint.exists, what="the first DEEP checkpoint")
    ml.kill()
    statuses = [latest(group)["status"] for _ in range(8)]
    assert "SUCCEEDED" not in statuses and "FAILED" not in statuses
    ml.start()
    done = wait_until(lambda: (r := latest(group))["status"] in ("SUCCEEDED", "FAILED") and r, timeout=400,
                      what="the resumed DEEP run")
    assert done["id"] == run["id"] and done["status"] == "SUCCEEDED", done["error"]
    assert done["testAccuracy"] is not None
    assert {p["id"] for p in group.data(PHOTOS)["photos"]} == photos_before  # no photo lost

    # 2. The BFF restarts: the iPad's session cookie still works.
    bff.restart()
    assert group.data("{ me { id } }")["me"]["id"] == workshop["groups"][0]["id"]

    # 3. The ML API is down when "train" is pressed: the run waits, then runs.
    ml.stop()
    queued = group.data(TRAIN, mode="QUICK")["train"]
    assert queued["status"] == "QUEUED"
    assert all(latest(group)["status"] == "QUEUED" for _ in range(4))
    ml.start()
    done = wait_until(lambda: (r := latest(group))["status"] in ("SUCCEEDED", "FAILED") and r, timeout=300,
                      what="the queued run")
    assert done["id"] == queued["id"] and done["status"] == "SUCCEEDED", done["error"]
