"""Photo hints a child can act on before training, from pixels and the cached embedding.

Per photo (stable codes, the BFF turns them into friendly sentences):

- ``TOO_DARK``: mean luminance below :data:`DARK_MEAN`;
- ``BLURRY``: variance of the Laplacian of the grey photo at the model's scale (shorter side
  224 px), divided by the squared mean grey level, below :data:`BLUR_SHARPNESS` — blur the
  model cannot see at that scale does not matter to it; dividing by the brightness keeps a
  dark but sharp photo from also being called blurry (a gain scales both alike); a flat
  picture (a blank wall) has no edges to be sharp and is not called blurry;
- ``NEAR_DUPLICATE``: cosine similarity of its embedding with another photo of the group at
  least :data:`DUPLICATE_COSINE` (a burst of near-identical shots teaches little).

Per pair of classes: ``CLASSES_LOOK_ALIKE`` when their embeddings overlap: the share of the two
classes' photos that sit nearer the *other* class's centroid than their own (own centroid
without the photo itself; cosine on L2-normalised embeddings) is at least
:data:`LOOK_ALIKE_OVERLAP`.

Per class: ``SAME_BACKGROUND`` on each photo of a class whose photos all have the same
background (the mean colour of the photo's outer frame, :data:`FRAME_SHARE` of each side)
while every photo of the other classes has another: the AI can then tell the class by its
background instead of the object (the bias lesson, ``pictolab workshop create --template
background``). "The same" is every photo's frame colour within :data:`BACKGROUND_SPREAD` of the
class's mean (RGB in [0, 1], Euclidean), "another" at least :data:`BACKGROUND_SEPARATION` away
and more than twice the spread; a class needs :data:`BACKGROUND_MIN_PHOTOS` photos, and when
every class is photographed on the same table nothing is flagged (the background tells no
class from another).

Thresholds were set on scikit-image photos and scikit-learn digits (ml_api tests): sharp
224 px photos measured a sharpness of 0.022-0.18, the same blurred by a 2 px Gaussian
0.0004-0.0055; near-identical burst shots (shifted a few pixels, 10 % brighter) a cosine of 0.97-0.99,
different crops of one texture photo 0.90 at the median and 0.965 at the 99th percentile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

TOO_DARK, BLURRY, NEAR_DUPLICATE = "TOO_DARK", "BLURRY", "NEAR_DUPLICATE"
CLASSES_LOOK_ALIKE = "CLASSES_LOOK_ALIKE"
SAME_BACKGROUND = "SAME_BACKGROUND"

DARK_MEAN = 0.2  # mean luminance in [0, 1]
BLUR_SHARPNESS = 0.01  # Laplacian variance / mean grey level squared, shorter side 224 px
FLAT_CONTRAST = 0.05  # grey std / mean below which a photo has nothing to be sharp
DUPLICATE_COSINE = 0.965
LOOK_ALIKE_OVERLAP = 0.25
ANALYSIS_SIDE = 224
FRAME_SHARE = 0.12
BACKGROUND_SPREAD = 0.12
BACKGROUND_SEPARATION = 0.2
BACKGROUND_MIN_PHOTOS = 3


@dataclass
class PhotoHint:
    uri: str
    codes: list[str] = field(default_factory=list)
    brightness: float = 0.0  # mean luminance in [0, 1]
    sharpness: float = 0.0  # Laplacian variance / mean grey level squared (see the module doc)
    duplicate_of: list[str] = field(default_factory=list)  # uris of its near-duplicates


@dataclass(frozen=True)
class ClassPairHint:
    a: str
    b: str
    overlap: float
    code: str = CLASSES_LOOK_ALIKE


def pixel_stats(image: Image.Image) -> tuple[float, float, float]:
    """(mean luminance in [0, 1], contrast = grey std / mean, sharpness) at the model's scale."""
    grey = image.convert("L")
    scale = ANALYSIS_SIDE / min(grey.size)
    grey = grey.resize((max(3, round(grey.width * scale)), max(3, round(grey.height * scale))), Image.BILINEAR)
    a = np.asarray(grey, dtype=np.float32)
    laplacian = a[1:-1, :-2] + a[1:-1, 2:] + a[:-2, 1:-1] + a[2:, 1:-1] - 4 * a[1:-1, 1:-1]
    mean = max(float(a.mean()), 1.0)  # a black frame: no division by zero
    return float(a.mean() / 255), float(a.std()) / mean, float(laplacian.var()) / mean ** 2


def pixel_codes(brightness: float, contrast: float, sharpness: float) -> list[str]:
    codes = []
    if brightness < DARK_MEAN:
        codes.append(TOO_DARK)
    if sharpness < BLUR_SHARPNESS and contrast >= FLAT_CONTRAST:
        codes.append(BLURRY)
    return codes


def _unit(features: np.ndarray) -> np.ndarray:
    return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)


def near_duplicates(features: np.ndarray, threshold: float = DUPLICATE_COSINE) -> list[list[int]]:
    """For each photo, the indices of the others whose embedding is within ``threshold``."""
    unit = _unit(features)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -1.0)
    return [np.flatnonzero(row >= threshold).tolist() for row in similarity]


