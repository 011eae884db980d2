"""Play with your AI, in headless Debian Chromium emulating an iPad, against real processes (ML
API, BFF, frontend server): the bias lesson's workshop (`pictolab workshop create --template
background`) trains for two groups on CPU (QUICK) and its photos get the SAME_BACKGROUND hint;
one group tries the other's AI on its own photo from the Try screen and sees that AI's
reaction (with reduced motion: still; the mute toggle silences its sound); the Train screen
shows what the AI learned and takes the reflection answer, which the instructors see counted.
Training and the reactions' choice go through GraphQL; what a child sees and taps goes through
the page."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from playwright.sync_api import expect

from bff import lesson
from tests.frontend.helpers import (
    ADMIN_PASSWORD,
    Stack,
    assert_accessible,
    screenshot,
    screenshot_both_languages,
)
from tests.frontend.test_insights_browser import Api

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

# Counts the notes the page's WebAudio plays (the app synthesises its sounds: no audio files).
COUNT_NOTES = """(() => {
  window.__notes = 0;
  const Ctor = window.AudioContext || window.webkitAudioContext;
  if (!Ctor) return;
  const create = Ctor.prototype.createOscillator;
  Ctor.prototype.createOscillator = function () {
    const osc = create.call(this);
    const start = osc.start.bind(osc);
    osc.start = (...args) => { window.__notes += 1; return start(...args); };
    return osc;
  };
})();"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    stack = Stack(tmp_path_factory.mktemp("play") / "data", classes="a,b", groups=1, with_ml=True)
    yield stack
    stack.stop()


