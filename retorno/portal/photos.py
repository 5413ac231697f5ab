"""Shopper photos (evidence for defective or damaged items), checked and re-encoded by
retorno.core.images with the portal's limits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict

from retorno.core import images
from retorno.core.images import PhotoError

MAX_PHOTOS_PER_ITEM = 3
MAX_SIDE = 1600

__all__ = ["MAX_PHOTOS_PER_ITEM", "PhotoError", "check_photo", "check_submission", "store_photos"]


def limits() -> images.PhotoLimits:
    return images.PhotoLimits(
        max_bytes=settings.PORTAL_PHOTO_MAX_BYTES,
        max_side=MAX_SIDE,
        max_count=MAX_PHOTOS_PER_ITEM,
        folder="portal",
    )


def check_photo(upload: UploadedFile) -> None:
    images.check_photo(upload, limits())


def check_submission(files: MultiValueDict) -> None:
    """Every file of one submission (all its items' photos) within the per-form budget."""
    images.check_submission(upload for name in files for upload in files.getlist(name))


def store_photos(store_id: int, uploads: Iterable[UploadedFile]) -> list[str]:
    return images.store_photos(store_id, uploads, limits())
