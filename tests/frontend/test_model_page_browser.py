"""The page at a group's export link runs the model in headless Chromium (TF.js from the same
origin, no account) with a fake camera, shows one bar per class and plays the group's
reaction to the class on top (still with prefers-reduced-motion, a mute toggle), and keeps
working offline once loaded; the Try screen's "Scratch で つかう" panel and the printable take-home
card carry QR codes of that link. Real BFF + frontend server processes, the export written
by the real exporter into their storage (no ML API process needed)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.frontend.helpers import CHROMIUM, CHROMIUM_ARGS, Stack, admin_login, assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    data_dir = tmp_path_factory.mktemp("model-page") / "data"
    stack = Stack(data_dir, classes="🍎 りんご,✏️ えんぴつ", groups=1, with_ml=False)
    yield stack
    stack.stop()


def exported_run(stack, reactions: dict[int, dict] | None = None) -> str:
    """A succeeded QUICK run of the workshop's group, exported into the stack's storage;
    ``reactions``: the group's reaction per class index, saved as setClassReaction does."""
    from bff.models import ClassReaction, Phase, RunStatus, TrainingMode, TrainingRun, Workshop
    from ml_api.checkpoint import save_object
    from ml_api.export import export_run
    from ml_api.heads import LinearHead
    from ml_api.models import MODEL_FORMAT
    from pictolab.storage import open_storage

    data_dir = stack.env["PICTOLAB_DATA_DIR"]
    storage = open_storage(f"file://{data_dir}/storage")
    classes = stack.workshop["classes"]
    engine = create_engine(f"sqlite:///{data_dir}/pictolab.db")
    with Session(engine) as db:
        run = TrainingRun(workshop_id=stack.workshop["id"], group_id=stack.workshop["groups"][0]["id"],
                          mode=TrainingMode.QUICK, status=RunStatus.SUCCEEDED)
        db.add(run)
        db.get(Workshop, stack.workshop["id"]).phase = Phase.TRAIN  # the Try tab is open
        group_id = stack.workshop["groups"][0]["id"]
        for index, reaction in (reactions or {}).items():
            db.merge(ClassReaction(group_id=group_id, class_id=classes[index]["id"], **reaction))
        db.commit()
        run_id, token = run.id, run.export_token
    engine.dispose()
    head = LinearHead(1280, len(classes))
    save_object(storage, f"runs/{run_id}/model.pt", {
        "format": MODEL_FORMAT, "mode": "QUICK", "runId": run_id, "backbone": "efficientnet_lite0",
        "preset": "lite-224", "imageSize": 224, "classes": [c["id"] for c in classes], "args": {},
        "head": head.state_dict()})
    export_run(storage, run_id, {c["id"]: c["name"] for c in classes}, "Test AI",
               reactions_by_class={classes[i]["id"]: r for i, r in (reactions or {}).items()})
    return token


