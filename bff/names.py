"""Group names chosen by the app: animals (Japanese / English), an emoji and a colour.
Never a child's name."""

from __future__ import annotations

ANIMALS: tuple[tuple[str, str], ...] = (
    ("パンダ / Panda", "🐼"),
    ("ペンギン / Penguin", "🐧"),
    ("キツネ / Fox", "🦊"),
    ("ウサギ / Rabbit", "🐰"),
    ("コアラ / Koala", "🐨"),
    ("ライオン / Lion", "🦁"),
    ("カエル / Frog", "🐸"),
    ("タコ / Octopus", "🐙"),
    ("クジラ / Whale", "🐳"),
    ("フクロウ / Owl", "🦉"),
    ("トラ / Tiger", "🐯"),
    ("ゾウ / Elephant", "🐘"),
    ("キリン / Giraffe", "🦒"),
    ("イルカ / Dolphin", "🐬"),
    ("カメ / Turtle", "🐢"),
    ("ハリネズミ / Hedgehog", "🦔"),
    ("ヒヨコ / Chick", "🐤"),
    ("サル / Monkey", "🐵"),
    ("ネコ / Cat", "🐱"),
    ("イヌ / Dog", "🐶"),
    ("クマ / Bear", "🐻"),
    ("ブタ / Pig", "🐷"),
    ("ウシ / Cow", "🐮"),
    ("ウマ / Horse", "🐴"),
)

# Distinct, readable on white and on a projector.
COLORS: tuple[str, ...] = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#469990", "#800000", "#808000", "#000075",
)


def group_identity(index: int) -> tuple[str, str, str]:
    """(name, emoji, colour) of the ``index``-th group of a workshop; unique per workshop."""
    name, emoji = ANIMALS[index % len(ANIMALS)]
    round_ = index // len(ANIMALS)
    if round_:
        name = f"{name} {round_ + 1}"
    return name, emoji, COLORS[index % len(COLORS)]
