"""A simulated parcel's story, decided once at booking from a seed and the tracking number.

The plan is the list of raw codes the parcel will go through; the server reveals one step every
`step_seconds` (or at once through the control endpoint). The same seed and tracking number give
the same plan on every run, so demos and tests are reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from retorno.domain.logistics.status_maps import SimulatorCode as C

HUBS = ("Hub Madrid-Coslada", "Hub Zaragoza", "Hub Valencia", "Hub Barcelona-ZAL", "Hub León")

DESCRIPTIONS: Mapping[str, str] = {
    C.LABEL_CREATED: "Label created; waiting for the parcel",
    C.PICKUP_SCHEDULED: "Pickup scheduled",
    C.PICKUP_FAILED_NOT_HOME: "Pickup failed: nobody at the address",
    C.PICKUP_FAILED_ADDRESS: "Pickup failed: address wrong or incomplete",
    C.PICKUP_FAILED_NOT_READY: "Pickup failed: parcel not ready",
    C.PICKUP_FAILED_REFUSED: "Pickup failed: parcel refused",
    C.PICKUP_FAILED_NOT_SERVICEABLE: "Pickup failed: address not serviceable",
    C.PICKUP_FAILED_CARRIER: "Pickup failed: carrier issue",
    C.PICKED_UP: "Parcel collected by the courier",
    C.DROPPED_OFF: "Parcel handed in at a parcel point",
    C.IN_TRANSIT: "In transit",
    C.OUT_FOR_DELIVERY: "Out for delivery to the warehouse",
    C.DELIVERED: "Delivered to the warehouse",
    C.EXCEPTION: "Exception: parcel held at the hub, rerouted",
    C.CANCELLED: "Shipment cancelled",
}


def plan_for(
    *,
    seed: int,
    carrier_code: str,
    tracking_number: str,
    method: str,
    pickup_success_rate: float,
    exception_rate: float,
    transit_days: int,
    failure_weights: Mapping[str, int],
    forced_pickup: str | None = None,
) -> list[str]:
    """The raw codes the parcel will go through, first one at booking time.

    Pickup: PICKUP_SCHEDULED, then PICKED_UP or a PICKUP_FAILED_* (the story stops there: the
    shipper re-books). Drop-off and label: LABEL_CREATED, DROPPED_OFF. Then IN_TRANSIT once per
    transit day (sometimes an EXCEPTION and a recovery), OUT_FOR_DELIVERY, DELIVERED.
    """
    rng = random.Random(f"{seed}:{carrier_code}:{tracking_number}")
    plan: list[str] = []
    if method == "pickup":
        plan.append(C.PICKUP_SCHEDULED)
        outcome = forced_pickup
        if outcome is None:
            if rng.random() < pickup_success_rate:
                outcome = C.PICKED_UP
            else:
                reasons = sorted(failure_weights)
                outcome = rng.choices(reasons, weights=[failure_weights[r] for r in reasons])[0]
        plan.append(outcome)
        if outcome != C.PICKED_UP:
            return plan
    else:
        plan.extend((C.LABEL_CREATED, C.DROPPED_OFF))
    for _day in range(max(1, transit_days)):
        plan.append(C.IN_TRANSIT)
        if rng.random() < exception_rate:
            plan.extend((C.EXCEPTION, C.IN_TRANSIT))
    plan.extend((C.OUT_FOR_DELIVERY, C.DELIVERED))
    return plan


def location_for(
    code: str, step: int, *, tracking_number: str, sender_city: str, recipient_city: str
) -> str:
    if code in (C.LABEL_CREATED, C.CANCELLED):
        return ""
    if code in (C.PICKUP_SCHEDULED, C.PICKED_UP, C.DROPPED_OFF) or code.startswith("PICKUP_FAILED"):
        return sender_city
    if code in (C.OUT_FOR_DELIVERY, C.DELIVERED):
        return recipient_city
    return HUBS[(sum(map(ord, tracking_number)) + step) % len(HUBS)]
