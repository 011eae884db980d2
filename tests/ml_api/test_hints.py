"""Photo hints on synthetic variations of real photos: too dark, blurry, near-duplicate, and
two classes that look alike to the AI (two classes cut from one texture photo)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance, ImageFilter

from ml_api.hints import (
    BLURRY,
    CLASSES_LOOK_ALIKE,
    NEAR_DUPLICATE,
    TOO_DARK,
    group_hints,
    look_alike_pairs,
    pixel_codes,
    pixel_stats,
)
from pictolab.storage import open_storage
from tests.ml_api.helpers import digit_images, put_photos

CPU = torch.device("cpu")


def photo(name: str, seed: int, side: int = 320) -> Image.Image:
    """A ``side`` px crop of one of scikit-image's photos."""
    from skimage import data

    source = Image.fromarray(getattr(data, name)()).convert("RGB")
    rng = np.random.default_rng(seed)
    x, y = int(rng.integers(0, source.width - side)), int(rng.integers(0, source.height - side))
    return source.crop((x, y, x + side, y + side))


def codes_of(image: Image.Image) -> list[str]:
    return pixel_codes(*pixel_stats(image))


@pytest.mark.parametrize("name", ["coffee", "astronaut", "gravel"])
def test_pixel_codes(name):
    sharp = photo(name, 0)
    assert codes_of(sharp) == []
    assert codes_of(ImageEnhance.Brightness(sharp).enhance(0.2)) == [TOO_DARK]
    assert codes_of(sharp.filter(ImageFilter.GaussianBlur(4))) == [BLURRY]
    assert codes_of(ImageEnhance.Brightness(sharp.filter(ImageFilter.GaussianBlur(4))).enhance(0.2)) == \
        [TOO_DARK, BLURRY]


def test_a_plain_picture_is_not_called_blurry_but_a_dark_one_is_dark():
    assert codes_of(Image.new("RGB", (640, 480), (200, 200, 190))) == []
    assert codes_of(Image.new("RGB", (640, 480), (20, 20, 25))) == [TOO_DARK]


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    """One group's photos in storage: three distinct photos, a burst copy of the first
    (shifted a few pixels, a little brighter), digits 0/1/3, and two 'classes' cut from the
    same brick photo."""
    storage = open_storage(tmp_path_factory.mktemp("hints").as_uri())
    first = photo("coffee", 1, 360)
    burst = ImageEnhance.Brightness(first.crop((6, 4, 354, 354)).resize((360, 360))).enhance(1.1)
    images = [first, photo("astronaut", 2, 360), photo("rocket", 3, 360), burst]
    labels = ["things"] * 4
    digits, digit_labels = digit_images(classes=(0, 1, 3), per_class=8, seed=5)
    images += digits
    labels += digit_labels
    for i in range(16):
        images.append(photo("brick", 100 + i, 200))
        labels.append("brick-a" if i % 2 else "brick-b")
    photos = put_photos(storage, images, labels)
    classes = sorted(set(labels))
    hints, pairs = group_hints(storage, [(p.uri, p.key) for p in photos], labels, classes, "efficientnet_lite0", CPU)
    return photos, hints, pairs


def test_near_duplicates_are_found_in_pairs(group):
    photos, hints, _ = group
    by_uri = {h.uri: h for h in hints}
    first, burst = by_uri[photos[0].uri], by_uri[photos[3].uri]
    assert NEAR_DUPLICATE in first.codes and first.duplicate_of == [photos[3].uri]
    assert NEAR_DUPLICATE in burst.codes and burst.duplicate_of == [photos[0].uri]
    for other in (photos[1], photos[2]):
        assert NEAR_DUPLICATE not in by_uri[other.uri].codes
    # Handwritten digits of one class are alike, yet not copies of each other.
    digit_flags = [h for h, p in zip(hints, photos) if p.label.startswith("digit") and NEAR_DUPLICATE in h.codes]
    assert len(digit_flags) <= 2
    assert [h.uri for h in hints] == [p.uri for p in photos]


def test_upscaled_digits_are_blurry_and_photos_are_not(group):
    photos, hints, _ = group
    for hint, p in zip(hints, photos):
        if p.label.startswith("digit"):  # 8x8 pixels blown up to 96: blurry by construction
            assert BLURRY in hint.codes
        elif p.label == "things":
            assert BLURRY not in hint.codes and TOO_DARK not in hint.codes


def test_classes_cut_from_one_photo_look_alike_and_digits_do_not(group):
    _, _, pairs = group
    assert [(p.a, p.b) for p in pairs if p.code == CLASSES_LOOK_ALIKE] == [("brick-a", "brick-b")], pairs
    assert pairs[0].overlap >= 0.25


def test_look_alike_needs_two_photos_per_class():
    features = np.eye(4, 8, dtype=np.float32) + 0.01
    assert look_alike_pairs(features, np.array([0, 1, 2, 3]), ["a", "b", "c", "d"]) == []
