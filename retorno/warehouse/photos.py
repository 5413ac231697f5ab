"""Inspection photos: images only, size-limited, decoded and re-encoded before they are stored.

The same approach as the shopper's photos (retorno/portal/photos.py), kept here because the
warehouse sits below the interfaces: re-encoding drops metadata, trailing bytes and polyglot
payloads, and bounds every photo to a JPEG of at most MAX_SIDE pixels a side.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS_PER_INSPECTION = 6
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})


class PhotoError(ValueError):
    pass


def max_bytes() -> int:
    return int(getattr(settings, "WAREHOUSE_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_photo(upload: UploadedFile) -> None:
    """Raise PhotoError with a message for staff unless `upload` is an acceptable image."""
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise PhotoError(
            _("“%(name)s” is larger than %(size)s MB.")
            % {"name": upload.name, "size": limit // (1024 * 1024) or 1}
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


def reencoded(upload: UploadedFile) -> bytes:
    """The upload decoded and written again as a bounded JPEG, without metadata."""
    upload.seek(0)
    with Image.open(upload) as opened:
        image: Image.Image = ImageOps.exif_transpose(opened) or opened
        image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def store_photos(store_id: int, uploads: Iterable[UploadedFile]) -> list[str]:
    """Check, re-encode and save `uploads` under MEDIA_ROOT; returns their storage names.

    Every upload is checked before any is saved, so one bad file stores nothing.
    """
    uploads = list(uploads)
    if len(uploads) > MAX_PHOTOS_PER_INSPECTION:
        raise PhotoError(
            _("At most %(count)s photos per inspection.") % {"count": MAX_PHOTOS_PER_INSPECTION}
        )
    for upload in uploads:
        check_photo(upload)
    names = []
    for upload in uploads:
        data = reencoded(upload)
        name = f"warehouse/{store_id}/{secrets.token_hex(16)}.jpg"
        names.append(default_storage.save(name, ContentFile(data)))
    return names