def class_overlap(features: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(C, C) matrix: entry [a, b] = photos of class a nearer b's centroid than their own
    (leave-one-out own centroid). Classes with a single photo have no leave-one-out centroid:
    their rows stay 0."""
    unit = _unit(features)
    counts = np.bincount(labels, minlength=n_classes)
    sums = np.stack([unit[labels == c].sum(0) if counts[c] else np.zeros(unit.shape[1]) for c in range(n_classes)])
    overlap = np.zeros((n_classes, n_classes), dtype=int)
    for i, (vector, label) in enumerate(zip(unit, labels)):
        if counts[label] < 2:
            continue
        centroids = sums.copy()
        centroids[label] -= vector  # its own class without it
        present = counts - (np.arange(n_classes) == label) > 0
        similarity = _unit(centroids) @ vector
        similarity[~present] = -np.inf
        nearest = int(np.argmax(similarity))
        if nearest != label:
            overlap[label, nearest] += 1
    return overlap


def look_alike_pairs(features: np.ndarray, labels: np.ndarray, classes: list[str], *,
                     threshold: float = LOOK_ALIKE_OVERLAP) -> list[ClassPairHint]:
    labels = np.asarray(labels, dtype=int)
    overlap = class_overlap(features, labels, len(classes))
    counts = np.bincount(labels, minlength=len(classes))
    pairs = []
    for a in range(len(classes)):
        for b in range(a + 1, len(classes)):
            judged = counts[a] * (counts[a] >= 2) + counts[b] * (counts[b] >= 2)
            if not judged:
                continue
            share = (overlap[a, b] + overlap[b, a]) / judged
            if share >= threshold:
                pairs.append(ClassPairHint(classes[a], classes[b], round(float(share), 4)))
    return sorted(pairs, key=lambda p: -p.overlap)


def frame_colour(image: Image.Image) -> np.ndarray:
    """Mean RGB in [0, 1] of the photo's outer frame (where the background usually is)."""
    a = np.asarray(image.convert("RGB").resize((64, 64), Image.BILINEAR), dtype=np.float32) / 255
    edge = max(1, round(64 * FRAME_SHARE))
    mask = np.ones((64, 64), dtype=bool)
    mask[edge:-edge, edge:-edge] = False
    return a[mask].mean(0)


def same_background_classes(colours: np.ndarray, labels: np.ndarray, n_classes: int) -> list[int]:
    """The classes whose photos all share one background that no other class's photo has
    (``colours``: :func:`frame_colour` of each photo)."""
    labels = np.asarray(labels, dtype=int)
    if len(np.unique(labels)) < 2:
        return []
    found = []
    for c in range(n_classes):
        own = colours[labels == c]
        others = colours[labels != c]
        if len(own) < BACKGROUND_MIN_PHOTOS or not len(others):
            continue
        centre = own.mean(0)
        spread = float(np.linalg.norm(own - centre, axis=1).max())
        nearest_other = float(np.linalg.norm(others - centre, axis=1).min())
        if spread <= BACKGROUND_SPREAD and nearest_other >= max(BACKGROUND_SEPARATION, 2 * spread):
            found.append(c)
    return found


def photo_hints(images: list[Image.Image], features: np.ndarray, uris: list[str],
                labels: list[int] | None = None, n_classes: int = 0) -> list[PhotoHint]:
    """Hints of each photo of one group (``images`` decoded, ``features`` their embeddings;
    with ``labels``, class indices, also :data:`SAME_BACKGROUND`)."""
    hints = []
    duplicates = near_duplicates(features)
    same_background: set[int] = set()
    if labels is not None and len(images):
        same_background = set(same_background_classes(np.stack([frame_colour(i) for i in images]),
                                                      np.asarray(labels), n_classes or max(labels) + 1))
    for number, (image, uri, others) in enumerate(zip(images, uris, duplicates)):
        brightness, contrast, sharpness = pixel_stats(image)
        codes = pixel_codes(brightness, contrast, sharpness)
        if others:
            codes.append(NEAR_DUPLICATE)
        if labels is not None and labels[number] in same_background:
            codes.append(SAME_BACKGROUND)
        hints.append(PhotoHint(uri, codes, round(brightness, 4), round(sharpness, 5), [uris[j] for j in others]))
    return hints


def group_hints(storage, items: list[tuple[str, str]], labels: list[str], classes: list[str], backbone: str,
                device, *, max_pixels: int = 50_000_000) -> tuple[list[PhotoHint], list[ClassPairHint]]:
    """Everything for one group's photos ``items`` = [(uri, key)] with their ``labels``.
    Embeddings come from (and go to) the cache, so a later QUICK run reuses them. Raises
    :class:`ml_api.data.ImageLoadError` naming a photo that cannot be read."""
    from .data import load_image
    from .embeddings import embed_images

    features = embed_images(storage, items, backbone, device, max_pixels=max_pixels)
    # Decoded small (JPEG draft): the pixel checks run at 224 px anyway.
    images = [load_image(storage, uri, key, min_size=ANALYSIS_SIDE, max_pixels=max_pixels) for uri, key in items]
    indices = [classes.index(l) for l in labels]
    hints = photo_hints(images, features, [uri for uri, _ in items], indices, len(classes))
    pairs = look_alike_pairs(features, np.array(indices), classes)
    return hints, pairs
