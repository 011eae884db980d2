"""The admin's QR card page renders one QR per group that decodes to the group's join URL
(headless Debian Chromium + zxing-cpp), against the real BFF and frontend server."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.frontend.helpers import Stack, admin_login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    stack = Stack(tmp_path_factory.mktemp("qr") / "data", classes="🍎 りんご,✏️ えんぴつ", groups=3, with_ml=False)
    yield stack
    stack.stop()


def test_cards_decode_to_each_groups_join_url(stack, chromium):
    import zxingcpp

    _, browser = chromium
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
    page = context.new_page()
    try:
        admin_login(page, stack.url)
        page.goto(f"{stack.url}/admin/workshops/{stack.workshop['id']}/cards")
        cards = page.get_by_test_id("login-card")
        cards.first.wait_for()
        screenshot(page, "admin-qr-cards")
        expected = {g["id"]: g for g in stack.workshop["groups"]}
        assert cards.count() == len(expected) == 3
        decoded = {}
        for index in range(cards.count()):
            card = cards.nth(index)
            group = expected[card.get_attribute("data-group-id")]
            assert group["name"] in card.inner_text()
            assert group["emoji"] in card.inner_text()
            png = card.locator("svg.qr").screenshot()
            results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
            assert len(results) == 1, f"no QR found on the card of {group['name']}"
            assert results[0].format == zxingcpp.BarcodeFormat.QRCode
            decoded[group["id"]] = results[0].text
        assert decoded == {gid: g["loginUrl"] for gid, g in expected.items()}
        # The token is in the fragment: a browser opening the card never sends it.
        assert all(url.startswith(stack.url + "/join#") for url in decoded.values())
    finally:
        context.close()


def test_workshop_created_in_the_admin_prints_cards_that_log_in(stack, chromium):
    """Create a workshop with the admin form, print its cards, scan one: that group is in."""
    import zxingcpp

    _, browser = chromium
    admin_context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
    ipad_context = browser.new_context(viewport={"width": 810, "height": 1080}, has_touch=True, locale="ja-JP")
    page = admin_context.new_page()
    try:
        admin_login(page, stack.url)
        form = page.get_by_test_id("create-workshop")
        form.get_by_test_id("workshop-title").fill("Form workshop")
        for index, name in enumerate(["コップ", "えんぴつ", "ぱぴぷぺ"]):
            form.get_by_test_id(f"class-name-{index}").fill(name)
        form.get_by_test_id("class-emoji-0").select_option("🥤")  # chosen; the others: おまかせ
        form.get_by_test_id("workshop-groups").fill("2")
        assert "グループ数" in form.inner_text()  # a Japanese browser gets the Japanese admin
        screenshot(page, "admin-create-workshop")
        form.get_by_test_id("create-workshop-button").click()
        page.get_by_test_id("admin-workshop").wait_for()
        workshop_id = page.url.rsplit("/", 1)[1]
        assert "Form workshop" in page.inner_text("h1")
        page.get_by_test_id("cards-link").click()
        cards = page.get_by_test_id("login-card")
        cards.first.wait_for()
        assert page.url.endswith(f"/admin/workshops/{workshop_id}/cards")
        assert cards.count() == 2
        png = cards.nth(1).locator("svg.qr").screenshot()
        [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        group_name = cards.nth(1).locator(".login-card-name").inner_text()

        ipad = ipad_context.new_page()
        ipad.goto(result.text)
        ipad.get_by_test_id("home-ready").wait_for()
        assert ipad.get_by_test_id("group-badge").inner_text().strip().endswith(group_name)
        names = ipad.locator(".class-name").all_inner_texts()
        assert names == ["コップ", "えんぴつ", "ぱぴぷぺ"]
        # Chosen, from the built-in table, and a neutral shape for a name it does not know:
        # never an object picked by position.
        emoji = ipad.locator(".class-emoji").all_inner_texts()
        assert emoji == ["🥤", "✏️", "🟢"]
    finally:
        admin_context.close()
        ipad_context.close()
