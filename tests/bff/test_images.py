"""bff.images.sanitise on its own: formats, orientation, metadata, size, bombs, damage."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bff.images import ImageRejected, _draft_size, allowed_formats, sanitise
from tests.bff.factories import (
    camera_like_jpeg,
    encode,
    gps_exif,
    png_bomb_header,
    red_top_blue_bottom,
    rotated_with_orientation_tag,
    sample_photo,
)
from tests.helpers import require

LIMIT = 50_000_000


def decoded(result) -> Image.Image:
    return Image.open(io.BytesIO(result.jpeg))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_ends_upright(orientation):
    upright = red_top_blue_bottom((300, 400))
    # Store the pixels so that applying `orientation` gives the upright picture back.
    inverse = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}
    stored = upright.transpose(inverse[orientation]) if inverse[orientation] else upright
    result = sanitise(encode(stored, "JPEG", quality=95, exif=gps_exif(orientation)), max_pixels=LIMIT)
    image = decoded(result)
    assert image.size == (300, 400)
    assert image.getpixel((150, 50))[0] > 200 and image.getpixel((150, 350))[2] > 200


def test_metadata_is_stripped():
    data = encode(sample_photo("coffee"), "JPEG", exif=gps_exif(orientation=1),
                  icc_profile=b"\x00" * 128, comment=b"secret note")
    result = sanitise(data, max_pixels=LIMIT)
    image = decoded(result)
    assert not image.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
    for marker in (b"Exif", b"PictoLabTestCam", b"secret note", b"ICC_PROFILE"):
        assert marker not in result.jpeg


def test_camera_photo_is_decoded_in_draft_and_shrunk():
    jpeg, _ = rotated_with_orientation_tag(red_top_blue_bottom((3024, 4032)))
    result = sanitise(jpeg, max_pixels=LIMIT)
    assert result.source_format == "JPEG"
    assert (result.width, result.height) == (756, 1008)  # 1/4 DCT scale: within the 1024 cap
    image = decoded(result)
    assert image.getpixel((378, 100))[0] > 200 and image.getpixel((378, 900))[2] > 200


def test_long_side_never_exceeds_the_cap():
    for size in [(1025, 10), (2000, 1500), (5000, 3000), (4000, 4000)]:
        result = sanitise(encode(Image.new("RGB", size, (9, 9, 9)), "PNG"), max_pixels=LIMIT)
        assert max(result.width, result.height) <= 1024
        assert max(result.width, result.height) >= 900


def test_small_photos_are_not_enlarged():
    result = sanitise(encode(sample_photo("chelsea"), "JPEG"), max_pixels=LIMIT)
    assert (result.width, result.height) == (451, 300)


def test_draft_size_picks_the_strongest_reduction_near_the_target():
    assert _draft_size((3024, 4032), 1024) == (756, 1008)
    assert _draft_size((3264, 2448), 1024) == (1632, 1224)  # 1/4 would be 816: too small
    assert _draft_size((1000, 800), 1024) is None


def test_transparent_png_goes_onto_white():
    image = Image.new("RGBA", (50, 50), (255, 0, 0, 0))
    result = sanitise(encode(image, "PNG"), max_pixels=LIMIT)
    assert decoded(result).getpixel((25, 25)) == pytest.approx((255, 255, 255), abs=3)


def test_heic_when_pillow_heif_is_installed():
    try:
        import pillow_heif
    except ImportError:  # the optional `heic` extra; `make install` installs it
        pillow_heif = None
    require(pillow_heif is not None, "pillow-heif not installed: pip install -e '.[heic]'")
    assert "HEIF" in allowed_formats()
    heif = pillow_heif.from_pillow(sample_photo("rocket"))
    buf = io.BytesIO()
    heif.save(buf, quality=80)
    result = sanitise(buf.getvalue(), max_pixels=LIMIT)
    assert result.source_format == "HEIF" and (result.width, result.height) == (640, 427)


@pytest.mark.parametrize("data,code", [
    (b"", "BAD_USER_INPUT"),
    (b"hello, I am a text file with a .jpg name\n" * 10, "UNSUPPORTED_MEDIA_TYPE"),
    (encode(Image.new("RGB", (20, 20)), "GIF"), "UNSUPPORTED_MEDIA_TYPE"),
    (encode(Image.new("RGB", (20, 20)), "BMP"), "UNSUPPORTED_MEDIA_TYPE"),
    (png_bomb_header(), "PAYLOAD_TOO_LARGE"),
])
def test_rejections(data, code):
    with pytest.raises(ImageRejected) as info:
        sanitise(data, max_pixels=LIMIT)
    assert info.value.code == code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_are_rejected(fmt):
    data = encode(sample_photo("gravel"), fmt)
    with pytest.raises(ImageRejected) as info:
        sanitise(data[: int(len(data) * 0.6)], max_pixels=LIMIT)
    assert info.value.code == "BAD_USER_INPUT"


def test_truncated_camera_jpeg_is_rejected_in_draft_mode_too():
    data = camera_like_jpeg(seed=3)
    with pytest.raises(ImageRejected):
        sanitise(data[: len(data) - 200_000], max_pixels=LIMIT)


def test_pixel_cap_is_checked_from_the_header():
    data = encode(Image.new("RGB", (2000, 1000)), "JPEG")
    with pytest.raises(ImageRejected) as info:
        sanitise(data, max_pixels=1_999_999)
    assert info.value.code == "PAYLOAD_TOO_LARGE"
    assert 900 <= sanitise(data, max_pixels=2_000_000).width <= 1024


def test_formats_without_dct_scaling_get_a_tighter_pixel_cap():
    """A 1-bit 5000x4000 PNG is a few KB but would unpack to 60 MB of RGB per decode."""
    buf = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buf, "PNG")
    assert len(buf.getvalue()) < 50_000
    with pytest.raises(ImageRejected) as err:
        sanitise(buf.getvalue(), max_pixels=50_000_000)
    assert err.value.extensions["code"] == "PAYLOAD_TOO_LARGE"
    # The same pixel count as a JPEG is a normal camera photo and is accepted.
    jpeg = io.BytesIO()
    Image.new("RGB", (5000, 4000), (10, 120, 30)).save(jpeg, "JPEG", quality=70)
    assert sanitise(jpeg.getvalue(), max_pixels=50_000_000).width == 1024
