"""The bias lesson's demo photos (bff/lesson.py) through the ML API's own code: the photo hint
SAME_BACKGROUND names every class (each has its own background), a QUICK head trained on them
learns the background (the swapped-background test photos are mostly wrong), and photos of
the same shapes on mixed backgrounds get no such hint."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bff import lesson
from ml_api.embeddings import embed_images
from ml_api.hints import SAME_BACKGROUND, frame_colour, group_hints, same_background_classes
from ml_api.quick import fit_linear_head
from pictolab.storage import open_storage

CPU = torch.device("cpu")
CLASSES = [c.name for c in lesson.CLASSES]


def put(storage, items, prefix):
    out = []
    for i, (_, data) in enumerate(items):
        key = f"photos/{prefix}/{i:03d}.jpg"
        storage.put_bytes(key, data, "image/jpeg")
        out.append((storage.uri(key), key))
    return out


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return open_storage(tmp_path_factory.mktemp("lesson").as_uri())


def test_the_lesson_photos_teach_the_background_and_the_hint_says_so(storage):
    train, test = lesson.training_photos(), lesson.swapped_test_photos()
    train_items, test_items = put(storage, train, "train"), put(storage, test, "test")
    labels = [CLASSES[c] for c, _ in train]
    hints, _ = group_hints(storage, train_items, labels, CLASSES, "efficientnet_lite0", CPU)
    assert all(SAME_BACKGROUND in h.codes for h in hints), [h.codes for h in hints]

    x_train = embed_images(storage, train_items, "efficientnet_lite0", CPU)
    x_test = embed_images(storage, test_items, "efficientnet_lite0", CPU, use_cache=False)
    fit = fit_linear_head(x_train, np.array([c for c, _ in train]), len(CLASSES))
    with torch.no_grad():
        predicted = fit.head(torch.as_tensor(x_test)).argmax(1).numpy()
    truth = np.array([c for c, _ in test])
    # Mostly the class whose background the photo has, not the shape it shows.
    assert (predicted == truth).mean() <= 0.34, predicted
    assert (predicted == (truth + 1) % len(CLASSES)).mean() >= 0.5, predicted


def test_mixed_backgrounds_get_no_hint():
    from PIL import Image

    # Each class on every background: the background tells no class from another.
    images, labels = [], []
    for c, cls in enumerate(lesson.CLASSES):
        for i in range(6):
            background = lesson.CLASSES[i % 3].background
            images.append(lesson.draw(cls.shape, background, 7000 + 10 * c + i))
            labels.append(c)
    colours = np.stack([frame_colour(i) for i in images])
    assert same_background_classes(colours, np.array(labels), 3) == []
    # One class kept on its own background still is named; the others are not.
    own = [lesson.draw("circle", (64, 160, 72), 8000 + i) for i in range(6)]
    mixed = [lesson.draw("star", lesson.CLASSES[1 + i % 2].background, 8100 + i) for i in range(12)]
    colours = np.stack([frame_colour(i) for i in own + mixed])
    assert same_background_classes(colours, np.array([0] * 6 + [1] * 6 + [2] * 6), 3) == [0]
    # Everything on one white table: nothing.
    table = [Image.new("RGB", (64, 48), (235, 235, 230)) for _ in range(9)]
    assert same_background_classes(np.stack([frame_colour(i) for i in table]), np.array([0, 1, 2] * 3), 3) == []