def test_model_page_runs_with_the_camera_and_offline(stack, built_dist, chromium):
    assert (built_dist / "model-page" / "app.js").is_file()
    # A reaction for each class, so whichever the AI picks first plays one.
    reactions = {0: {"emoji": "🎉", "sound": "chime", "words": "りんごだ!"},
                 1: {"emoji": "⭐", "sound": None, "words": "えんぴつ!"}}
    token = exported_run(stack, reactions)
    url = f"{stack.url}/m/{token}/"
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    playwright, _ = chromium  # one Playwright per session (a second one in this thread is refused)
    # A browser of its own: the fake camera is a launch flag.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
    context = browser.new_context(viewport={"width": 800, "height": 1000}, permissions=["camera"])
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(stack.url) else None)
    try:
        page.goto(url)
        page.wait_for_function("() => window.pictolabModel && (window.pictolabModel.ready || "
                               "window.pictolabModel.error)", timeout=120_000)
        state = page.evaluate("() => window.pictolabModel")
        assert state.get("error") is None, state
        assert state["labels"] == [c["name"] for c in stack.workshop["classes"]]
        assert state["backend"] == "wasm"  # (the page's CSP lets WebAssembly compile)
        page.get_by_text("カメラで ためす", exact=False).click()
        page.wait_for_function("() => window.pictolabModel.predictions >= 2", timeout=120_000)
        probabilities = page.evaluate("() => window.pictolabModel.probabilities")
        assert len(probabilities) == 2 and abs(sum(probabilities) - 1) < 1e-3
        assert page.get_by_role("meter").count() == 2
        # The group's reaction to the class on top: its emoji rising, its words, its sound.
        shown = page.evaluate("""() => { const box = document.querySelector('[data-testid=reaction]');
            return { state: window.pictolabModel.reaction, emoji: box.dataset.emoji, motion: box.dataset.motion,
                     bits: box.querySelectorAll('[aria-hidden] span').length, text: box.textContent }; }""")
        expected = reactions[shown["state"]["classIndex"]]
        assert shown["emoji"] == expected["emoji"] and expected["words"] in shown["text"]
        assert shown["motion"] == "full" and shown["bits"] == 5
        assert shown["state"]["played"] == (expected["sound"] is not None)  # not muted
        mute = page.get_by_test_id("mute-toggle")
        mute.click()
        assert mute.get_attribute("aria-pressed") == "true"
        screenshot(page, "model-page")
        assert_accessible(page, "the model page")
        assert external == [], external  # TF.js and the model from the same origin: no CDN

        # Offline once loaded: the service worker answers from its cache.
        page.wait_for_function("() => document.documentElement.dataset.offlineReady === 'true'",
                               timeout=60_000)
        context.set_offline(True)
        page.reload()
        page.wait_for_function("() => window.pictolabModel && (window.pictolabModel.ready || "
                               "window.pictolabModel.error)", timeout=120_000)
        assert page.evaluate("() => window.pictolabModel.error") is None
        assert page.evaluate("() => window.pictolabModel.backend") == "wasm"

        # With prefers-reduced-motion the emoji is simply shown, once.
        still = browser.new_context(viewport={"width": 800, "height": 1000}, permissions=["camera"],
                                    reduced_motion="reduce").new_page()
        still.goto(url)
        still.get_by_text("カメラで ためす", exact=False).click()
        still.wait_for_function("() => window.pictolabModel.predictions >= 1", timeout=120_000)
        box = still.get_by_test_id("reaction")
        assert box.get_attribute("data-motion") == "reduced" and box.locator("[aria-hidden] span").count() == 1
        still.context.close()
    finally:
        context.close()
        browser.close()


def decode_qr(locator) -> str:
    import io

    import zxingcpp
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(locator.screenshot())))
    assert len(results) == 1, "no QR code found"
    return results[0].text


def test_try_panel_and_take_home_card_show_the_link(stack, chromium):
    token = exported_run(stack)
    url = f"{stack.url}/m/{token}/"
    _, browser = chromium
    context = browser.new_context(viewport={"width": 1024, "height": 1300}, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(stack.workshop["groups"][0]["loginUrl"])
        page.get_by_test_id("home-ready").wait_for()
        page.goto(f"{stack.url}/try")
        panel = page.get_by_test_id("scratch-panel")
        panel.wait_for()
        assert panel.get_by_test_id("export-url").inner_text() == url  # the newest exported run
        assert decode_qr(panel.locator("svg.qr")) == url
        assert panel.get_by_test_id("scratch-step").count() == 3
        assert "画像分類モデルURL" in panel.inner_text()
        screenshot(page, "try-scratch-panel")
        assert_accessible(page, "try screen with the Scratch panel")

        admin = context.new_page()
        admin_login(admin, stack.url)
        admin.goto(f"{stack.url}/admin/workshops/{stack.workshop['id']}/cards")
        card = admin.get_by_test_id("takehome-card")
        card.first.wait_for()
        assert card.count() == 1 and card.get_attribute("data-group-id") == stack.workshop["groups"][0]["id"]
        assert decode_qr(card.locator("svg.qr")) == url
        text = card.inner_text()
        assert stack.workshop["groups"][0]["name"] in text
        for cls in stack.workshop["classes"]:
            assert cls["name"] in text
        screenshot(admin, "takehome-cards")
    finally:
        context.close()
