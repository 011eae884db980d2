"""Upload sanitising: only a re-encoded, upright, metadata-free JPEG is ever stored.

Order matters for safety and speed:
1. open from bytes with only the allowed decoders (JPEG, PNG, WebP; HEIC/HEIF when
   pillow-heif imports) — anything else is UNSUPPORTED_MEDIA_TYPE;
2. check the pixel count from the header, before any pixel is decoded (decompression bombs);
3. verify, reopen, and for JPEG ask libjpeg for a DCT-scaled draft (1/2, 1/4, 1/8): a
   12-megapixel iPad photo decodes at 1/4 scale in a fraction of the full-size time;
4. full load (a truncated file fails here), EXIF orientation applied, RGB, shrink so the
   long side is at most ``max_side``, re-encode as JPEG without EXIF/ICC/XMP.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from pictolab.graphql import ApiError

log = logging.getLogger(__name__)

@functools.cache
def allowed_formats() -> tuple[str, ...]:
    """The decoders an upload may use. HEIC (straight from an iPhone/iPad camera) when the
    optional pillow-heif extra is installed; registered on first use, not at import."""
    formats = ["JPEG", "PNG", "WEBP"]
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - depends on the install
        return tuple(formats)
    pillow_heif.register_heif_opener()
    return (*formats, "HEIF")

# PNG, WebP and HEIC decode every pixel at full size (no DCT scaling): a tiny file can
# unpack into hundreds of MB. A camera photo is at most ~12-48 MP as JPEG; other formats
# get a tighter cap, and every process decodes at most a few images at once.
NON_JPEG_MAX_PIXELS = 16_000_000
_DECODE_SLOTS = threading.BoundedSemaphore(2)

# A DCT-scaled draft is accepted when its long side is at least this share of the target:
# 4032 px at 1/4 scale gives 1008 px for a 1024 px target, at a third of the decode time.
DRAFT_TOLERANCE = 0.9


@dataclass(frozen=True)
class SanitisedImage:
    jpeg: bytes
    width: int
    height: int
    source_format: str


class ImageRejected(ApiError):
    """The upload is not an image we accept."""


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int] | None:
    """The size to request from JPEG draft mode: the strongest 1/2^n reduction whose long
    side is still near ``max_side``; None when no reduction qualifies."""
    long_side = max(size)
    for reduction in (8, 4, 2):
        if long_side / reduction >= max_side * DRAFT_TOLERANCE:
            return (-(-size[0] // reduction), -(-size[1] // reduction))
    return None


def sanitise(data: bytes, *, max_pixels: int, max_side: int = 1024, quality: int = 85) -> SanitisedImage:
    if not data:
        raise ImageRejected("The file is empty.", code="BAD_USER_INPUT")
    try:
        probe = Image.open(io.BytesIO(data), formats=allowed_formats())
    except UnidentifiedImageError:
        raise ImageRejected("This file is not a photo we can read (use JPEG, PNG, WebP or HEIC).",
                            code="UNSUPPORTED_MEDIA_TYPE") from None
    except Image.DecompressionBombError:
        raise ImageRejected("The image has too many pixels.", code="PAYLOAD_TOO_LARGE") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected(f"The photo could not be read ({exc.__class__.__name__}).",
                            code="BAD_USER_INPUT") from None
    source_format = probe.format
    width, height = probe.size
    limit = max_pixels if source_format == "JPEG" else min(max_pixels, NON_JPEG_MAX_PIXELS)
    if width <= 0 or height <= 0 or width * height > limit:
        raise ImageRejected(f"The image has too many pixels ({width}x{height}; at most {limit}).",
                            code="PAYLOAD_TOO_LARGE", maxPixels=limit)
    with _DECODE_SLOTS:
        return _decode(data, source_format, max_side=max_side, quality=quality)


def _decode(data: bytes, source_format: str, *, max_side: int, quality: int) -> SanitisedImage:
    probe = Image.open(io.BytesIO(data), formats=[source_format])
    try:
        probe.verify()  # structure checks (PNG CRCs, ...) without decoding pixels
        image = Image.open(io.BytesIO(data), formats=[source_format])
        if source_format == "JPEG":
            draft = _draft_size(image.size, max_side)
            if draft:
                image.draft("RGB", draft)
        image.load()  # decodes everything: a truncated file fails here
        exif_orientation = image.getexif().get(0x0112)
        image = ImageOps.exif_transpose(image) if exif_orientation not in (None, 1) else image
        if image.mode != "RGB":
            image = _to_rgb(image)
        if max(image.size) > max_side:
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
        clean = Image.frombytes("RGB", image.size, image.tobytes())  # pixels only, no info/metadata
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=quality, optimize=False, progressive=False)
    except Image.DecompressionBombError:
        raise ImageRejected("The image has too many pixels.", code="PAYLOAD_TOO_LARGE") from None
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning) as exc:
        log.info("upload rejected while decoding: %s", exc.__class__.__name__)
        raise ImageRejected("The photo is damaged or incomplete (was the upload cut off?).",
                            code="BAD_USER_INPUT") from None
    return SanitisedImage(jpeg=out.getvalue(), width=clean.width, height=clean.height,
                          source_format=source_format)


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for any mode; transparency goes onto white (a PNG cut-out looks as drawn)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
