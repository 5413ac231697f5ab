"""Test data shared by every carrier adapter's tests (outside carriers/, which stay independent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from retorno.domain.logistics.gateway import Address, BookingRequest

SHOPPER = Address(
    name="Lucía Fernández",
    line1="Calle Mayor 12",
    city="Oviedo",
    postal_code="33003",
    country="ES",
    phone="+34600123456",
)
WAREHOUSE = Address(
    name="Tienda Ejemplo Devoluciones",
    line1="Polígono Sur, Nave 7",
    city="Getafe",
    postal_code="28906",
    country="ES",
)


def booking_request(
    reference: str = "shp_1-attempt-1",
    *,
    method: str = "pickup",
    sender: Address = SHOPPER,
    weight_grams: int = 1200,
    pickup_date: date | None = None,
) -> BookingRequest:
    return BookingRequest(
        reference=reference,
        method=method,
        rma="RMA-2026-000123",
        sender=sender,
        recipient=WAREHOUSE,
        weight_grams=weight_grams,
        dimensions_cm=(30, 20, 10),
        declared_value=Decimal("59.90"),
        currency="EUR",
        pickup_date=pickup_date,
    )
