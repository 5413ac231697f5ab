"""Inspection photos, checked and re-encoded by retorno.core.images with the warehouse's limits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from retorno.core import images
from retorno.core.images import PhotoError

MAX_PHOTOS_PER_INSPECTION = 6
MAX_SIDE = 2000

__all__ = ["MAX_PHOTOS_PER_INSPECTION", "PhotoError", "check_photo", "store_photos"]


def limits() -> images.PhotoLimits:
    return images.PhotoLimits(
        max_bytes=settings.WAREHOUSE_PHOTO_MAX_BYTES,
        max_side=MAX_SIDE,
        max_count=MAX_PHOTOS_PER_INSPECTION,
        folder="warehouse",
    )


def check_photo(upload: UploadedFile) -> None:
    images.check_photo(upload, limits())


def store_photos(store_id: int, uploads: Iterable[UploadedFile]) -> list[str]:
    return images.store_photos(store_id, uploads, limits())
