"""Why the AI answers what it answers, in headless Debian Chromium emulating an iPad, against real
processes (ML API, BFF, frontend server): a group whose photos include one put in the wrong
class trains, sees that photo on the Train screen as "this looks like <class> to your AI",
toggles where the AI looked on it (the heatmap over its thumbnail), moves it with one tap, and
on the Try screen sees where the AI looked (the heatmap over its photo, toggled off and on). The
photos and the training are set up through GraphQL (the upload flow has its own browser test:
test_browser_e2e.py); what a child sees and taps goes through the page."""

from __future__ import annotations

import io
import json
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.frontend.helpers import (
    ADMIN_PASSWORD,
    Stack,
    assert_accessible,
    screenshot,
    screenshot_both_languages,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

CLASSES = "🧱 れんが,🌿 くさ,🪨 じゃり"
TEXTURES = ("brick", "grass", "gravel")
PER_CLASS = 6
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


def crops(texture: str, count: int, seed: int) -> list[bytes]:
    from tests.datasets import texture_jpegs

    return texture_jpegs(texture, count, seed=seed, patch=200)


class Api:
    """A GraphQL client with its own cookie jar, through the frontend server as the iPad's is."""

    def __init__(self, url: str):
        self.url = url + "/graphql"
        self.http = requests.Session()

    def data(self, query: str, **variables) -> dict:
        body = self.http.post(self.url, json={"query": query, "variables": variables}, timeout=60).json()
        assert not body.get("errors"), body
        return body["data"]

    def upload(self, class_id: str, jpeg: bytes) -> str:
        operations = {"query": "mutation($c: ID!, $f: Upload!) { uploadPhoto(classId: $c, file: $f) { id } }",
                      "variables": {"c": class_id, "f": None}}
        body = self.http.post(self.url, headers=PREFLIGHT, timeout=60, data={
            "operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
            files={"0": ("p.jpg", io.BytesIO(jpeg), "image/jpeg")}).json()
        assert not body.get("errors"), body
        return body["data"]["uploadPhoto"]["id"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    stack = Stack(tmp_path_factory.mktemp("insights") / "data", classes=CLASSES, groups=1, with_ml=True)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def trained(stack):
    """The group's photos (one brick photo put in くさ), a succeeded QUICK run."""
    classes = [c["id"] for c in stack.workshop["classes"]]
    admin = Api(stack.url)
    assert admin.data("mutation($p: String!) { adminLogin(password: $p) }", p=ADMIN_PASSWORD)["adminLogin"]
    admin.data("mutation($w: ID!) { setPhase(workshopId: $w, phase: COLLECT) { phase } }", w=stack.workshop["id"])
    group = Api(stack.url)
    token = stack.workshop["groups"][0]["loginUrl"].split("#", 1)[1]
    group.data("mutation($t: String!) { login(token: $t) { id } }", t=token)
    for i, (class_id, texture) in enumerate(zip(classes, TEXTURES)):
        for jpeg in crops(texture, PER_CLASS, seed=20 + i):
            group.upload(class_id, jpeg)
    mislabelled = group.upload(classes[1], crops("brick", 1, seed=777)[0])
    admin.data("mutation($w: ID!) { setPhase(workshopId: $w, phase: TRAIN) { phase } }", w=stack.workshop["id"])
    group.data("mutation { train { id } }")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        run = group.data("{ trainingRuns { status error confusingPhotos { photoId } } }")["trainingRuns"][0]
        if run["status"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(1)
    assert run["status"] == "SUCCEEDED", run
    assert mislabelled in [c["photoId"] for c in run["confusingPhotos"]], run
    return {"classes": classes, "mislabelled": mislabelled, "group": group}


@pytest.fixture(scope="module")
def ipad(chromium, stack):
    playwright, browser = chromium
    device = {k: v for k, v in playwright.devices["iPad (gen 7)"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(stack.workshop["groups"][0]["loginUrl"])
    page.get_by_test_id("home-ready").wait_for()
    yield page
    context.close()


def assert_big_enough(locator, minimum: int = 44) -> None:
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box and box["width"] >= minimum and box["height"] >= minimum, box


def test_a_confusing_photo_is_shown_and_moved_in_one_tap(trained, ipad, stack):
    ipad.get_by_test_id("tab-train").tap()
    ipad.get_by_test_id("run-done").wait_for(timeout=60_000)
    item = ipad.locator(f'[data-testid="confusing-photo"][data-photo-id="{trained["mislabelled"]}"]')
    item.wait_for()
    # "this looks like れんが to your AI", and the move button names the class it goes to.
    assert "れんが" in item.inner_text() and "みえるよ" in item.inner_text()
    assert "れんが" in item.get_by_test_id("confusing-move").inner_text()
    assert_big_enough(ipad.locator('[data-testid="confusing-move"], [data-testid="confusing-delete"]'))
    assert ipad.get_by_test_id("sure-row").count() == 3
    assert_accessible(ipad, "train with confusing photos")
    screenshot_both_languages(ipad, "i12-01-ipad-confusing")

    # "Where the AI looked" on the confusing photo: asked when tapped, drawn over its thumbnail.
    look = item.get_by_test_id("confusing-look")
    assert_big_enough(look)
    assert look.get_attribute("aria-pressed") == "false" and "AIが みたところ" in look.inner_text()
    expect(item.get_by_test_id("heatmap-overlay")).to_have_count(0)
    look.tap()
    overlay = item.get_by_test_id("heatmap-overlay")
    expect(overlay).to_have_attribute("data-drawn", "true")
    assert look.get_attribute("aria-pressed") == "true"
    thumb, canvas = item.locator(".confusing-thumb img").bounding_box(), overlay.bounding_box()
    assert all(abs(thumb[k] - canvas[k]) <= 1 for k in ("x", "y", "width", "height")), (thumb, canvas)
    painted = overlay.evaluate("""(c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [c.width, c.height, n]; }""")
    assert painted[0] >= 7 and painted[1] >= 7 and painted[2] > 0, painted
    explain = item.get_by_test_id("confusing-look-explain")
    assert explain.get_attribute("data-state") in ("heatmapExplain", "confusingLooked")
    assert "AIが みたところ" in explain.inner_text().replace("\n", "")
    assert_accessible(ipad, "confusing photo with heatmap")
    screenshot_both_languages(ipad, "i12-01b-ipad-confusing-heatmap")
    look.tap()
    expect(overlay).to_have_count(0)
    assert look.get_attribute("aria-pressed") == "false"

    item.get_by_test_id("confusing-move").tap()
    expect(item).to_have_count(0)
    photos = trained["group"].data("{ photos { id classId } }")["photos"]
    assert {p["id"]: p["classId"] for p in photos}[trained["mislabelled"]] == trained["classes"][0]
    screenshot(ipad, "i12-02-ipad-moved")


def test_a_try_shows_where_the_ai_looked(trained, ipad, stack):
    ipad.get_by_test_id("tab-try").tap()
    ipad.get_by_test_id("try-page").wait_for()
    with ipad.expect_file_chooser() as chooser:
        ipad.get_by_test_id("try-button").tap()
    chooser.value.set_files(files=[{"name": "try.jpg", "mimeType": "image/jpeg",
                                    "buffer": crops("gravel", 1, seed=4242)[0]}])
    ipad.get_by_test_id("prediction").wait_for(timeout=60_000)
    overlay = ipad.get_by_test_id("heatmap-overlay")
    toggle = ipad.get_by_test_id("heatmap-toggle")
    # The child's photo clean first; the toggle says what a tap will show.
    expect(overlay).to_have_count(0)
    assert "どこを みた" in toggle.inner_text()
    toggle.tap()
    expect(overlay).to_have_attribute("data-drawn", "true")
    # A spotlight (what the AI ignored is dimmed), not "the red part".
    assert overlay.get_attribute("data-mode") == "spotlight"
    photo, canvas = ipad.locator(".try-photo").bounding_box(), overlay.bounding_box()
    # Over the photo (inside its 4 px border), not beside it.
    assert abs(canvas["x"] - photo["x"] - 4) <= 1 and abs(canvas["width"] - photo["width"] + 8) <= 1
    # Something was painted: the canvas holds the heatmap's cells, some not transparent.
    painted = overlay.evaluate("""(c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [c.width, c.height, n]; }""")
    assert painted[0] >= 7 and painted[1] >= 7 and painted[2] > 0, painted
    assert "よく みたよ" in ipad.get_by_test_id("heatmap-explain").inner_text().replace("\n", "")
    assert_big_enough(toggle)
    assert_accessible(ipad, "try with heatmap")
    screenshot_both_languages(ipad, "i12-03-ipad-heatmap")

    assert "もどす" in toggle.inner_text()
    toggle.tap()
    expect(overlay).to_have_count(0)
    assert "どこを みた" in toggle.inner_text()
    toggle.tap()
    expect(ipad.get_by_test_id("heatmap-overlay")).to_have_attribute("data-drawn", "true")
