"""Real image data shipped in packages, as JPEG bytes for uploads: crops of scikit-image's
texture photos (brick, grass, gravel). Never photos of people."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

TEXTURES = ("brick", "grass", "gravel")


def texture_jpegs(name: str, count: int, *, seed: int, patch: int = 128, quality: int = 90) -> list[bytes]:
    # patch at most 511: the scikit-image textures are 512 x 512.
    """``count`` random ``patch``-pixel crops of one texture, each a distinct JPEG."""
    from skimage import data

    photo = getattr(data, name)()
    rng = np.random.default_rng(seed)
    crops = []
    for _ in range(count):
        y, x = rng.integers(0, photo.shape[0] - patch), rng.integers(0, photo.shape[1] - patch)
        crop = Image.fromarray(np.ascontiguousarray(photo[y:y + patch, x:x + patch])).convert("RGB")
        buf = io.BytesIO()
        crop.save(buf, "JPEG", quality=quality)
        crops.append(buf.getvalue())
    return crops
