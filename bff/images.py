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

import collections
import contextlib
import functools
import io
import logging
import os
import threading
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from pictolab.contract.errors import DomainError, ErrorCode

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
# get a tighter cap. What a process decodes at once is bounded by a memory budget
# (:class:`DecodeBudget`), not by a count: one 49 MP progressive JPEG needs more memory
# than fifty 12 MP baseline ones.
NON_JPEG_MAX_PIXELS = 16_000_000

# The estimate of one decode (:func:`decode_cost`), calibrated against the peak RSS growth of
# sanitise() on 49 MP JPEGs (progressive 4:4:4 measured 293 MiB, estimated 309; progressive
# 4:2:0 152 / 168; baseline 21 / 28):
#: libjpeg keeps every DCT coefficient of a progressive JPEG (a 16-bit JCOEF each, 64 per
#: 8x8 block, every component) until the last scan: draft scaling does not shrink it.
COEFFICIENT_BYTES = 2
#: Pillow holds RGB as 4 bytes per pixel; load, orientation, thumbnail and the
#: metadata-free copy may each hold a full copy of the (draft-sized) image.
OUTPUT_BYTES_PER_PIXEL = 4 * 4
#: PNG/WebP/HEIC: full-size decode, plus the RGBA -> RGB (or orientation) copies.
NON_JPEG_BYTES_PER_PIXEL = 4 * 3
#: Decoder state, Huffman tables, the JPEG encoder's buffers.
DECODE_FIXED_BYTES = 16 * 2**20

#: What a BFF worker holds besides decodes: its own RSS (118-156 MB peak in bench/upload.py
#: with 8 threads) plus the request bodies its threads hold while they wait for the budget
#: (bench/decode_memory.py: a worker peaked ~220 MiB above its decode budget with 8 threads
#: holding 8-12 MB bodies and their copies). The decode budget is what is left of the
#: process's share of the container's memory limit.
PROCESS_BASELINE_BYTES = 320 * 2**20
#: A budget below this would refuse ordinary 12 MP photos; a container that small is
#: misconfigured, and the decodes then run one or two at a time as before.
MIN_BUDGET_BYTES = 64 * 2**20
#: How long an upload waits for decode memory before it is told to send again (the iPad
#: app's upload queue resends UNAVAILABLE): longer than a few 49 MP decodes (~1-2 s each),
#: shorter than the load balancer's and gunicorn's timeouts.
DECODE_WAIT_SECONDS = 30.0

# A DCT-scaled draft is accepted when its long side is at least this share of the target:
# 4032 px at 1/4 scale gives 1008 px for a 1024 px target, at a third of the decode time.
DRAFT_TOLERANCE = 0.9


@dataclass(frozen=True)
class SanitisedImage:
    jpeg: bytes
    width: int
    height: int
    source_format: str


