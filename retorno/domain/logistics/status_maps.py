"""Status maps for the carriers Retorno ships with: its simulator, EasyPost and Shippo.

docs/tracking-statuses.md shows the same maps as tables; keep both in step (a test checks it).
Raw codes with a detail are built by the adapter with `StatusMap.raw_code(status, detail)`.
"""

from __future__ import annotations

import enum

from retorno.domain.logistics.tracking import FailedPickupReason as R
from retorno.domain.logistics.tracking import StatusMap
from retorno.domain.logistics.tracking import TrackingStatus as S


class SimulatorCode(enum.StrEnum):
    """The raw codes the Retorno carrier simulator (`retorno carrier-sim`) sends. Defined here so
    the simulator and its adapter share one list."""

    LABEL_CREATED = "LABEL_CREATED"
    PICKUP_SCHEDULED = "PICKUP_SCHEDULED"
    PICKUP_FAILED_NOT_HOME = "PICKUP_FAILED_NOT_HOME"
    PICKUP_FAILED_ADDRESS = "PICKUP_FAILED_ADDRESS"
    PICKUP_FAILED_NOT_READY = "PICKUP_FAILED_NOT_READY"
    PICKUP_FAILED_REFUSED = "PICKUP_FAILED_REFUSED"
    PICKUP_FAILED_NOT_SERVICEABLE = "PICKUP_FAILED_NOT_SERVICEABLE"
    PICKUP_FAILED_CARRIER = "PICKUP_FAILED_CARRIER"
    PICKED_UP = "PICKED_UP"
    DROPPED_OFF = "DROPPED_OFF"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"
    CANCELLED = "CANCELLED"


C = SimulatorCode

SIMULATOR_STATUS_MAP = StatusMap(
    carrier="simulator",
    source="Retorno carrier simulator codes, defined by SimulatorCode in this module",
    statuses={
        C.LABEL_CREATED: S.LABEL_CREATED,
        C.PICKUP_SCHEDULED: S.PICKUP_SCHEDULED,
        C.PICKUP_FAILED_NOT_HOME: S.PICKUP_FAILED,
        C.PICKUP_FAILED_ADDRESS: S.PICKUP_FAILED,
        C.PICKUP_FAILED_NOT_READY: S.PICKUP_FAILED,
        C.PICKUP_FAILED_REFUSED: S.PICKUP_FAILED,
        C.PICKUP_FAILED_NOT_SERVICEABLE: S.PICKUP_FAILED,
        C.PICKUP_FAILED_CARRIER: S.PICKUP_FAILED,
        C.PICKED_UP: S.PICKED_UP,
        # Handing the parcel in at a parcel point is the drop-off method's "picked up".
        C.DROPPED_OFF: S.PICKED_UP,
        C.IN_TRANSIT: S.IN_TRANSIT,
        C.OUT_FOR_DELIVERY: S.OUT_FOR_DELIVERY,
        C.DELIVERED: S.DELIVERED_TO_WAREHOUSE,
        C.EXCEPTION: S.EXCEPTION,
        C.CANCELLED: S.CANCELLED,
    },
    failure_reasons={
        C.PICKUP_FAILED_NOT_HOME: R.CUSTOMER_NOT_AVAILABLE,
        C.PICKUP_FAILED_ADDRESS: R.WRONG_ADDRESS,
        C.PICKUP_FAILED_NOT_READY: R.ITEM_NOT_READY,
        C.PICKUP_FAILED_REFUSED: R.REFUSED,
        C.PICKUP_FAILED_NOT_SERVICEABLE: R.NOT_SERVICEABLE,
        C.PICKUP_FAILED_CARRIER: R.CARRIER_ISSUE,
    },
)

# Follows the EasyPost API reference, "Tracker object" (https://docs.easypost.com/docs/trackers):
# `status` is one of unknown, pre_transit, in_transit, out_for_delivery, delivered,
# available_for_pickup, return_to_sender, failure, cancelled, error. Retorno tracks *return*
# shipments, addressed to the store's warehouse, so "delivered" means delivered to the warehouse.
# EasyPost trackers follow labels, not pickups: a failed pickup never shows up here (it does
# not reach a carrier scan), so there are no failure reasons.
EASYPOST_STATUS_MAP = StatusMap(
    carrier="easypost",
    source='EasyPost API reference, "Tracker object" (status field)',
    statuses={
        "pre_transit": S.LABEL_CREATED,
        "in_transit": S.IN_TRANSIT,
        "out_for_delivery": S.OUT_FOR_DELIVERY,
        "delivered": S.DELIVERED_TO_WAREHOUSE,
        # Held at a carrier counter instead of reaching the warehouse: someone must act.
        "available_for_pickup": S.EXCEPTION,
        # For a return, "back to sender" means back to the shopper: the return did not arrive.
        "return_to_sender": S.EXCEPTION,
        "failure": S.EXCEPTION,
        "error": S.EXCEPTION,
        "cancelled": S.CANCELLED,
        # EasyPost's own "unknown" is a documented status, so it is known to us as unknown.
        "unknown": S.UNKNOWN,
    },
    failure_reasons={},
)

# Follows the Shippo API reference, "Tracking" (https://docs.goshippo.com/docs/tracking/):
# `tracking_status.status` is one of PRE_TRANSIT, TRANSIT, DELIVERED, RETURNED, FAILURE,
# UNKNOWN, and `tracking_status.substatus.code` refines it (package_accepted, out_for_delivery,
# address_issue, package_damaged, ...). Raw codes are "STATUS" or "STATUS:substatus".
SHIPPO_STATUS_MAP = StatusMap(
    carrier="shippo",
    source='Shippo API reference, "Tracking" (tracking_status.status and substatus.code)',
    statuses={
        "PRE_TRANSIT": S.LABEL_CREATED,
        "TRANSIT": S.IN_TRANSIT,
        # The carrier's first acceptance scan: the shopper has handed the parcel over.
        "TRANSIT:package_accepted": S.PICKED_UP,
        "TRANSIT:out_for_delivery": S.OUT_FOR_DELIVERY,
        # Substatuses that need someone to act before the parcel can reach the warehouse.
        "TRANSIT:address_issue": S.EXCEPTION,
        "TRANSIT:contact_carrier": S.EXCEPTION,
        "TRANSIT:package_damaged": S.EXCEPTION,
        "TRANSIT:package_held": S.EXCEPTION,
        "TRANSIT:location_inaccessible": S.EXCEPTION,
        "DELIVERED": S.DELIVERED_TO_WAREHOUSE,
        # For a return, "returned" means sent back to the shopper: the return did not arrive.
        "RETURNED": S.EXCEPTION,
        "FAILURE": S.EXCEPTION,
        "UNKNOWN": S.UNKNOWN,
    },
    failure_reasons={},
)

STATUS_MAPS: dict[str, StatusMap] = {
    status_map.carrier: status_map
    for status_map in (SIMULATOR_STATUS_MAP, EASYPOST_STATUS_MAP, SHIPPO_STATUS_MAP)
}
