"""Decode memory is budgeted per process (pixels x bytes), not by counting decodes.

A 49 MP progressive JPEG (under the 50 MP cap) makes libjpeg hold every DCT coefficient of
the whole image (2 bytes each) whatever the draft scale: ~150 MB at 4:2:0, ~300 MB at
4:4:4. Memory itself is measured in bench/upload.py (``--huge``); these tests check the
accounting: the estimate, the wait, and the typed refusal.
"""

from __future__ import annotations

import io
import struct
import threading

import pytest
from PIL import Image

from bff import images
from bff.images import DecodeBudget, ImageRejected, decode_cost, sanitise

MP49 = (8100, 6050)
LIMIT = 50_000_000


def jpeg_with_header_size(size: tuple[int, int], *, progressive: bool, subsampling: int) -> bytes:
    """A small real JPEG whose frame header claims ``size``: what the BFF sees before it
    decodes a pixel (the scan data is far too short, so decoding it fails)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", progressive=progressive,
                                                    subsampling=subsampling)
    data = bytearray(out.getvalue())
    sof = data.find(b"\xff\xc2" if progressive else b"\xff\xc0")
    assert sof > 0
    struct.pack_into(">HH", data, sof + 5, size[1], size[0])  # length(2) precision(1) H W
    return bytes(data)


def probe(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_progressive_cost_counts_the_whole_coefficient_buffer():
    pixels = MP49[0] * MP49[1]
    p444 = decode_cost(probe(jpeg_with_header_size(MP49, progressive=True, subsampling=0)), 1024)
    p420 = decode_cost(probe(jpeg_with_header_size(MP49, progressive=True, subsampling=2)), 1024)
    base = decode_cost(probe(jpeg_with_header_size(MP49, progressive=False, subsampling=2)), 1024)
    # 3 full-size components x 2 bytes; 4:2:0 has a quarter-size chroma pair (1.5 components).
    assert p444 >= pixels * 6
    assert pixels * 3 <= p420 < p444
    # A baseline JPEG decodes in a single pass at the 1/8 draft scale: only the output counts.
    assert base < 64 * 2**20 < p420


def test_non_jpeg_costs_every_pixel_at_full_size():
    out = io.BytesIO()
    Image.new("RGB", (2000, 1500)).save(out, "PNG")
    assert decode_cost(probe(out.getvalue()), 1024) >= 2000 * 1500 * 4


def test_second_decode_waits_until_the_first_is_done():
    one = decode_cost(probe(jpeg_with_header_size(MP49, progressive=True, subsampling=2)), 1024)
    budget = DecodeBudget(int(one * 1.5), wait_seconds=60)
    first_in, second_in = threading.Event(), threading.Event()
    release_first = threading.Event()

    def first():
        with budget.reserve(one):
            first_in.set()
            release_first.wait(30)

    def second():
        first_in.wait(30)
        with budget.reserve(one):
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    budget.wait_for_waiters(1, timeout=30)  # the second is queued behind the first
    assert first_in.is_set() and not second_in.is_set()
    assert budget.in_use == one
    release_first.set()
    for t in threads:
        t.join(30)
    assert second_in.is_set()
    assert budget.in_use == 0


def test_small_decodes_share_the_budget_at_once():
    budget = DecodeBudget(100, wait_seconds=60)
    with budget.reserve(30), budget.reserve(30), budget.reserve(30):
        assert budget.in_use == 90


def test_waiting_is_bounded_and_says_try_again():
    budget = DecodeBudget(100, wait_seconds=0.05)
    with budget.reserve(80):
        with pytest.raises(ImageRejected) as info:
            with budget.reserve(80):
                pass
    assert info.value.code == "UNAVAILABLE"
    assert budget.in_use == 0 and budget.waiting == 0


def test_a_decode_that_can_never_fit_is_refused_at_once_with_a_typed_error():
    budget = DecodeBudget(100, wait_seconds=3600)  # would hang the test if it waited
    with pytest.raises(ImageRejected) as info:
        with budget.reserve(101):
            pass
    assert info.value.code == "PAYLOAD_TOO_LARGE"
    assert "smaller" in info.value.message


def test_sanitise_reserves_the_estimate_before_decoding():
    data = jpeg_with_header_size(MP49, progressive=True, subsampling=0)
    budget = DecodeBudget(64 * 2**20, wait_seconds=3600)
    with pytest.raises(ImageRejected) as info:
        sanitise(data, max_pixels=LIMIT, budget=budget)
    # Refused from the header, before libjpeg allocated ~300 MB (not "damaged" after trying).
    assert info.value.code == "PAYLOAD_TOO_LARGE"


def test_sanitise_releases_its_reservation():
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 20, 30)).save(out, "JPEG")
    budget = DecodeBudget(256 * 2**20, wait_seconds=60)
    result = sanitise(out.getvalue(), max_pixels=LIMIT, budget=budget)
    assert (result.width, result.height) == (640, 480)
    assert budget.in_use == 0
    with pytest.raises(ImageRejected):  # a refused (here: cut off) file releases too
        sanitise(out.getvalue()[:300], max_pixels=LIMIT, budget=budget)
    assert budget.in_use == 0


@pytest.mark.parametrize(("limit", "workers", "expected_mib"), [
    (3 * 2**29, 2, 768 - 320),        # k8s/base/bff.yaml: 1.5 GiB, 2 workers
    (2 * 2**30, 4, 512 - 320),
    (256 * 2**20, 2, 64),              # never below the floor
])
def test_budget_is_derived_from_the_memory_limit_per_worker(limit, workers, expected_mib):
    assert images.derived_budget_bytes(limit, workers) == expected_mib * 2**20


def test_explicit_setting_wins(tmp_path):
    from pictolab.settings import Settings
    settings = Settings.from_env({}, {"data_dir": tmp_path, "decode_memory_bytes": 123 * 2**20})
    assert images.budget_from_settings(settings).total == 123 * 2**20
