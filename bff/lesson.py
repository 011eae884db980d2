"""The bias lesson (``pictolab workshop create --template background``): a ready workshop whose
demo photos teach an AI the wrong thing.

Every training photo of a class shows its shape on the *same* coloured background (circles on
green, triangles on blue, stars on orange), so the background alone tells the classes apart,
and the AI learns the background: its heatmap lights up the background, the photo hint
``SAME_BACKGROUND`` says so, and the hidden test photos, where the backgrounds are swapped,
score badly. The children then photograph the shapes (or anything) on other backgrounds and
train again. The photos are drawn here by code (shapes, no people), the same on every run,
so nothing is downloaded and nothing personal is involved.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

TITLE = "はいけいの ひみつ / The background secret"
SIZE = (256, 192)


@dataclass(frozen=True)
class LessonClass:
    name: str
    emoji: str
    shape: str
    background: tuple[int, int, int]


CLASSES = (
    LessonClass("まる / circle", "⭕", "circle", (64, 160, 72)),       # green
    LessonClass("さんかく / triangle", "🔺", "triangle", (60, 110, 200)),  # blue
    LessonClass("ほし / star", "⭐", "star", (235, 140, 40)),           # orange
)
TRAIN_PER_CLASS = 8
TEST_PER_CLASS = 4
# Shape colours: none of them is a background colour, and each class gets all of them.
SHAPE_COLOURS = ((250, 250, 245), (30, 30, 35), (220, 40, 60), (250, 215, 40), (150, 80, 200))


def _polygon(shape: str, cx: float, cy: float, r: float, turn: float) -> list[tuple[float, float]]:
    if shape == "triangle":
        points = [(r, turn + k * 2 * math.pi / 3) for k in range(3)]
    else:  # a five-pointed star
        points = [(r if k % 2 == 0 else r * 0.45, turn + k * math.pi / 5) for k in range(10)]
    return [(cx + d * math.cos(a), cy + d * math.sin(a)) for d, a in points]


def _background(colour: tuple[int, int, int], rng: np.random.Generator) -> Image.Image:
    """A sharp, busy background of one colour: strokes of lighter and darker shades (like
    grass, cloth or paper), so it fills the photo the way a real table or wall does."""
    w, h = SIZE
    base = np.array(colour, dtype=np.float32)
    pixels = np.clip(base + rng.normal(0, 8, (h, w, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    canvas = ImageDraw.Draw(image)
    for _ in range(260):
        x, y = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        length, angle = float(rng.uniform(6, 22)), float(rng.uniform(0, math.pi))
        tone = tuple(int(v) for v in np.clip(base * rng.uniform(0.6, 1.35), 0, 255))
        canvas.line((x, y, x + length * math.cos(angle), y + length * math.sin(angle)), fill=tone,
                    width=int(rng.integers(1, 4)))
    return image


def draw(shape: str, background: tuple[int, int, int], seed: int) -> Image.Image:
    """One demo photo: a small ``shape`` somewhere on a busy ``background``."""
    rng = np.random.default_rng(seed)
    w, h = SIZE
    image = _background(background, rng)
    canvas = ImageDraw.Draw(image)
    r = float(rng.uniform(12, 20))
    cx, cy = float(rng.uniform(r + 8, w - r - 8)), float(rng.uniform(r + 8, h - r - 8))
    colour = SHAPE_COLOURS[int(rng.integers(len(SHAPE_COLOURS)))]
    if shape == "circle":
        canvas.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        canvas.polygon(_polygon(shape, cx, cy, r, float(rng.uniform(0, 2 * math.pi))), fill=colour)
    return image


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def training_photos() -> list[tuple[int, bytes]]:
    """[(class index, JPEG bytes)]: each class's shape on its own background."""
    return [(c, jpeg(draw(cls.shape, cls.background, 1000 * c + i)))
            for c, cls in enumerate(CLASSES) for i in range(TRAIN_PER_CLASS)]


def swapped_test_photos() -> list[tuple[int, bytes]]:
    """[(class index, JPEG bytes)]: each class's shape on the *next* class's background."""
    return [(c, jpeg(draw(cls.shape, CLASSES[(c + 1) % len(CLASSES)].background, 50_000 + 1000 * c + i)))
            for c, cls in enumerate(CLASSES) for i in range(TEST_PER_CLASS)]


def create_background_workshop(db, storage, settings, *, groups: int, actor: str, title: str | None = None):
    """The lesson's workshop, in TRAIN: every group already holds the training photos, the
    hidden test set holds the swapped ones. Friends' AIs are on, to compare."""
    from . import photos, workshops
    from .models import Phase

    workshop = workshops.create_workshop(db, title=title or TITLE, classes=[c.name for c in CLASSES],
                                         emojis=[c.emoji for c in CLASSES], groups=groups, actor=actor)
    workshop.phase = Phase.TRAIN
    workshop.friends_ais = True
    db.commit()
    train, test = training_photos(), swapped_test_photos()
    for group in workshop.groups:
        for c, data in train:
            photos.store_photo(db, storage, settings, workshop=workshop, group=group,
                               photo_class=workshop.classes[c], data=data, actor=actor)
    for c, data in test:
        photos.store_photo(db, storage, settings, workshop=workshop, group=None,
                           photo_class=workshop.classes[c], data=data, actor=actor)
    return workshop
