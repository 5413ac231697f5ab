"""Photos are refused from their header alone when decoding them would cost more than a phone
photo ever needs, one by one and per form submission: no pixel of such a file is decoded."""

from __future__ import annotations

import functools
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from retorno.core import images

LIMITS = images.PhotoLimits(max_bytes=5_000_000, max_side=1600, max_count=20, folder="t")


@functools.cache
def _png_bytes(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def png(width: int, height: int, name: str = "p.png") -> SimpleUploadedFile:
    """A one-colour PNG, generated here: a few KB on the wire however many pixels it declares."""
    return SimpleUploadedFile(name, _png_bytes(width, height), content_type="image/png")


@pytest.fixture
def nothing_decoded():
    """Fail the test if any image's pixels are decoded."""
    with mock.patch.object(
        ImageFile.ImageFile, "load", side_effect=AssertionError("pixels were decoded")
    ) as load:
        yield load


def test_the_reported_bomb_is_refused_from_its_header(nothing_decoded):
    bomb = png(6300, 6300, "bomb.png")
    assert bomb.size < 200_000  # tiny on the wire

    with translation.override("en"), pytest.raises(images.PhotoError) as error:
        images.check_photo(bomb, LIMITS)

    assert str(error.value) == (
        "“bomb.png” is 6300 × 6300 pixels (39.7 megapixels); photos of up to 25.0 megapixels "
        "are accepted. Take it at your camera's usual size, or send a screenshot of it."
    )
    assert not nothing_decoded.called


def test_the_message_is_in_spanish_too(nothing_decoded):
    with translation.override("es"), pytest.raises(images.PhotoError) as error:
        images.check_photo(png(6300, 6300, "bomba.png"), LIMITS)
    assert str(error.value).startswith("«bomba.png» mide 6300 × 6300 píxeles (39,7 megapíxeles)")


@pytest.mark.parametrize(
    ("size", "accepted"),
    [((4032, 3024), True), ((5000, 5000), True), ((5000, 5001), False), ((8000, 6000), False)],
    ids=["phone-12mp", "at-the-limit", "one-row-more", "phone-48mp-mode"],
)
def test_the_limit_is_on_pixels(size, accepted):
    upload = png(*size)
    if accepted:
        images.check_photo(upload, LIMITS)
    else:
        with pytest.raises(images.PhotoError):
            images.check_photo(upload, LIMITS)


def test_a_submission_is_bounded_in_count_and_in_pixels(nothing_decoded):
    small = [png(40, 30, f"{n}.png") for n in range(images.MAX_PHOTOS_PER_SUBMISSION)]
    images.check_submission(small)
    with translation.override("en"), pytest.raises(images.PhotoError) as many:
        images.check_submission([*small, png(40, 30)])
    assert str(many.value) == "At most 12 photos can be sent at once."

    large = [png(5000, 4800, f"{n}.png") for n in range(5)]  # 24 MP each, 120 MP in all
    with translation.override("en"), pytest.raises(images.PhotoError) as heavy:
        images.check_submission(large)
    assert str(heavy.value).startswith("These photos are 120.0 megapixels together")
    images.check_submission(large[:4])  # 96 MP
    assert not nothing_decoded.called


def test_store_photos_checks_the_whole_submission_before_decoding_any(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    large = [png(5000, 4800, f"{n}.png") for n in range(5)]
    with mock.patch.object(images, "reencoded") as reencoded, pytest.raises(images.PhotoError):
        images.store_photos(1, large, LIMITS)
    assert not reencoded.called
    assert not any(tmp_path.rglob("*.jpg"))


def test_a_large_jpeg_is_decoded_at_a_reduced_scale():
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (10, 120, 200)).save(out, format="JPEG")
    upload = SimpleUploadedFile("big.jpg", out.getvalue(), content_type="image/jpeg")
    seen: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def recording_load(image):
        seen.append(image.size)
        return load(image)

    with mock.patch.object(ImageFile.ImageFile, "load", recording_load):
        data = images.reencoded(upload, 1600)

    assert seen
    assert max(w for w, _ in seen) <= 3000
    assert Image.open(io.BytesIO(data)).size == (1600, 1067)
