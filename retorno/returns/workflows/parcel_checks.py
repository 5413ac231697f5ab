"""Checking a parcel at receiving: its weight against what was shipped, and whether the units'
serial numbers match. Recorded on the return's trail (`parcel_checked`), where the empty-box
signal reads it (docs/insight.md)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Unprocessable
from retorno.domain.returns.events import EventKind
from retorno.returns.events import command, event_record
from retorno.returns.locks import return_lock
from retorno.returns.models import Return, ReturnItem
from retorno.stores.models import Store

MAX_WEIGHT_GRAMS = 1_000_000


def expected_weight_grams(return_request: Return) -> int | None:
    """What the returned units weighed when they were shipped (the catalog's variant weights),
    or None when a unit's weight is unknown."""
    total = 0
    items = ReturnItem.objects.filter(return_request=return_request).select_related(
        "order_line__variant"
    )
    for item in items:
        variant = item.order_line.variant
        units = item.quantity_approved or item.quantity_requested
        if variant is None or not variant.weight_grams:
            return None
        total += variant.weight_grams * units
    return total or None


def return_parcel_check(
    *,
    store: Store,
    rma: str,
    actor: Actor,
    weight_grams: int | None = None,
    serial_matches: bool | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Return:
    """Record what the warehouse found on the parcel: its weight (grams) and whether the serial
    numbers match what was sold. At least one must be given; a weight must be 1 g to 1 t.
    Raises Unprocessable (nothing_checked, invalid_weight) and writes nothing then."""
    now = now or timezone.now()
    if weight_grams is None and serial_matches is None:
        raise Unprocessable("Give the parcel's weight or the serial check.", code="nothing_checked")
    if weight_grams is not None and (
        isinstance(weight_grams, bool) or not 1 <= weight_grams <= MAX_WEIGHT_GRAMS
    ):
        raise Unprocessable(
            f"The weight must be between 1 and {MAX_WEIGHT_GRAMS} grams.", code="invalid_weight"
        )
    with command():
        return_request = return_lock(store, rma)
        event_record(
            return_request,
            EventKind.PARCEL_CHECKED,
            actor=actor,
            now=now,
            note=note,
            data={
                "weight_grams": weight_grams,
                "expected_weight_grams": expected_weight_grams(return_request),
                "serial_matches": serial_matches,
            },
        )
    return return_request
