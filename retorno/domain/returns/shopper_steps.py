"""What the shopper has to do, or wait for, next: one step per state of a return and its parcel.

The confirmation page and the tracking page tell the shopper this step; interfaces word it by
its code. It depends on the return's status, the method chosen and, once the return is approved,
on how far the parcel's booking got (logistics may book another method than the one chosen, e.g.
a label where no carrier collects).
"""

from __future__ import annotations

from enum import StrEnum

from retorno.domain.returns.states import ReturnStatus


class ParcelState(StrEnum):
    """How far the booking of the return's parcel got."""

    NONE = "none"  # nothing booked yet (being allocated, or the store ships outside Retorno)
    BOOKED = "booked"  # a carrier took it: pickup date, label or drop-off code
    FAILED = "failed"  # no carrier could book it


class ShopperStep(StrEnum):
    IN_REVIEW = "in_review"  # our team checks the request; nothing to send yet
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    KEEP = "keep"  # nothing to send back
    PICKUP_PENDING = "pickup_pending"  # the pickup is being arranged
    PICKUP_BOOKED = "pickup_booked"  # have the parcel ready on the pickup day
    LABEL_PENDING = "label_pending"  # the label is being prepared
    LABEL_READY = "label_ready"  # print the label and hand the parcel in
    DROP_OFF_PENDING = "drop_off_pending"  # the drop-off code is being prepared
    DROP_OFF_READY = "drop_off_ready"  # take the parcel and the code to a drop-off point
    BRING_TO_STORE = "bring_to_store"  # hand the items in at one of the store's shops
    BOOKING_FAILED = "booking_failed"  # no carrier could take it: our team gets in touch
    ON_ITS_WAY = "on_its_way"  # the carrier has the parcel
    RECEIVED = "received"  # at the warehouse, being checked
    COMPLETED = "completed"


# The steps at which the parcel is still with the shopper and is to be sent: only then is the
# shopper told where and how to send it (not while in review, nor once it has left).
PARCEL_TO_SEND = frozenset(
    {
        ShopperStep.PICKUP_PENDING,
        ShopperStep.PICKUP_BOOKED,
        ShopperStep.LABEL_PENDING,
        ShopperStep.LABEL_READY,
        ShopperStep.DROP_OFF_PENDING,
        ShopperStep.DROP_OFF_READY,
        ShopperStep.BRING_TO_STORE,
    }
)

_WAITING = frozenset({ReturnStatus.REQUESTED, ReturnStatus.PENDING_REVIEW})
_PENDING = {
    "pickup": ShopperStep.PICKUP_PENDING,
    "drop_off": ShopperStep.DROP_OFF_PENDING,
    "self_ship": ShopperStep.LABEL_PENDING,
}
_BOOKED = {
    "pickup": ShopperStep.PICKUP_BOOKED,
    "drop_off": ShopperStep.DROP_OFF_READY,
    "self_ship": ShopperStep.LABEL_READY,
}


def shopper_step(
    *, status: str, method: str, parcel: ParcelState = ParcelState.NONE, parcel_method: str = ""
) -> ShopperStep:
    """The shopper's next step for a return in `status` whose shopper chose `method` (pickup,
    drop_off, self_ship, keep). `parcel` and `parcel_method` describe the latest booking of its
    parcel, which may use another method than the one chosen."""
    if status in _WAITING:
        return ShopperStep.IN_REVIEW
    if status == ReturnStatus.REJECTED:
        return ShopperStep.REJECTED
    if status == ReturnStatus.CANCELLED:
        return ShopperStep.CANCELLED
    if method == "keep":
        return ShopperStep.KEEP
    if status in (ReturnStatus.RESOLVED, ReturnStatus.CLOSED):
        return ShopperStep.COMPLETED
    if status in (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED):
        return ShopperStep.RECEIVED
    if status == ReturnStatus.IN_TRANSIT:
        return ShopperStep.ON_ITS_WAY
    if method == "in_store":  # no carrier, nothing booked: the shopper brings it in
        return ShopperStep.BRING_TO_STORE
    if parcel is ParcelState.FAILED:
        return ShopperStep.BOOKING_FAILED
    shipped_as = parcel_method if parcel is ParcelState.BOOKED and parcel_method else method
    table = _BOOKED if parcel is ParcelState.BOOKED else _PENDING
    return table.get(shipped_as, ShopperStep.LABEL_PENDING)
