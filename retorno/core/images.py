"""Uploaded photos: images only, size-limited, decoded and re-encoded before they are stored.

Re-encoding drops whatever else the upload carried (metadata, trailing bytes, scripts in
polyglot files) and normalises every photo to a bounded JPEG. The shopper's evidence and the
warehouse's inspection photos both go through here, each with its own limits.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# What a photo may cost to decode, read from its header before any pixel is decoded. A phone
# takes 12 megapixels unless asked for more (some cameras 24); the opt-in 48-200 MP modes add
# nothing an inspection needs, and a tiny file declaring a huge canvas is a decompression bomb
# (a 38 KB PNG of 6300 x 6300 took 1.6 s of CPU and 213 MB to re-encode).
MAX_PIXELS = 25_000_000
# What one form submission may cost in all: a few photos per item of one order, not more.
MAX_PHOTOS_PER_SUBMISSION = 12
MAX_PIXELS_PER_SUBMISSION = 100_000_000
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})


# The names store_photos gives: `<folder>/<store id>/<random>.jpg`.
_PHOTO_NAME = re.compile(
    r"^[a-z][a-z_-]{0,39}/(?P<store>\d{1,12})/[0-9a-f]{16,64}(_\w{1,10})?\.jpg$"
)


def stored_photo_of(name: str, store_id: int) -> bool:
    """Whether `name` is a photo stored for the store `store_id`: any other text (a client's
    own URL, another store's photo) is never read from storage on this store's behalf."""
    match = _PHOTO_NAME.match(name)
    return match is not None and int(match["store"]) == store_id


def stored_photo_thumbnail(name: str, store_id: int, side: int) -> bytes | None:
    """The stored photo `name` of the store as a JPEG at most `side` pixels wide and high;
    None when it is not one of the store's stored photos or cannot be read."""
    if not stored_photo_of(name, store_id) or not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
            thumbnail = image.convert("RGB")
            thumbnail.thumbnail((side, side))
            out = io.BytesIO()
            thumbnail.save(out, format="JPEG", quality=80)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    return out.getvalue()


class PhotoError(ValueError):
    """A message for the person who uploaded the file."""


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_side: int
    max_count: int
    folder: str


def check_photo(upload: UploadedFile, limits: PhotoLimits) -> None:
    """Raise PhotoError unless `upload` is an acceptable image. Reads its header and checks its
    chunks; decodes no pixel."""
    if upload.size is None or upload.size > limits.max_bytes:
        raise PhotoError(
            _("“%(name)s” is larger than %(size)s MB.")
            % {"name": upload.name, "size": limits.max_bytes // (1024 * 1024) or 1}
        )
    width, height = photo_size(upload)
    if width * height > MAX_PIXELS:
        raise PhotoError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels (%(megapixels)s megapixels); photos "
                "of up to %(limit)s megapixels are accepted. Take it at your camera's usual size, "
                "or send a screenshot of it."
            )
            % {
                "name": upload.name,
                "width": width,
                "height": height,
                "megapixels": _megapixels(width * height),
                "limit": _megapixels(MAX_PIXELS),
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except Exception as exc:  # any file may arrive: see _not_a_photo
        raise _not_a_photo(upload) from exc
    finally:
        upload.seek(0)


def _not_a_photo(upload: UploadedFile) -> PhotoError:
    """The refusal of a file Pillow cannot read. A crafted file (a header with no pixel data,
    a broken compressed stream) makes a decoder raise what its format's parser happens to hit,
    IndexError and ValueError as well as OSError, so every error of a decoder is this one."""
    return PhotoError(_("“%(name)s” is not a photo.") % {"name": upload.name})


def photo_size(upload: UploadedFile) -> tuple[int, int]:
    """(width, height) of an accepted image format, from its header alone; PhotoError when it
    is not one."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise PhotoError(_("“%(name)s” is not a photo.") % {"name": upload.name})
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoError(_("“%(name)s” is not a photo.") % {"name": upload.name}) from exc
    finally:
        upload.seek(0)


def check_submission(uploads: Iterable[UploadedFile]) -> None:
    """Raise PhotoError when the photos of one form submission together are more work than an
    honest one needs: more than MAX_PHOTOS_PER_SUBMISSION files, or more than
    MAX_PIXELS_PER_SUBMISSION pixels to decode. Reads headers only; files that are no image
    are left to `check_photo` to name."""
    uploads = list(uploads)
    if len(uploads) > MAX_PHOTOS_PER_SUBMISSION:
        raise PhotoError(
            _("At most %(count)s photos can be sent at once.")
            % {"count": MAX_PHOTOS_PER_SUBMISSION}
        )
    pixels = 0
    for upload in uploads:
        try:
            width, height = photo_size(upload)
        except PhotoError:
            continue
        pixels += min(width * height, MAX_PIXELS + 1)
    if pixels > MAX_PIXELS_PER_SUBMISSION:
        raise PhotoError(
            _(
                "These photos are %(megapixels)s megapixels together; up to %(limit)s can be "
                "sent at once. Send fewer, or smaller ones."
            )
            % {
                "megapixels": _megapixels(pixels),
                "limit": _megapixels(MAX_PIXELS_PER_SUBMISSION),
            }
        )


def _megapixels(pixels: int) -> str:
    return formats.number_format(round(pixels / 1_000_000, 1), decimal_pos=1)


def reencoded(upload: UploadedFile, max_side: int) -> bytes:
    """The upload decoded and written again as a bounded JPEG, without metadata. A JPEG is
    decoded straight at the smallest scale that still covers `max_side` (its DCT can skip the
    rest), and every image is shrunk before its colours are converted."""
    upload.seek(0)
    with Image.open(upload) as opened:
        opened.draft("RGB", (max_side, max_side))
        image: Image.Image = ImageOps.exif_transpose(opened) or opened
        if image.mode in ("1", "P"):  # palettes resize by nearest pixel: convert them first
            image = image.convert("RGB")
        image.thumbnail((max_side, max_side))
        image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def store_photos(store_id: int, uploads: Iterable[UploadedFile], limits: PhotoLimits) -> list[str]:
    """Check, re-encode and save `uploads` under MEDIA_ROOT; returns their storage names.

    Every upload is checked before any is saved, so one bad file stores nothing.
    """
    uploads = list(uploads)
    if len(uploads) > limits.max_count:
        raise PhotoError(_("At most %(count)s photos.") % {"count": limits.max_count})
    check_submission(uploads)
    for upload in uploads:
        check_photo(upload, limits)
    # All decoded before any is saved: a file that only fails when its pixels are read leaves
    # nothing stored behind it.
    encoded = []
    for upload in uploads:
        try:
            encoded.append(reencoded(upload, limits.max_side))
        except Exception as exc:  # see _not_a_photo
            raise _not_a_photo(upload) from exc
    names = []
    for data in encoded:
        name = f"{limits.folder}/{store_id}/{secrets.token_hex(16)}.jpg"
        names.append(default_storage.save(name, ContentFile(data)))
    return names


def discard_photos(names: Iterable[str]) -> None:
    """Delete stored photos nothing will refer to (their request failed, or a twin won)."""
    for name in names:
        default_storage.delete(name)
