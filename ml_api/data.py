"""Reading training and test photos from storage URIs, with errors that name the photo."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from pictolab.storage import ObjectNotFound, Storage, StorageError


class ImageLoadError(Exception):
    """One photo could not be read or decoded; the message names it."""

    def __init__(self, uri: str, reason: str):
        super().__init__(f"image {uri}: {reason}")
        self.uri = uri
        self.reason = reason


class ImageMissing(ImageLoadError):
    """The photo's object is gone: deleted (by its group, or a purge) after the request was
    made. Trainers skip such an example; it is not a damaged photo."""


@dataclass(frozen=True)
class Example:
    uri: str
    key: str  # the storage key inside the configured store
    label: str


def key_for_uri(storage: Storage, uri: str) -> str:
    """The storage key of a URI, or ValueError if it points outside the configured store."""
    try:
        return storage.key_for_uri(uri)
    except StorageError as exc:
        raise ValueError(f"{uri!r} is not an object URI inside {storage.url}: {exc}") from None


def read_image_bytes(storage: Storage, example_uri: str, key: str) -> bytes:
    try:
        return storage.get_bytes(key)
    except ObjectNotFound:
        raise ImageMissing(example_uri, "not found in storage") from None
    except StorageError as exc:
        raise ImageLoadError(example_uri, f"storage error: {exc}") from None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def decode_image(data: bytes, uri: str, *, min_size: int | None = None,
                 max_pixels: int = 50_000_000) -> Image.Image:
    """Decode to RGB. ``min_size`` lets the JPEG decoder downscale by DCT while decoding
    (Image.draft), much faster for phone photos we shrink to 224 px anyway."""
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > max_pixels:
            raise ImageLoadError(uri, f"{width}x{height} exceeds the {max_pixels}-pixel limit")
        if min_size and image.format == "JPEG":
            image.draft("RGB", (min_size, min_size))
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.load()
        return image
    except ImageLoadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageLoadError(uri, f"cannot decode ({exc.__class__.__name__}: {exc})") from None


def load_image(storage: Storage, uri: str, key: str, *, min_size: int | None = None,
               max_pixels: int = 50_000_000) -> Image.Image:
    return decode_image(read_image_bytes(storage, uri, key), uri, min_size=min_size, max_pixels=max_pixels)


def present_examples(request, missing: list[int]) -> list[Example]:
    """The request's examples less the ``missing`` ones (deleted after the run was asked
    for). A run with none left fails, naming the cause for the instructors."""
    gone = set(missing)
    examples = [e for i, e in enumerate(request.examples) if i not in gone]
    if not examples:
        raise ImageLoadError(request.examples[0].uri if request.examples else "-",
                             "every photo of this run was deleted while it trained")
    return examples
