"""The label download shared by the API and the shopper's tracking page."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from retorno.core.errors import NotFound
from retorno.logistics.models import Shipment


def label_response(shipment: Shipment | None) -> HttpResponse:
    """The stored PDF label of `shipment`, or a redirect to the carrier's copy when only the
    carrier hosts it. Raises NotFound (code `label_not_found`) when there is none."""
    if shipment is None:
        raise NotFound("This return has no label yet.", code="label_not_found")
    if shipment.label_file and default_storage.exists(shipment.label_file):
        response = FileResponse(
            default_storage.open(shipment.label_file, "rb"),
            content_type="application/pdf",
            filename=f"{shipment.rma}-label.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response  # type: ignore[return-value]  # a streamed file; callers only return it
    if shipment.carrier_label_url:
        return HttpResponseRedirect(shipment.carrier_label_url)
    raise NotFound("This return has no label yet.", code="label_not_found")
