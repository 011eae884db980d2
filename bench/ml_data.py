"""Photo-like benchmark images for the ML API benches: random crops of photos that ship
with scikit-image (textures and objects, no people), resized to what the BFF stores
(JPEG, long side 1024 px, quality 85)."""

from __future__ import annotations

import io
import uuid

import numpy as np
from PIL import Image

SOURCES = ("brick", "grass", "gravel", "coffee", "rocket")


def _source(name: str) -> Image.Image:
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB")


def photo_jpegs(n_classes: int, per_class: int, *, size=(1024, 768), seed: int = 0) -> list[tuple[bytes, str]]:
    rng = np.random.default_rng(seed)
    out = []
    for name in SOURCES[:n_classes]:
        source = _source(name)
        w, h = source.size
        for _ in range(per_class):
            cw, ch = int(w * rng.uniform(0.5, 0.9)), int(h * rng.uniform(0.5, 0.9))
            x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            image = source.crop((x, y, x + cw, y + ch)).resize(size, Image.BICUBIC)
            if rng.random() < 0.5:
                image = image.transpose(Image.FLIP_LEFT_RIGHT)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=85)
            out.append((buffer.getvalue(), name))
    return out


def store(storage, photos: list[tuple[bytes, str]], workshop: str | None = None) -> list[dict]:
    """Write photos under fresh keys (so their embeddings are not cached yet); returns examples."""
    workshop = workshop or uuid.uuid4().hex
    examples = []
    for data, label in photos:
        key = f"photos/{workshop}/{uuid.uuid4().hex}.jpg"
        storage.put_bytes(key, data, "image/jpeg")
        examples.append({"uri": storage.uri(key), "label": label})
    return examples
