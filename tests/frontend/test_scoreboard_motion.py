"""In headless Debian Chromium: the projector scoreboard feels alive and
respects ``prefers-reduced-motion``.

No ML API and no training: scored runs are written straight into the workshop's SQLite
database (the scoreboard ranks the best SUCCEEDED run of each group), and the page picks them
up at its next 2 s poll. A recorder injected before the app loads notes, on every frame and on
every class/style change of a scoreboard row, the CSS transitions and animations running on
it (Web Animations API), the FLIP offset (inline ``translateY``) and the row's outline.

* Motion allowed: the group that jumps from last to first starts where it was (a positive
  ``translateY``) and slides (a CSS transition of ``transform``), the group it passes slides
  down, and the jumper gets the ``improved`` highlight (the ``glow`` animation).
* ``reduced_motion="reduce"``: the same change moves no row (no offset, no transition, no
  animation anywhere in the rows) and a still outline marks the jumper instead.

Screenshots: test-artifacts/screenshots/14-admin-scoreboard-motion.png and
14b-admin-scoreboard-reduced-motion.png.
"""

from __future__ import annotations

import pytest

from tests.frontend.helpers import Stack, admin_login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

RECORDER = """
(() => {
  window.__motion = [];
  const seen = new WeakSet();
  const ROW = '[data-testid="scoreboard-row"]';
  const note = (row, entry) => window.__motion.push({group: row.dataset.groupId, t: performance.now(), ...entry});
  const sample = (row) => {
    for (const a of row.getAnimations({subtree: true})) {
      if (seen.has(a)) continue;
      seen.add(a);
      note(row, {kind: a.constructor.name, name: a.transitionProperty || a.animationName || '',
                 onRow: a.effect && a.effect.target === row});
    }
    const offset = row.style.transform;
    if (offset && offset !== 'none') note(row, {kind: 'offset', name: offset});
  };
  const frame = () => {
    document.querySelectorAll(ROW).forEach(sample);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      const row = m.target instanceof Element && m.target.closest(ROW);
      if (!row) continue;
      sample(row);
      if (m.attributeName === 'class') {
        const style = getComputedStyle(row);
        note(row, {kind: 'class', name: row.className,
                   outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0});
      }
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class', 'style']});
})();
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory, built_dist):
    stack = Stack(tmp_path_factory.mktemp("motion") / "data", classes="🍎 りんご,🍌 バナナ", groups=3,
                  with_ml=False)
    yield stack
    stack.stop()


def add_scored_run(stack, group_id: str, accuracy: float) -> None:
    """A finished, scored run, as the training worker would leave it (no hidden test photos:
    scored_test_set None matches, so the worker never tries to score it again)."""
    from bff.db import make_engine, make_sessionmaker, session_scope
    from bff.models import RunStatus, TrainingRun, utcnow
    from pictolab.settings import Settings

    engine = make_engine(Settings.from_env(stack.env).database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as db:
            now = utcnow()
            db.add(TrainingRun(workshop_id=stack.workshop["id"], group_id=group_id, status=RunStatus.SUCCEEDED,
                               progress=1.0, test_accuracy=accuracy, train_accuracy=accuracy, photo_count=10,
                               class_count=2, started_at=now, finished_at=now))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def scored(stack):
    """Every group scored once: 50 %, 40 %, 30 % (ranks 1, 2, 3)."""
    for group, accuracy in zip(stack.workshop["groups"], (0.5, 0.4, 0.3)):
        add_scored_run(stack, group["id"], accuracy)
    return stack


def open_scoreboard(chromium, stack, **context_options):
    _, browser = chromium
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP", **context_options)
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.set_default_timeout(30_000)
    admin_login(page, stack.url)
    page.goto(f"{stack.url}/admin/workshops/{stack.workshop['id']}/scoreboard")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"scoreboard-row\"]').length === 3")
    page.wait_for_timeout(2500)  # at least one more poll: the page has a previous state to compare with
    return context, page


def ranks(page) -> dict[str, int]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-testid="scoreboard-row"]')]
                                    .map((row) => [row.dataset.groupId, Number(row.dataset.rank)]))""")


