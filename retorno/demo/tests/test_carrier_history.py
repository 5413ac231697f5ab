"""The demo's past parcels: every return a carrier took to the warehouse has its shipment,
scans and pickup attempts, so the analytics' carrier figures have a history; written once."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from retorno.analytics import operations
from retorno.analytics.scope import scope_from_params
from retorno.demo.carrier_history import carrier_history_write
from retorno.demo.generator import demo_create
from retorno.logistics.models import PickupAttempt, Shipment, TrackingEvent
from retorno.logistics.selectors import pollable_shipments
from retorno.returns.models import ReturnEvent

pytestmark = pytest.mark.django_db


def test_the_demo_carriers_have_a_history():
    store = demo_create(customers=300, orders=600, today=date(2026, 3, 15)).store
    carried = ReturnEvent.objects.filter(store=store, kind="in_transit").values("return_request")
    received = set(
        ReturnEvent.objects.filter(
            store=store, kind="received", return_request__in=carried
        ).values_list("return_request", flat=True)
    )
    delivered = Shipment.objects.filter(store=store, status="delivered_to_warehouse")
    assert set(delivered.values_list("return_id", flat=True)) == received
    assert TrackingEvent.objects.filter(shipment__store=store).count() == 2 * delivered.count()
    pickups = PickupAttempt.objects.filter(store=store, attempt_number=1)
    assert pickups.filter(succeeded=True).exists()
    assert pickups.filter(succeeded=False).exists()
    # Finished journeys only: nothing for a job to poll a carrier about.
    assert pollable_shipments() == []
    assert carrier_history_write(store, seed=1) == 0  # once

    scope = scope_from_params(
        store=store, params={"from": "2025-11-01", "to": "2026-03-15"}, now=timezone.now()
    )
    report = operations.carrier_report(scope)
    assert {c.carrier for c in report.carriers} >= {"Rápido Express", "Norte Logística"}
    assert sum(c.pickups for c in report.carriers) == pickups.count()
    assert any(c.transit_p50_days for c in report.carriers)
