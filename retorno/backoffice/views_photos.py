"""Evidence photos (return reasons, claims, inspections) shown to staff of their store only.

Photos are stored under MEDIA_ROOT as `<folder>/<store id>/<random>.jpg` (core/images.py) and
MEDIA_ROOT is not served: shoppers' photos are private. The store id in the name is checked
against the signed-in store, so staff of one store can never open another's photos.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import not_found
from retorno.core.images import stored_photo_of


@require_GET
@staff_view(permissions.VIEW)
def photo(request: HttpRequest, staff: StaffContext, name: str) -> HttpResponse:
    if not stored_photo_of(name, staff.store.id) or not default_storage.exists(name):
        return not_found(request, staff)
    with default_storage.open(name, "rb") as stored:  # re-encoded, so small (max_side)
        response = HttpResponse(stored.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
