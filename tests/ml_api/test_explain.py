"""Heatmaps ("where the AI looked"): the CAM/Grad-CAM arithmetic, the map laid over the whole
photo, and real behaviour: a tiny QUICK model trained on textured squares placed left or
right on a plain background puts the map's mass on the square's side (and so does Grad-CAM
on a DEEP model with the same head)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from ml_api.backbones import get_spec
from ml_api.embeddings import embed_images
from ml_api.explain import (
    CROP_CELLS,
    class_activation_map,
    crop_box,
    fold_linear_head,
    grad_cam,
    normalise,
    to_photo,
)
from ml_api.heads import LinearHead
from ml_api.models import MODEL_FORMAT, DeepClassifier, LoadedModel
from ml_api.quick import fit_linear_head
from pictolab.storage import open_storage
from tests.ml_api.helpers import put_photos

CPU = torch.device("cpu")
SIDE, SQUARE = 224, 84


# ---- arithmetic -------------------------------------------------------------------------------
def test_crop_box_matches_torchvision_resize_and_center_crop():
    from torchvision import transforms

    for width, height in ((640, 480), (480, 640), (300, 300), (1001, 333), (96, 96)):
        box = crop_box(width, height, 224)
        resized = transforms.Resize(224)(Image.new("RGB", (width, height)))
        assert (box.resized_width, box.resized_height) == resized.size
        # CenterCrop keeps exactly the pixels at [left, left + 224) x [top, top + 224).
        marked = Image.new("L", resized.size)
        marked.putpixel((box.left, box.top), 255)
        cropped = np.asarray(transforms.CenterCrop(224)(marked))
        assert cropped[0, 0] == 255


def test_quick_cam_is_exact_decomposition_of_the_logits():
    """The folded head applied per position averages to the logit (minus the class mean)."""
    torch.manual_seed(0)
    head = LinearHead(16, 3)
    with torch.no_grad():
        head.mean.copy_(torch.randn(16))
        head.std.copy_(torch.rand(16) + 0.5)  # per-feature scales fold too, not only one scale
        head.linear.weight.copy_(torch.randn(3, 16))
        head.linear.bias.copy_(torch.randn(3))
    feature_map = torch.rand(16, 5, 7)
    logits = head(feature_map.mean((1, 2))[None])[0].detach()
    weight, bias = fold_linear_head(head)
    for c in range(3):
        cam = class_activation_map(feature_map, weight, bias, c)
        assert cam.shape == (5, 7)
        assert cam.mean().item() == pytest.approx((logits[c] - logits.mean()).item(), abs=1e-4)


def test_grad_cam_of_a_linear_head_on_pooled_maps_is_its_cam():
    """d logit_c / d A_k(i, j) = W_ck / hw for mean pooling + linear: Grad-CAM must give the
    (bias-free, uncentred) class map, up to scale: a check of the gradient plumbing."""
    torch.manual_seed(1)
    linear = torch.nn.Linear(8, 4)
    feature_map = torch.randn(8, 6, 6)
    got = normalise(grad_cam(feature_map, lambda maps: linear(maps.mean((2, 3))), 2))
    expected = normalise(torch.einsum("chw,c->hw", feature_map, linear.weight[2].detach()))
    assert torch.allclose(got, expected, atol=1e-5)


def test_map_covers_the_whole_photo_and_is_zero_where_the_model_never_looked():
    cam = torch.ones(7, 7)
    landscape = to_photo(cam, 448, 224, 224)  # the crop is the middle half
    assert (landscape.width, landscape.height) == (2 * CROP_CELLS, CROP_CELLS)
    grid = np.array(landscape.values).reshape(landscape.height, landscape.width)
    quarter = CROP_CELLS // 2
    assert (grid[:, :quarter] == 0).all() and (grid[:, -quarter:] == 0).all()
    assert np.allclose(grid[:, quarter:-quarter], 1.0)

    portrait = to_photo(cam, 300, 600, 224)
    assert (portrait.width, portrait.height) == (CROP_CELLS, 2 * CROP_CELLS)
    assert len(portrait.values) == portrait.width * portrait.height

    # A hot left column of the feature map lands on the left of the crop, not the photo's edge.
    hot = torch.zeros(7, 7)
    hot[:, 0] = 1
    grid = np.array(to_photo(hot, 448, 224, 224).values).reshape(CROP_CELLS, 2 * CROP_CELLS)
    columns = grid.sum(0)
    assert columns[:quarter].sum() == 0 and columns.argmax() == quarter


def test_normalise_keeps_positive_evidence_in_unit_range():
    assert normalise(torch.tensor([[-2.0, 1.0], [4.0, 0.0]])).tolist() == [[0.0, 0.25], [1.0, 0.0]]
    assert normalise(-torch.ones(3, 3)).sum() == 0  # nothing speaks for the class: an empty map


# ---- behaviour on images ------------------------------------------------------------------------
def square_on_background(texture: str, side: str, rng) -> Image.Image:
    """A textured square on the ``side`` half of a plain grey picture."""
    from skimage import data

    photo = getattr(data, texture)()
    y, x = rng.integers(0, photo.shape[0] - SQUARE), rng.integers(0, photo.shape[1] - SQUARE)
    patch = Image.fromarray(np.ascontiguousarray(photo[y:y + SQUARE, x:x + SQUARE])).convert("RGB")
    canvas = Image.new("RGB", (SIDE, SIDE), (128, 128, 128))
    left = int(rng.integers(4, SIDE // 2 - SQUARE - 4)) if side == "left" else \
        int(rng.integers(SIDE // 2 + 4, SIDE - SQUARE - 4))
    canvas.paste(patch, (left, int(rng.integers(4, SIDE - SQUARE - 4))))
    return canvas


@pytest.fixture(scope="module")
def squares(tmp_path_factory):
    """A QUICK model (real frozen backbone, fitted head) telling brick from grass squares that
    sit anywhere left or right, and test photos with the square's side known."""
    storage = open_storage(tmp_path_factory.mktemp("explain").as_uri())
    rng = np.random.default_rng(7)
    classes = ["brick", "grass"]
    images, labels = [], []
    for label in classes:
        for i in range(8):
            images.append(square_on_background(label, ("left", "right")[i % 2], rng))
            labels.append(label)
    photos = put_photos(storage, images, labels, fmt="PNG")
    features = embed_images(storage, [(p.uri, p.key) for p in photos], "efficientnet_lite0", CPU, use_cache=False)
    fit = fit_linear_head(features, np.array([classes.index(l) for l in labels]), len(classes))
    assert fit.train_accuracy == 1.0
    saved = {"format": MODEL_FORMAT, "mode": "QUICK", "backbone": "efficientnet_lite0", "preset": "lite-224",
             "imageSize": SIDE, "classes": classes, "head": fit.head.state_dict()}
    tests = []
    for label in classes:
        for side in ("left", "right", "left", "right"):
            tests.append((square_on_background(label, side, rng), label, side))
    test_photos = put_photos(storage, [t[0] for t in tests], [t[1] for t in tests], fmt="PNG")
    return storage, saved, fit.head, [(p, side) for p, (_, _, side) in zip(test_photos, tests)]