def wait_for(check, what: str, timeout: float = 240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def lesson_workshop(stack):
    """The bias lesson for 2 groups, both trained; the friend (group 2) chose its reactions."""
    from tests.services import PICTOLAB

    created = subprocess.run([PICTOLAB, "workshop", "create", "--template", "background", "--groups", "2", "--json"],
                             env=stack.env, check=True, capture_output=True, text=True, timeout=180)
    workshop = json.loads(created.stdout)
    me, friend = Api(stack.url), Api(stack.url)
    for api, group in zip((me, friend), workshop["groups"]):
        api.data("mutation($t: String!) { login(token: $t) { id } }", t=group["token"])
        api.data("mutation { train { id } }")
    def finished(api):
        run = api.data("{ trainingRuns { id status error } }")["trainingRuns"][0]
        return run if run["status"] in ("SUCCEEDED", "FAILED") else None

    for api in (me, friend):
        run = wait_for(lambda api=api: finished(api), "a trained AI")
        assert run["status"] == "SUCCEEDED", run
    # Every photo of a class has its background: the hint says so (computed in the background).
    wait_for(lambda: all("SAME_BACKGROUND" in p["hints"] for p in me.data("{ photos { hints } }")["photos"]),
             "the SAME_BACKGROUND hint", timeout=120)
    for cls in workshop["classes"]:
        friend.data("""mutation($c: ID!) { setClassReaction(classId: $c, emoji: "🚀", sound: "chime",
                       words: "やったね") { emoji } }""", c=cls["id"])
    return {"workshop": workshop, "me": me, "friend": friend}


def ipad_page(chromium, url: str, **options):
    playwright, browser = chromium
    device = {k: v for k, v in playwright.devices["iPad (gen 7)"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="ja-JP", timezone_id="Asia/Tokyo", **options)
    context.add_init_script(COUNT_NOTES)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_test_id("home-ready").wait_for()
    return context, page


def try_photo(page, jpeg: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("try-button").tap()
    chooser.value.set_files(files=[{"name": "try.jpg", "mimeType": "image/jpeg", "buffer": jpeg}])


def test_a_friends_ai_answers_with_its_reaction(chromium, stack, lesson_workshop):
    workshop = lesson_workshop["workshop"]
    me_card, friend_card = workshop["groups"]
    # The secret test photos swap the backgrounds: the AI learned the background, so it is wrong.
    friend_run = lesson_workshop["friend"].data("{ trainingRuns { testAccuracy } }")["trainingRuns"][0]
    assert friend_run["testAccuracy"] is not None and friend_run["testAccuracy"] <= 0.5, friend_run

    context, page = ipad_page(chromium, me_card["loginUrl"], reduced_motion="reduce")
    try:
        page.get_by_test_id("tab-try").tap()
        page.get_by_test_id("try-page").wait_for()
        friend = page.locator(f'[data-testid="friend-ai"][data-group-id="{friend_card["id"]}"]')
        friend.wait_for()
        assert friend_card["name"] in friend.inner_text()
        friend.tap()
        assert friend.get_attribute("aria-checked") == "true"
        # A circle on the triangles' blue background (the friend's AI likely says "triangle").
        circle_on_blue = lesson.jpeg(lesson.draw("circle", lesson.CLASSES[1].background, 99))
        try_photo(page, circle_on_blue)
        prediction = page.get_by_test_id("prediction")
        prediction.wait_for(timeout=60_000)
        assert prediction.get_attribute("data-group-id") == friend_card["id"]
        assert friend_card["name"] in page.get_by_test_id("friend-answer").inner_text()
        reaction = page.get_by_test_id("reaction")
        expect(reaction).to_have_attribute("data-emoji", "🚀")
        assert reaction.get_attribute("data-motion") == "reduced" and "やったね" in reaction.inner_text()
        expect(page.get_by_test_id("heatmap-toggle")).to_be_visible()
        assert page.evaluate("() => window.__notes") > 0  # the chime played
        assert_accessible(page, "try with a friend's AI and its reaction")
        screenshot_both_languages(page, "i21-01-ipad-friends-ai")

        # Muted: the next answer's reaction shows, and nothing sounds.
        page.get_by_test_id("mute-toggle").tap()
        expect(page.get_by_test_id("mute-toggle")).to_have_attribute("aria-pressed", "true")
        notes = page.evaluate("() => window.__notes")
        try_photo(page, lesson.jpeg(lesson.draw("star", lesson.CLASSES[1].background, 98)))
        expect(page.get_by_test_id("reaction")).to_have_attribute("data-muted", "true")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__notes") == notes

        # Our own AI: no reaction chosen, none shown; the photo never went to the friend.
        page.get_by_test_id("friend-own").tap()
        try_photo(page, circle_on_blue)
        expect(page.get_by_test_id("prediction")).to_have_attribute("data-group-id", me_card["id"])
        expect(page.get_by_test_id("reaction")).to_have_count(0)
        assert len(lesson_workshop["friend"].data("{ photos { id } }")["photos"]) == 24

        # The instructors turn it off: the list goes, and the friend's AI is refused.
        admin = Api(stack.url)
        admin.data("mutation($p: String!) { adminLogin(password: $p) }", p=ADMIN_PASSWORD)
        admin.data("mutation($w: ID!) { setFriendsAIs(workshopId: $w, enabled: false) { id } }", w=workshop["id"])
        page.reload()
        page.get_by_test_id("try-page").wait_for()
        page.wait_for_timeout(500)
        expect(page.get_by_test_id("friends-ais")).to_have_count(0)
        admin.data("mutation($w: ID!) { setFriendsAIs(workshopId: $w, enabled: true) { id } }", w=workshop["id"])
    finally:
        context.close()


def test_what_my_ai_learned_and_the_reflection_tally(chromium, stack, lesson_workshop):
    workshop = lesson_workshop["workshop"]
    context, page = ipad_page(chromium, workshop["groups"][0]["loginUrl"])
    try:
        page.get_by_test_id("tab-train").tap()
        card = page.get_by_test_id("learned-card")
        card.wait_for(timeout=60_000)
        expect(page.get_by_test_id("learned-class")).to_have_count(3)
        expect(page.get_by_test_id("learned-heatmap")).to_have_count(3)
        assert "%" in page.get_by_test_id("learned-own").inner_text()
        assert "なぜ まちがえたと おもう?" in page.get_by_test_id("reflection").inner_text()
        answer = page.locator('[data-testid="reflection-answer"][data-value="BACKGROUND"]')
        answer.tap()
        page.get_by_test_id("reflection-thanks").wait_for()
        assert answer.get_attribute("aria-pressed") == "true"
        assert_accessible(page, "what my AI learned")
        screenshot(page, "i21-02-ipad-learned-card")
    finally:
        context.close()
    admin = Api(stack.url)
    admin.data("mutation($p: String!) { adminLogin(password: $p) }", p=ADMIN_PASSWORD)
    tally = admin.data("query($w: ID!) { reflectionTally(workshopId: $w) { answer count } }", w=workshop["id"])
    assert {r["answer"]: r["count"] for r in tally["reflectionTally"]} == \
        {"TOO_FEW_PHOTOS": 0, "LOOK_ALIKE": 0, "BACKGROUND": 1}


def test_the_class_page_passes_axe_in_its_states(chromium, stack, lesson_workshop):
    """The children's class page with the background hint, a photo that could not be sent, the
    offline banner, and in English: no serious or critical axe violation (colour contrast
    included) in any of them."""
    workshop = lesson_workshop["workshop"]
    context, page = ipad_page(chromium, workshop["groups"][0]["loginUrl"])
    try:
        circles = workshop["classes"][0]
        page.get_by_test_id(f"class-card-{circles['id']}").tap()
        page.get_by_test_id("class-page").wait_for()
        hint = page.locator('[data-testid="class-hint"][data-code="SAME_BACKGROUND"]')
        hint.wait_for()
        assert "まる / circle" in hint.inner_text() and "はいけい" in hint.inner_text()
        expect(page.locator('[data-testid="photo-hints"]').first).to_have_attribute("data-hints", "SAME_BACKGROUND")
        assert_accessible(page, "class page with the background hint")
        screenshot(page, "i21-03-ipad-background-hint")

        page.get_by_test_id("camera-input").set_input_files(
            files=[{"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all"}])
        page.get_by_test_id("dropped-photo").wait_for()
        assert_accessible(page, "class page with a photo not sent")

        context.set_offline(True)
        page.get_by_test_id("camera-input").set_input_files(
            files=[{"name": "y.jpg", "mimeType": "image/jpeg", "buffer": lesson.jpeg(lesson.draw("circle", (200, 200, 200), 5))}])
        page.get_by_test_id("waiting-banner").wait_for()
        assert_accessible(page, "class page offline")
        page.evaluate("() => document.querySelector('.lang-toggle').click()")
        page.wait_for_selector("html[lang=en]")
        assert "same background" in page.locator('[data-testid="class-hint"][data-code="SAME_BACKGROUND"]').inner_text()
        assert_accessible(page, "class page in English")
        context.set_offline(False)
    finally:
        context.close()
