"""Class emoji: "name:emoji" parsing (the CLI's --classes), the built-in defaults, and the
GraphQL createWorkshop(emojis:) / Class.emoji / Workshop.minPhotosPerClass fields."""

from __future__ import annotations

import pytest

from bff.workshops import NEUTRAL_EMOJI, default_class_emoji, is_emoji, parse_class_spec, parse_class_specs
from pictolab.contract.errors import BadInput
from tests.bff.helpers import admin_login


@pytest.mark.parametrize("spec,expected", [
    ("りんご:🍎", ("りんご", "🍎")),
    (" バナナ : 🍌 ", ("バナナ", "🍌")),
    ("cat", ("cat", None)),
    ("cup:", ("cup", None)),
    ("10:00:⏰", ("10:00", "⏰")),
    ("えんぴつ:✏️", ("えんぴつ", "✏️")),          # with a variation selector
    ("family:👨‍👩‍👧", ("family", "👨‍👩‍👧")),        # a ZWJ sequence
    ("japan:🇯🇵", ("japan", "🇯🇵")),              # a flag
])
def test_parse_class_spec(spec, expected):
    assert parse_class_spec(spec) == expected


@pytest.mark.parametrize("spec", ["りんご:apple", "10:00", "cat:🍎🍌🍎🍌🍎", "dog:a🐶"])
def test_parse_class_spec_rejects_what_is_not_one_emoji(spec):
    with pytest.raises(BadInput):
        parse_class_spec(spec)


def test_parse_class_specs_like_the_cli():
    assert parse_class_specs("りんご:🍎,バナナ:🍌, ねこ ,") == (["りんご", "バナナ", "ねこ"], ["🍎", "🍌", None])


@pytest.mark.parametrize("text,ok", [("🍎", True), ("✂️", True), ("a", False), ("", False), ("🍎a", False)])
def test_is_emoji(text, ok):
    assert is_emoji(text) is ok


def test_default_emoji_fits_the_name_or_is_a_neutral_shape():
    assert default_class_emoji("バナナ", 0) == "🍌"       # never a car (the old pick by position)
    assert default_class_emoji("Bananas", 1) == "🍌"
    assert default_class_emoji("りんご", 5) == "🍎"
    assert default_class_emoji("🧱 れんが", 0) == "🧱"     # an emoji already in the name
    unknown = [default_class_emoji("ぱぴぷぺ", i) for i in range(3)]
    assert unknown == list(NEUTRAL_EMOJI[:3])           # distinct neutral shapes, no objects


def test_bilingual_names_read_the_table_part_by_part():
    from types import SimpleNamespace

    from bff.workshops import class_emoji

    # The demo workshop's classes (pictolab up).
    assert [default_class_emoji(n, i) for i, n in enumerate(["りんご / apple", "えんぴつ / pencil",
                                                             "はさみ / scissors"])] == ["🍎", "✏️", "✂️"]
    assert default_class_emoji("Apple／りんご", 0) == "🍎"
    assert default_class_emoji("ぱぴぷぺ / papipupe", 1) == NEUTRAL_EMOJI[1]
    # A workshop stored before this: the neutral fallback it got gives way to the table's...
    assert class_emoji(SimpleNamespace(name="りんご / apple", position=0, emoji=NEUTRAL_EMOJI[0])) == "🍎"
    # ...but a chosen emoji (even a shape at another position) stays.
    assert class_emoji(SimpleNamespace(name="りんご / apple", position=0, emoji=NEUTRAL_EMOJI[3])) == NEUTRAL_EMOJI[3]
    assert class_emoji(SimpleNamespace(name="りんご / apple", position=0, emoji="🍏")) == "🍏"


CREATE = """mutation($t: String!, $c: [String!]!, $g: Int!, $e: [String]) {
  createWorkshop(title: $t, classes: $c, groups: $g, emojis: $e) {
    id minPhotosPerClass classes { name emoji } } }"""


def test_graphql_create_with_chosen_and_default_emoji(client):
    admin_login(client)
    workshop = client.data(CREATE, t="T", c=["りんご", "バナナ", "ぱぴぷぺ"], g=1, e=["🍏", None, ""])["createWorkshop"]
    assert workshop["classes"] == [{"name": "りんご", "emoji": "🍏"}, {"name": "バナナ", "emoji": "🍌"},
                                   {"name": "ぱぴぷぺ", "emoji": NEUTRAL_EMOJI[2]}]
    assert workshop["minPhotosPerClass"] == 5  # the BFF's setting, not a constant in the SPA


def test_graphql_create_parses_name_emoji_without_the_list(client):
    admin_login(client)
    workshop = client.data(CREATE, t="T", c=["りんご:🍎", "バナナ:🍌"], g=1, e=None)["createWorkshop"]
    assert workshop["classes"] == [{"name": "りんご", "emoji": "🍎"}, {"name": "バナナ", "emoji": "🍌"}]


@pytest.mark.parametrize("classes,emojis", [(["a", "b"], ["🍎"]), (["a", "b"], ["🍎", "x"]), (["a:x", "b"], None)])
def test_graphql_create_rejects_bad_emoji(client, classes, emojis):
    admin_login(client)
    assert client.error_code(CREATE, t="T", c=classes, g=1, e=emojis) == "BAD_USER_INPUT"
