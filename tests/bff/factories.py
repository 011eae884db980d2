"""Small factories for BFF tests: images (synthetic or scikit-image's non-person samples,
never photos of people) and workshops."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with a GPS position (Kyoto), a camera make and optionally an orientation."""
    exif = Image.Exif()
    exif[MAKE] = "PictoLabTestCam"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (35.0, 0.0, 36.0), 3: "E", 4: (135.0, 45.0, 0.0)})
    return exif


def encode(image: Image.Image, fmt: str = "JPEG", **params: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def solid_jpeg(size=(64, 48), color=(0, 128, 255), **params: Any) -> bytes:
    return encode(Image.new("RGB", size, color), "JPEG", quality=90, **params)


def red_top_blue_bottom(size=(600, 800)) -> Image.Image:
    """Upright: red in the top half, blue in the bottom half."""
    width, height = size
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width, height // 2))
    return image


def rotated_with_orientation_tag(upright: Image.Image) -> tuple[bytes, Image.Image]:
    """Store the pixels rotated 90° clockwise, tagged Orientation=6 ("rotate 90 CW to view"),
    plus GPS EXIF: a correct reader shows ``upright``. Returns (jpeg, stored pixels)."""
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # counter-clockwise; tag 6 undoes it
    return encode(stored, "JPEG", quality=92, exif=gps_exif(orientation=6)), stored


def sample_photo(name: str = "coffee", size: tuple[int, int] | None = None) -> Image.Image:
    """A scikit-image sample that shows no person (coffee, chelsea the cat, rocket, ...)."""
    import skimage.data

    assert name not in {"astronaut", "lfw_subset"}, "no photos of people"
    array = getattr(skimage.data, name)()
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    image = Image.fromarray(array.astype(np.uint8))
    return image.resize(size, Image.Resampling.BICUBIC) if size else image


def camera_like_jpeg(size=(3024, 4032), seed: int = 0, quality: int = 85) -> bytes:
    """A phone-camera-sized JPEG with real texture (so it weighs ~2-3 MB like a photo)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (size[1] // 16, size[0] // 16, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(small).resize(size, Image.Resampling.BICUBIC), dtype=np.int16)
    noisy = base + rng.integers(-6, 6, base.shape, dtype=np.int16)
    return encode(Image.fromarray(noisy.clip(0, 255).astype(np.uint8)), "JPEG", quality=quality,
                  exif=gps_exif(orientation=6))


def png_bomb_header(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb's signature)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # One compressed run of zeros: decoding it would need width*height*3 bytes of memory.
    body = zlib.compress(b"\x00" * (1 << 20))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