def jump_last_to_first(page, stack) -> tuple[str, str]:
    """Give the last group a score above everyone's; wait until the page shows it first.
    Returns (the jumper, the group that was first)."""
    before = ranks(page)
    last = max(before, key=before.get)
    first = min(before, key=before.get)
    best = page.evaluate("""() => Math.max(...[...document.querySelectorAll('[data-testid="scoreboard-score"]')]
                                   .map((s) => parseInt(s.textContent, 10) || 0))""")
    page.evaluate("() => { window.__motion.length = 0; }")  # only what this change does
    add_scored_run(stack, last, min(1.0, (best + 10) / 100))
    page.wait_for_function(
        "(id) => document.querySelector(`[data-testid=\"scoreboard-row\"][data-group-id=\"${id}\"]`)?.dataset.rank === '1'",
        arg=last, timeout=15_000)
    return last, first


def records(page, group: str | None = None, kind: str | None = None) -> list[dict]:
    return [r for r in page.evaluate("() => window.__motion")
            if (group is None or r["group"] == group) and (kind is None or r["kind"] == kind)]


def offset_px(record: dict) -> float:
    assert record["name"].startswith("translateY("), record
    return float(record["name"][len("translateY("):].removesuffix(")").removesuffix("px"))


def test_rows_slide_to_their_new_rank_and_a_better_score_glows(chromium, scored):
    context, page = open_scoreboard(chromium, scored)
    try:
        assert not page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        jumper, passed = jump_last_to_first(page, scored)
        # The slide starts two frames after the new order is painted: wait for it.
        page.wait_for_function(
            """(id) => window.__motion.some((r) => r.group === id && r.kind === 'CSSTransition'
                                                  && r.name === 'transform' && r.onRow)""", arg=jumper)
        screenshot(page, "14-admin-scoreboard-motion")  # mid-slide, with the glow
        page.wait_for_timeout(300)
        moved = {r["group"] for r in records(page, kind="CSSTransition") if r["name"] == "transform" and r["onRow"]}
        assert {jumper, passed} <= moved, records(page)

        # FLIP: each row started where it had been: the jumper below (two rows up to go), the
        # group it passed above.
        jumper_offsets = [offset_px(r) for r in records(page, jumper, "offset")]
        passed_offsets = [offset_px(r) for r in records(page, passed, "offset")]
        assert jumper_offsets and max(jumper_offsets) > 50, records(page, jumper)
        assert passed_offsets and min(passed_offsets) < -20, records(page, passed)
        assert max(jumper_offsets) > 1.5 * -min(passed_offsets)  # two places against one

        # The new best score is highlighted: the class, and its glow running.
        classes = [r["name"].split() for r in records(page, jumper, "class")]
        assert any("improved" in c and "moved-up" in c for c in classes), records(page, jumper)
        animations = {r["name"] for r in records(page, jumper, "CSSAnimation")}
        assert {"glow", "pop"} <= animations, records(page, jumper)
        # With motion allowed, the still outline is not used.
        assert all(r["outline"] == "none" for r in records(page, jumper, "class")), records(page, jumper)
    finally:
        context.close()


def test_reduced_motion_marks_the_change_with_a_still_outline(chromium, scored):
    context, page = open_scoreboard(chromium, scored, reduced_motion="reduce")
    try:
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        jumper, passed = jump_last_to_first(page, scored)
        highlighted = [r for r in records(page, jumper, "class") if "improved" in r["name"].split()]
        assert highlighted, records(page, jumper)
        screenshot(page, "14b-admin-scoreboard-reduced-motion")
        page.wait_for_timeout(1000)  # longer than the two frames a slide would wait for

        # Nothing moves: no FLIP offset, no transition, no animation on any row or inside one.
        moving = [r for r in records(page) if r["kind"] != "class"]
        assert moving == [], moving
        assert page.evaluate("""() => document.querySelector('.scoreboard-rows').getAnimations({subtree: true})
                                     .map((a) => a.transitionProperty || a.animationName)""") == []
        # The change is still marked: a still outline around the jumper.
        assert all(r["outline"] == "solid" and r["outlineWidth"] > 0 for r in highlighted), highlighted
        assert "moved-up" in highlighted[0]["name"].split()
        assert ranks(page)[passed] == 2
    finally:
        context.close()
