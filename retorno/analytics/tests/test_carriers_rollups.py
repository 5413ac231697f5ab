"""The carriers panel read from the rollups gives the figures the shipments, pickup attempts and
scans give when counted from the history, for any period and either basis; a change to a
shipment's history is counted when its return is next counted."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from retorno.analytics import operations
from retorno.analytics.returns import NOT_RETURNED
from retorno.analytics.rollups import orders_refresh, rollups_check
from retorno.analytics.scope import Scope
from retorno.demo.generator import demo_create
from retorno.domain.analytics.periods import Basis, Period
from retorno.domain.analytics.rates import rate
from retorno.domain.analytics.stats import percentile
from retorno.logistics.models import PickupAttempt, Shipment, TrackingEvent
from retorno.returns.models import Return

pytestmark = pytest.mark.django_db

SCANNED = ("picked_up", "in_transit", "out_for_delivery", "delivered_to_warehouse")
TODAY = date(2026, 3, 15)


def _days(values: list[float], q: float) -> float | None:
    found = percentile(values, q)
    return None if found is None else round(found / 86400, 1)


def from_history(scope: Scope) -> list[tuple]:
    """The panel counted from the source tables (what it read before the rollups kept it)."""
    start, end = scope.bounds
    returns = Return.objects.filter(store=scope.store).exclude(status__in=NOT_RETURNED)
    if scope.basis is Basis.ORDER:
        returns = returns.filter(order__placed_at__gte=start, order__placed_at__lt=end)
    else:
        returns = returns.filter(created_at__gte=start, created_at__lt=end)
    shipments = Shipment.objects.filter(
        store=scope.store, return_id__in=returns.values("pk"), carrier_account__isnull=False
    )
    firsts = {
        row["carrier_account__name"]: (row["n"], row["ok"])
        for row in PickupAttempt.objects.filter(shipment__in=shipments, attempt_number=1)
        .values("carrier_account__name")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(succeeded=True)))
        .order_by()
    }
    scanned = TrackingEvent.objects.filter(shipment_id=OuterRef("pk"), status__in=SCANNED)
    labels = {
        row["carrier_account__name"]: (row["n"], row["used"])
        for row in shipments.filter(method__in=("self_ship", "drop_off"))
        .annotate(used=Exists(scanned))
        .values("carrier_account__name")
        .annotate(n=Count("id"), used=Count("id", filter=Q(used=True)))
        .order_by()
    }
    transit: dict[str, list[float]] = defaultdict(list)
    for carrier, first_scan, delivered in (
        shipments.annotate(
            first_scan=Min("events__occurred_at", filter=Q(events__status__in=SCANNED)),
            delivered=Min("events__occurred_at", filter=Q(events__status="delivered_to_warehouse")),
        )
        .filter(first_scan__isnull=False, delivered__isnull=False)
        .values_list("carrier_account__name", "first_scan", "delivered")
    ):
        transit[carrier].append((delivered - first_scan).total_seconds())
    carriers = sorted(set(shipments.values_list("carrier_account__name", flat=True)))
    return [
        (
            carrier,
            firsts.get(carrier, (0, 0))[0],
            rate(*reversed(firsts.get(carrier, (0, 0)))),
            labels.get(carrier, (0, 0))[0],
            rate(*reversed(labels.get(carrier, (0, 0)))),
            _days(transit[carrier], 50),
            _days(transit[carrier], 90),
        )
        for carrier in carriers
    ]


def from_rollups(scope: Scope) -> list[tuple]:
    return [
        (
            c.carrier,
            c.pickups,
            c.pickup_first_attempt,
            c.labels,
            c.labels_used,
            c.transit_p50_days,
            c.transit_p90_days,
        )
        for c in operations.carrier_report(scope).carriers
    ]


def test_the_carriers_panel_reads_what_the_history_gives():
    store = demo_create(customers=300, orders=600, today=TODAY).store
    assert rollups_check(store) == {}
    periods = [
        (date(2025, 11, 1), TODAY),  # whole months and two partial ones
        (date(2026, 1, 1), date(2026, 2, 28)),  # whole months only
        (date(2026, 2, 10), date(2026, 2, 20)),  # inside one month
        (TODAY - timedelta(days=364), TODAY),
    ]
    seen = 0
    for (start, end), basis in ((p, b) for p in periods for b in Basis):
        scope = Scope(store, Period(start, end, basis))
        expected = from_history(scope)
        assert from_rollups(scope) == expected
        seen += len(expected)
    assert seen  # the demo's history has carriers in these periods

    # A late scan: counted when its return's order is next counted, as a rebuild counts it.
    shipment = (
        Shipment.objects.filter(store=store, carrier_account__isnull=False, events__isnull=False)
        .select_related("carrier_account")
        .first()
    )
    first = TrackingEvent.objects.filter(shipment=shipment).order_by("occurred_at").first()
    TrackingEvent.objects.create(
        carrier_account=shipment.carrier_account,
        shipment=shipment,
        tracking_number=shipment.tracking_number,
        dedupe_key="late-scan",
        raw_status="picked_up",
        status="picked_up",
        occurred_at=first.occurred_at - timedelta(days=2),
        received_at=timezone.now(),
    )
    orders_refresh(store, [Return.objects.get(pk=shipment.return_id).order_id])
    assert rollups_check(store) == {}
    scope = Scope(store, Period(periods[0][0], periods[0][1], Basis.REQUEST))
    assert from_rollups(scope) == from_history(scope)