def left_share(heatmap) -> float:
    grid = np.array(heatmap.values).reshape(heatmap.height, heatmap.width)
    return float(grid[:, :heatmap.width // 2].sum() / grid.sum())


def check_mass_on_the_square(model: LoadedModel, storage, test_photos) -> None:
    correct = 0
    for photo, side in test_photos:
        probabilities, heatmap = model.explain(storage, photo.uri, photo.key)
        assert probabilities.shape == (2,) and probabilities.sum() == pytest.approx(1, abs=1e-5)
        correct += model.classes[int(probabilities.argmax())] == photo.label
        assert heatmap.width >= 7 and heatmap.height >= 7
        assert len(heatmap.values) == heatmap.width * heatmap.height
        assert min(heatmap.values) >= 0 and max(heatmap.values) == pytest.approx(1.0)
        share = left_share(heatmap)
        assert (share if side == "left" else 1 - share) >= 0.75, (photo.label, side, share)
    assert correct >= len(test_photos) - 1


def test_quick_cam_mass_sits_on_the_object(squares):
    storage, saved, _, test_photos = squares
    model = LoadedModel(saved, CPU)
    check_mass_on_the_square(model, storage, test_photos)
    # explain's probabilities are the ones predict/evaluate compute.
    photo = test_photos[0][0]
    batch = model.probabilities(storage, [(photo.uri, photo.key)], use_cache=False)[0]
    assert np.allclose(model.explain(storage, photo.uri, photo.key)[0], batch, atol=1e-4)


def test_deep_grad_cam_mass_sits_on_the_object(squares):
    """A DEEP model whose backbone is the pretrained one and whose head is the QUICK head,
    folded: a classifier known to work, served by the DEEP path (unfused net, Grad-CAM)."""
    storage, saved, head, test_photos = squares
    spec = get_spec("efficientnet_lite0")
    net = DeepClassifier(spec.build(True), spec.feature_dim, 2)
    weight, bias = fold_linear_head(head)
    with torch.no_grad():
        net.head.weight.copy_(weight)
        net.head.bias.copy_(bias)
    deep = {**saved, "mode": "DEEP", "weights": net.state_dict()}
    del deep["head"]
    check_mass_on_the_square(LoadedModel(deep, CPU), storage, test_photos)


def test_heatmap_of_a_wide_photo_is_zero_outside_the_crop(squares):
    storage, saved, _, _ = squares
    rng = np.random.default_rng(3)
    wide = Image.new("RGB", (2 * SIDE, SIDE), (128, 128, 128))
    wide.paste(square_on_background("brick", "left", rng), (SIDE // 2, 0))
    wide.paste(Image.new("RGB", (SQUARE, SQUARE), (250, 250, 250)), (4, 60))  # outside the crop
    [photo] = put_photos(storage, [wide], ["brick"], fmt="PNG")
    _, heatmap = LoadedModel(saved, CPU).explain(storage, photo.uri, photo.key)
    assert (heatmap.width, heatmap.height) == (2 * CROP_CELLS, CROP_CELLS)
    grid = np.array(heatmap.values).reshape(heatmap.height, heatmap.width)
    assert grid[:, :CROP_CELLS // 2].sum() == 0 and grid[:, -(CROP_CELLS // 2):].sum() == 0
    assert grid.max() == pytest.approx(1.0)