class ImageRejected(DomainError):
    """The upload is not an image we accept."""


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int] | None:
    """The size to request from JPEG draft mode: the strongest 1/2^n reduction whose long
    side is still near ``max_side``; None when no reduction qualifies."""
    long_side = max(size)
    for reduction in (8, 4, 2):
        if long_side / reduction >= max_side * DRAFT_TOLERANCE:
            return (-(-size[0] // reduction), -(-size[1] // reduction))
    return None


class DecodeBudget:
    """Bytes of decode memory one process may use at once. A decode reserves its estimated
    cost before libjpeg/libpng allocate anything and waits, first come first served, while
    the others' reservations leave too little (bounded by ``wait_seconds``, then
    UNAVAILABLE: send again). A cost above the whole budget can never fit: refused at once
    with PAYLOAD_TOO_LARGE."""

    def __init__(self, total: int, *, wait_seconds: float = DECODE_WAIT_SECONDS):
        self.total = int(total)
        self.wait_seconds = wait_seconds
        self.in_use = 0
        self._queue: collections.deque[object] = collections.deque()
        self._changed = threading.Condition()

    @property
    def waiting(self) -> int:
        with self._changed:
            return len(self._queue)

    def wait_for_waiters(self, count: int, timeout: float) -> bool:
        """Until at least ``count`` decodes are waiting (tests and benchmarks)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._queue) >= count, timeout)

    @contextlib.contextmanager
    def reserve(self, cost: int):
        if cost > self.total:
            raise ImageRejected(
                "This photo is too large for the server to process; take a smaller photo "
                "(a normal camera photo, not a panorama) or lower the camera resolution.",
                code=ErrorCode.PAYLOAD_TOO_LARGE, decodeBytes=cost, budgetBytes=self.total)
        ticket = object()
        with self._changed:
            self._queue.append(ticket)
            # FIFO: a large decode is not starved by a stream of small ones behind it.
            admitted = self._changed.wait_for(
                lambda: self._queue[0] is ticket and self.in_use + cost <= self.total,
                self.wait_seconds)
            self._queue.remove(ticket)
            if admitted:
                self.in_use += cost
            self._changed.notify_all()  # the next in line may now be at the head
        if not admitted:
            log.warning("upload waited too long for decode memory",
                        extra={"decodeBytes": cost, "budgetBytes": self.total})
            raise ImageRejected("The server is busy with other large photos; please send this one again.",
                                code=ErrorCode.UNAVAILABLE)
        try:
            yield
        finally:
            with self._changed:
                self.in_use -= cost
                self._changed.notify_all()


def decode_cost(probe: Image.Image, max_side: int) -> int:
    """Estimated peak memory (bytes) of sanitising the opened-but-undecoded ``probe``."""
    width, height = probe.size
    if probe.format != "JPEG":
        return width * height * NON_JPEG_BYTES_PER_PIXEL + DECODE_FIXED_BYTES
    out_w, out_h = _draft_size((width, height), max_side) or (width, height)
    cost = out_w * out_h * OUTPUT_BYTES_PER_PIXEL + DECODE_FIXED_BYTES
    if probe.info.get("progressive") or probe.info.get("progression"):
        cost += _coefficient_bytes(probe)
    return cost


def _coefficient_bytes(probe: Image.Image) -> int:
    """libjpeg's whole-image coefficient buffer: per component, its 8x8 blocks at its own
    sampling (4:2:0 chroma is a quarter of the luma) x 64 coefficients x 2 bytes."""
    width, height = probe.size
    layers = getattr(probe, "layer", None) or [(None, 1, 1, 0)] * len(probe.getbands())
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    blocks = 0
    for _, h, v, _ in layers:
        comp_w = -(-width * h // h_max)
        comp_h = -(-height * v // v_max)
        blocks += -(-comp_w // 8) * -(-comp_h // 8)
    return blocks * 64 * COEFFICIENT_BYTES


def container_memory_limit() -> int | None:
    """The cgroup (container) memory limit in bytes, or None when there is none."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            raw = open(path).read().strip()
        except OSError:
            continue
        if raw.isdigit() and int(raw) < 2**60:  # cgroup v1 says "no limit" with a huge number
            return int(raw)
    return None


def derived_budget_bytes(limit: int, workers: int) -> int:
    """Each worker process's share of ``limit``, less what a worker holds besides decodes."""
    return max(MIN_BUDGET_BYTES, limit // max(1, workers) - PROCESS_BASELINE_BYTES)


def budget_from_settings(settings) -> DecodeBudget:
    """``PICTOLAB_DECODE_MEMORY_BYTES`` when set; else derived from the container's memory
    limit (k8s ``resources.limits.memory``) and the number of worker processes sharing it
    (``pictolab bff --workers``); on a machine without a limit, half its RAM stands in."""
    return budget_for(settings.decode_memory_bytes)


def budget_for(explicit_bytes: int) -> DecodeBudget:
    if explicit_bytes:
        return DecodeBudget(explicit_bytes)
    limit = container_memory_limit()
    if limit is None:
        limit = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    workers = int(os.environ.get("PICTOLAB_SERVER_WORKERS") or 1)
    return DecodeBudget(derived_budget_bytes(limit, workers))


_process_budget: DecodeBudget | None = None


def init_app(app) -> None:
    """One budget per process (every thread of a gunicorn worker shares it)."""
    global _process_budget
    _process_budget = budget_from_settings(app.config["SETTINGS"])
    log.info("decode memory budget", extra={"budgetBytes": _process_budget.total})


def _default_budget() -> DecodeBudget:
    global _process_budget
    if _process_budget is None:  # sanitise() outside an app (scripts): no Settings needed
        _process_budget = budget_for(int(os.environ.get("PICTOLAB_DECODE_MEMORY_BYTES") or 0))
    return _process_budget


def sanitise(data: bytes, *, max_pixels: int, max_side: int = 1024, quality: int = 85,
             budget: DecodeBudget | None = None) -> SanitisedImage:
    if not data:
        raise ImageRejected("The file is empty.", code=ErrorCode.BAD_USER_INPUT)
    try:
        probe = Image.open(io.BytesIO(data), formats=allowed_formats())
    except UnidentifiedImageError:
        raise ImageRejected("This file is not a photo we can read (use JPEG, PNG, WebP or HEIC).",
                            code=ErrorCode.UNSUPPORTED_MEDIA_TYPE) from None
    except Image.DecompressionBombError:
        raise ImageRejected("The image has too many pixels.", code=ErrorCode.PAYLOAD_TOO_LARGE) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRejected(f"The photo could not be read ({exc.__class__.__name__}).",
                            code=ErrorCode.BAD_USER_INPUT) from None
    source_format = probe.format
    width, height = probe.size
    limit = max_pixels if source_format == "JPEG" else min(max_pixels, NON_JPEG_MAX_PIXELS)
    if width <= 0 or height <= 0 or width * height > limit:
        raise ImageRejected(f"The image has too many pixels ({width}x{height}; at most {limit}).",
                            code=ErrorCode.PAYLOAD_TOO_LARGE, maxPixels=limit)
    with (budget or _default_budget()).reserve(decode_cost(probe, max_side)):
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
        raise ImageRejected("The image has too many pixels.", code=ErrorCode.PAYLOAD_TOO_LARGE) from None
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning) as exc:
        log.info("upload rejected while decoding: %s", exc.__class__.__name__)
        raise ImageRejected("The photo is damaged or incomplete (was the upload cut off?).",
                            code=ErrorCode.BAD_USER_INPUT) from None
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
