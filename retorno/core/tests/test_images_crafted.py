"""Files written by hand to hurt the server: headers that declare a huge canvas with no pixel
data behind them, valid headers with no or broken pixel data, truncated files. Each is refused
with a message for the person who sent it (never a 500), big ones before any pixel is decoded,
and a submission with one such file stores nothing."""

from __future__ import annotations

import io
import os
import pathlib
import struct
import tempfile
import zlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from retorno.core import images

LIMITS = images.PhotoLimits(max_bytes=5_000_000, max_side=1600, max_count=20, folder="t")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_header(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A PNG signature and IHDR declaring `width` x `height` RGB, then `idat` (if any), then
    IEND: a few dozen bytes whatever the size declared."""
    ihdr = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = _chunk(b"IDAT", idat) if idat is not None else b""
    return b"\x89PNG\r\n\x1a\n" + ihdr + body + _chunk(b"IEND", b"")


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, a JFIF APP0, a baseline SOF0 declaring `width` x `height` in three components, EOI:
    no tables and no scan."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    components = b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + components
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def _real(fmt: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def nothing_decoded():
    with mock.patch.object(
        ImageFile.ImageFile, "load", side_effect=AssertionError("pixels were decoded")
    ) as load:
        yield load


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("canvas.png", png_header(6300, 6300)),
        ("canvas.jpg", jpeg_header(6300, 6300)),
        ("wide.png", png_header(60_000, 500)),
    ],
)
def test_a_crafted_header_over_the_pixel_limit_is_refused_by_its_size(nothing_decoded, name, data):
    assert len(data) < 100

    with translation.override("en"), pytest.raises(images.PhotoError) as error:
        images.check_photo(upload(name, data), LIMITS)

    assert "photos of up to 25.0 megapixels are accepted" in str(error.value)
    assert not nothing_decoded.called


@pytest.mark.parametrize(
    "data",
    [png_header(100_000, 100_000), jpeg_header(65_000, 65_000)],
    ids=["png", "jpeg"],
)
def test_a_header_past_pillows_own_bomb_limit_is_refused_undecoded(
    nothing_decoded, settings, tmp_path, data
):
    settings.MEDIA_ROOT = str(tmp_path)
    with translation.override("en"), pytest.raises(images.PhotoError):
        images.store_photos(1, [upload("huge", data)], LIMITS)
    assert not nothing_decoded.called
    assert not any(tmp_path.rglob("*.jpg"))


BROKEN = {
    # A size a phone takes, and nothing behind it: the PNG parser hit an IndexError (a 500).
    "header-only.png": png_header(4000, 3000),
    # Valid chunks whose compressed stream is noise: only decoding finds out (an OSError).
    "noise.png": png_header(4000, 3000, idat=b"\x78\x9c" + os.urandom(300)),
    "header-only.jpg": jpeg_header(4000, 3000),
    "truncated.png": _real("PNG", (800, 600))[:-40],
    "truncated.jpg": _real("JPEG", (800, 600))[:300],
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_file_with_missing_or_broken_pixels_is_refused_and_nothing_is_stored(
    settings, tmp_path, name
):
    settings.MEDIA_ROOT = str(tmp_path)
    good = upload("good.jpg", _real("JPEG", (400, 300)))

    with translation.override("en"), pytest.raises(images.PhotoError) as error:
        images.store_photos(1, [good, upload(name, BROKEN[name])], LIMITS)

    assert str(error.value) == f"“{name}” is not a photo."
    assert not any(tmp_path.rglob("*.jpg"))


# Small real photos of every accepted format, to be damaged at random below.
SEEDS = [_real(fmt, (64, 48)) for fmt in ("PNG", "JPEG", "GIF", "WEBP")]


@st.composite
def damaged(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    cut = draw(st.integers(8, len(data)))
    return bytes(data[:cut])


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=damaged())
def test_any_damaged_photo_is_stored_or_refused_with_a_message(data):
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        try:
            images.store_photos(1, [upload("photo", data)], LIMITS)
        except images.PhotoError:
            assert not any(pathlib.Path(media).rglob("*.jpg"))
