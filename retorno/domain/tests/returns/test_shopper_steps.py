"""The shopper's next step for every state of a return and of its parcel."""

import pytest

from retorno.domain.returns.shopper_steps import ParcelState, ShopperStep, shopper_step
from retorno.domain.returns.states import ReturnStatus

B, F, N = ParcelState.BOOKED, ParcelState.FAILED, ParcelState.NONE


@pytest.mark.parametrize(
    ("status", "method", "parcel", "parcel_method", "step"),
    [
        ("requested", "pickup", N, "", "in_review"),
        ("pending_review", "drop_off", N, "", "in_review"),
        ("pending_review", "keep", N, "", "in_review"),
        ("rejected", "pickup", N, "", "rejected"),
        ("cancelled", "self_ship", B, "self_ship", "cancelled"),
        ("approved", "keep", N, "", "keep"),
        ("resolved", "keep", N, "", "keep"),
        ("approved", "pickup", N, "", "pickup_pending"),
        ("approved", "pickup", B, "pickup", "pickup_booked"),
        ("approved", "pickup", B, "self_ship", "label_ready"),  # no carrier collects there
        ("approved", "self_ship", N, "", "label_pending"),
        ("approved", "self_ship", B, "self_ship", "label_ready"),
        ("approved", "drop_off", N, "", "drop_off_pending"),
        ("approved", "drop_off", B, "drop_off", "drop_off_ready"),
        ("approved", "drop_off", F, "drop_off", "booking_failed"),
        ("in_transit", "pickup", B, "pickup", "on_its_way"),
        ("received", "pickup", B, "pickup", "received"),
        ("inspected", "self_ship", B, "self_ship", "received"),
        ("resolved", "pickup", B, "pickup", "completed"),
        ("closed", "drop_off", B, "drop_off", "completed"),
    ],
)
def test_next_step(status, method, parcel, parcel_method, step):
    got = shopper_step(status=status, method=method, parcel=parcel, parcel_method=parcel_method)
    assert got is ShopperStep(step)


def test_every_status_has_a_step():
    for status in ReturnStatus:
        for method in ("pickup", "drop_off", "self_ship", "keep"):
            for parcel in ParcelState:
                assert shopper_step(status=status, method=method, parcel=parcel) in ShopperStep
