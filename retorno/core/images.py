"""Uploaded photos: images only, size-limited, decoded and re-encoded before they are stored.

Re-encoding drops whatever else the upload carried (metadata, trailing bytes, scripts in
polyglot files) and normalises every photo to a bounded JPEG. The shopper's evidence and the
warehouse's inspection photos both go through here, each with its own limits.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})


class PhotoError(ValueError):
    """A message for the person who uploaded the file."""


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_side: int
    max_count: int
    folder: str


def check_photo(upload: UploadedFile, limits: PhotoLimits) -> None:
    """Raise PhotoError unless `upload` is an acceptable image."""
    if upload.size is None or upload.size > limits.max_bytes:
        raise PhotoError(
            _("“%(name)s” is larger than %(size)s MB.")
            % {"name": upload.name, "size": limits.max_bytes // (1024 * 1024) or 1}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise PhotoError(_("“%(name)s” is not a photo.") % {"name": upload.name})
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoError(_("“%(name)s” is too large.") % {"name": upload.name})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoError(_("“%(name)s” is not a photo.") % {"name": upload.name}) from exc
    finally:
        upload.seek(0)


def reencoded(upload: UploadedFile, max_side: int) -> bytes:
    """The upload decoded and written again as a bounded JPEG, without metadata."""
    upload.seek(0)
    with Image.open(upload) as opened:
        image: Image.Image = ImageOps.exif_transpose(opened) or opened
        image = image.convert("RGB")
        image.thumbnail((max_side, max_side))
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
    for upload in uploads:
        check_photo(upload, limits)
    names = []
    for upload in uploads:
        data = reencoded(upload, limits.max_side)
        name = f"{limits.folder}/{store_id}/{secrets.token_hex(16)}.jpg"
        names.append(default_storage.save(name, ContentFile(data)))
    return names


def discard_photos(names: Iterable[str]) -> None:
    """Delete stored photos nothing will refer to (their request failed, or a twin won)."""
    for name in names:
        default_storage.delete(name)
