"""Instructor accounts in the browser (headless Debian Chromium, real BFF and frontend
server): an invitation link, sign-in by email, only one's own workshops, password change
and the sessions list; sharing a workshop through its page's Owners box; and a card scanned
on a device that already has a session asks first."""

from __future__ import annotations

import time

import pytest

from tests.frontend.helpers import Stack, admin_login, assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

EMAIL = "teacher@school.example"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    stack = Stack(tmp_path_factory.mktemp("instructors") / "data", classes="cat,cup", groups=2, with_ml=False)
    yield stack
    stack.stop()


@pytest.fixture
def page(chromium):
    _, browser = chromium
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def who(page) -> dict:
    return page.evaluate("""async () => {
        const r = await fetch('/graphql', {method: 'POST', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({query: '{ me { id } isAdmin }'})});
        return (await r.json()).data; }""")


def wait_for_who(page, expected: dict) -> None:
    """Until the session is ``expected`` (the app may still be navigating when asked)."""
    deadline = time.monotonic() + 15
    while True:
        try:
            current = who(page)
        except Exception as exc:  # noqa: BLE001 - a navigation replaced the page's context
            current = repr(exc)
        if current == expected:
            return
        assert time.monotonic() < deadline, f"{current} != {expected}; {page.url}: {page.inner_text('body')[:300]}"
        time.sleep(0.2)


def test_invited_instructor_signs_in_and_sees_only_their_own(stack, chromium, page):
    admin_login(page, stack.url)  # the laptop's one password: the first org admin
    page.get_by_test_id("nav-instructors").click()
    page.get_by_test_id("invite-email").fill(EMAIL)
    page.get_by_test_id("invite-button").click()
    link = page.get_by_test_id("invite-link").locator("code").inner_text()
    assert link.startswith(stack.url + "/admin/accept#")
    screenshot(page, "admin-instructors")

    _, browser = chromium
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
    try:
        invitee = context.new_page()
        invitee.goto(link)
        invitee.get_by_test_id("accept-password").fill(PASSWORD)
        invitee.get_by_test_id("accept-button").click()
        invitee.get_by_test_id("accept-done").wait_for()
        assert "#" not in invitee.url  # the token left the address bar
        invitee.goto(stack.url + "/admin")
        invitee.get_by_test_id("admin-email").fill(EMAIL)
        invitee.get_by_test_id("admin-password").fill(PASSWORD)
        invitee.get_by_test_id("admin-login-button").click()
        invitee.get_by_test_id("create-workshop").wait_for()
        # The laptop's workshop is the first org admin's: not on this instructor's list.
        assert stack.workshop["title"] not in invitee.inner_text("main")
        assert invitee.get_by_test_id("nav-instructors").count() == 0
        invitee.get_by_test_id("nav-account").click()
        invitee.get_by_test_id("session-row").first.wait_for()
        assert invitee.get_by_test_id("session-row").count() == 1
        invitee.get_by_test_id("current-password").fill(PASSWORD)
        invitee.get_by_test_id("new-password").fill("a new password 1")
        invitee.get_by_test_id("change-password").click()
        invitee.get_by_test_id("password-changed").wait_for()
        screenshot(invitee, "admin-account")
        wait_for_who(invitee, {"me": None, "isAdmin": True})  # this device stays signed in
    finally:
        context.close()


def test_sharing_a_workshop_through_the_owners_box(stack, chromium, page):
    """The workshop page's Owners box shares the workshop with another instructor, who then
    finds it on their own list."""
    colleague = "colleague@school.example"
    admin_login(page, stack.url)
    page.get_by_test_id("nav-instructors").click()
    page.get_by_test_id("invite-email").fill(colleague)
    page.get_by_test_id("invite-button").click()
    link = page.get_by_test_id("invite-link").locator("code").inner_text()

    _, browser = chromium
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
    try:
        other = context.new_page()
        other.set_default_timeout(30_000)
        other.goto(link)
        other.get_by_test_id("accept-password").fill(PASSWORD)
        other.get_by_test_id("accept-button").click()
        other.get_by_test_id("accept-done").wait_for()
        other.goto(stack.url + "/admin")
        other.get_by_test_id("admin-email").fill(colleague)
        other.get_by_test_id("admin-password").fill(PASSWORD)
        other.get_by_test_id("admin-login-button").click()
        other.get_by_test_id("create-workshop").wait_for()
        other.wait_for_load_state("networkidle")  # the list has come
        assert stack.workshop["title"] not in other.inner_text("main")  # not theirs yet

        page.goto(f"{stack.url}/admin/workshops/{stack.workshop['id']}")
        owners = page.get_by_test_id("owners")
        owners.get_by_test_id("owner-list").wait_for()
        assert colleague not in owners.get_by_test_id("owner-list").inner_text()
        owners.get_by_test_id("owner-email").fill(colleague)
        owners.get_by_test_id("add-owner").click()
        page.wait_for_function("""(email) => document.querySelector('[data-testid=owner-list]')
            ?.textContent.includes(email)""", arg=colleague)
        assert owners.get_by_test_id("owner-email").input_value() == ""
        screenshot(page, "admin-workshop-owners")
        assert_accessible(page, "the workshop page with its owners")

        other.reload()
        other.get_by_test_id("create-workshop").wait_for()
        other.get_by_text(stack.workshop["title"]).first.wait_for()  # shared: now on their list
    finally:
        context.close()


def open_card(page, url: str) -> None:
    # Requests of the page left behind still answer with its session cookie (Flask re-sends
    # it on every response), which would undo a login made meanwhile: let them finish.
    page.wait_for_load_state("networkidle")
    page.goto(url)


def test_a_card_on_a_device_with_a_session_asks_before_switching(stack, page):
    first, second = stack.workshop["groups"]
    admin_login(page, stack.url)
    # On the instructor's laptop: asked, and keeping it keeps the instructor signed in.
    open_card(page, first["loginUrl"])
    page.get_by_test_id("join-confirm").wait_for()
    screenshot(page, "join-confirm-teacher")
    page.get_by_test_id("join-keep").click()
    page.get_by_test_id("create-workshop").wait_for()
    wait_for_who(page, {"me": None, "isAdmin": True})
    # Switching is a choice.
    open_card(page, first["loginUrl"])
    page.get_by_test_id("join-switch").click()
    # Wait for the group's screens before asking the server: an ask sent while the login is
    # on its way would carry (and answer with) the old cookie.
    page.get_by_test_id("group-badge").wait_for()
    wait_for_who(page, {"me": {"id": first["id"]}, "isAdmin": False})
    # Another group's card on this iPad: asked again; the same group's card: not asked.
    open_card(page, second["loginUrl"])
    page.get_by_test_id("join-confirm").wait_for()
    assert "#" not in page.url
    page.get_by_test_id("join-keep").click()
    wait_for_who(page, {"me": {"id": first["id"]}, "isAdmin": False})
    open_card(page, first["loginUrl"])
    page.get_by_test_id("group-badge").wait_for()  # the group's screens, with no question on the way
    assert page.get_by_test_id("join-confirm").count() == 0
    wait_for_who(page, {"me": {"id": first["id"]}, "isAdmin": False})
