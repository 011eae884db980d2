"""The venue's networks on the admin workshop page (headless Debian Chromium, real BFF and
frontend server): the page suggests this device's network, saves it, and the workshop's cards
then work only from the networks saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.frontend.helpers import Stack, admin_login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

LOGIN = """async (token) => {
    const r = await fetch('/graphql', {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({query: 'mutation($t: String!) { login(token: $t) { id } }', variables: {t: token}})});
    const body = await r.json();
    return body.errors ? body.errors[0].extensions.code : body.data.login.id; }"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    stack = Stack(tmp_path_factory.mktemp("networks") / "data", classes="cat,cup", groups=2, with_ml=False)
    yield stack
    stack.stop()


def test_the_workshop_page_suggests_and_saves_the_venue_network(stack, chromium):
    _, browser = chromium
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    admin_login(page, stack.url)
    page.goto(f"{stack.url}/admin/workshops/{stack.workshop['id']}")
    panel = page.get_by_test_id("networks")
    # This laptop talks to the BFF over loopback: its network is 127.0.0.0/24.
    expect(panel.get_by_test_id("my-network")).to_have_text("127.0.0.0/24")
    assert panel.get_by_test_id("networks-input").input_value() == ""
    panel.get_by_test_id("networks-add-mine").click()
    assert panel.get_by_test_id("networks-input").input_value() == "127.0.0.0/24"
    panel.get_by_test_id("networks-save").click()
    panel.get_by_test_id("networks-saved").wait_for()
    screenshot(page, "admin-networks")
    cards = stack.workshop["groups"]
    ipad = browser.new_context(viewport={"width": 810, "height": 1080}).new_page()
    ipad.goto(stack.url + "/nope")  # any page of the site, for same-origin fetches
    assert ipad.evaluate(LOGIN, cards[0]["token"]) == cards[0]["id"]

    # A typo is refused where it was typed, and nothing changes.
    panel.get_by_test_id("networks-input").fill("203.0.113.0/24, nope")
    panel.get_by_test_id("networks-save").click()
    error = panel.get_by_test_id("admin-error")
    error.wait_for()
    assert error.get_attribute("data-code") == "BAD_USER_INPUT"
    assert ipad.evaluate(LOGIN, cards[1]["token"]) == cards[1]["id"]

    # Another venue: this network's cards stop working at once.
    panel.get_by_test_id("networks-input").fill("203.0.113.0/24")
    panel.get_by_test_id("networks-save").click()
    panel.get_by_test_id("networks-saved").wait_for()
    other = browser.new_context().new_page()
    other.goto(stack.url + "/nope")
    assert other.evaluate(LOGIN, cards[1]["token"]) == "FORBIDDEN"
    page.reload()
    expect(page.get_by_test_id("networks-input")).to_have_value("203.0.113.0/24")
    context.close()
