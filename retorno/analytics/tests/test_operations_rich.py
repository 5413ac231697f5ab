"""The carriers and policy-exceptions figures over a rich generated history (the demo's past:
hundreds of returns, shipments with several carriers, pickups that failed, labels, scans, reviews; plus reviews and overrides by three agents naming four rules), each checked
against the same figure counted here again, straight from the rows, by other code."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from retorno.analytics import operations
from retorno.analytics.scope import scope_from_params
from retorno.analytics.tests.factories import RICH_PERIOD, rich_history
from retorno.domain.analytics.rates import Rate
from retorno.domain.returns.events import EventKind
from retorno.logistics.models import PickupAttempt, Shipment, TrackingEvent
from retorno.returns.models import Return, ReturnEvent

pytestmark = pytest.mark.django_db

SCANNED = {"picked_up", "in_transit", "out_for_delivery", "delivered_to_warehouse"}


@pytest.fixture
def rich():
    store = rich_history()
    scope = scope_from_params(store=store, params=RICH_PERIOD, now=timezone.now())
    start, end = scope.bounds
    counted = [
        r.id
        for r in Return.objects.filter(store=store)
        if start <= r.created_at < end and r.status not in ("rejected", "cancelled")
    ]
    return store, scope, counted


def nearest_rank(values: list[float], q: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered) / 100) - 1]


def parts(figure: Rate) -> tuple[int, int, bool]:
    """A rate's numerator and denominator, and whether it is shown (30 or more)."""
    return int(figure.numerator), int(figure.denominator), figure.value is not None


def test_carriers_over_a_rich_history(rich):
    store, scope, counted = rich
    shipments = {
        s.id: s
        for s in Shipment.objects.filter(store=store).select_related("carrier_account")
        if s.return_id in set(counted) and s.carrier_account is not None
    }
    firsts: dict[str, list[bool]] = defaultdict(list)
    for attempt in PickupAttempt.objects.filter(store=store).select_related("carrier_account"):
        if attempt.shipment_id in shipments and attempt.attempt_number == 1:
            firsts[attempt.carrier_account.name].append(attempt.succeeded)
    events: dict[int, list[TrackingEvent]] = defaultdict(list)
    for event in TrackingEvent.objects.filter(shipment_id__in=list(shipments)):
        events[event.shipment_id].append(event)
    labels: dict[str, list[bool]] = defaultdict(list)
    transit: dict[str, list[float]] = defaultdict(list)
    for shipment in shipments.values():
        name = shipment.carrier_account.name
        scans = [e.occurred_at for e in events[shipment.id] if e.status in SCANNED]
        arrived = [
            e.occurred_at for e in events[shipment.id] if e.status == "delivered_to_warehouse"
        ]
        if shipment.method in ("self_ship", "drop_off"):
            labels[name].append(bool(scans))
        if scans and arrived:
            transit[name].append((min(arrived) - min(scans)).total_seconds() / 86400)

    report = operations.carrier_report(scope)
    names = {s.carrier_account.name for s in shipments.values()}
    assert [c.carrier for c in report.carriers] == sorted(names)
    # Rich enough to mean something: several carriers, first pickups that failed, labels.
    assert len(names) >= 2
    assert sum(len(v) for v in firsts.values()) >= 30
    assert any(not ok for v in firsts.values() for ok in v)
    assert sum(len(v) for v in labels.values()) >= 30
    for figure in report.carriers:
        name = figure.carrier
        assert figure.pickups == len(firsts[name]), name
        tried = len(firsts[name])
        assert parts(figure.pickup_first_attempt) == (sum(firsts[name]), tried, tried >= 30)
        assert figure.labels == len(labels[name]), name
        issued = len(labels[name])
        assert parts(figure.labels_used) == (sum(labels[name]), issued, issued >= 30), name
        for q, found in ((50, figure.transit_p50_days), (90, figure.transit_p90_days)):
            expected = nearest_rank(transit[name], q)
            assert found == (None if expected is None else round(expected, 1)), (name, q)
    assert any(c.transit_p50_days for c in report.carriers)


def test_policy_exceptions_over_a_rich_history(rich):
    store, scope, counted = rich
    reviews, reasons, rules, agents = 0, Counter(), Counter(), Counter()
    for event in ReturnEvent.objects.filter(store=store, return_request_id__in=counted):
        data = event.data if isinstance(event.data, dict) else {}
        if event.kind == EventKind.HELD_FOR_REVIEW:
            reviews += 1
            for reason in data.get("reasons") or []:
                reasons[reason["code"] if isinstance(reason, dict) else reason] += 1
        elif event.kind == EventKind.DECISION_OVERRIDDEN:
            rules[data.get("rule") or "-"] += 1
            agents[event.actor_label or "-"] += 1

    found = operations.policy_exceptions(scope)
    assert found.returns == len(counted)
    assert found.reviews == reviews
    assert parts(found.review_share) == (reviews, len(counted), len(counted) >= 30)
    assert dict(found.review_reasons) == dict(reasons)
    assert dict(found.overrides_by_rule) == dict(rules)
    assert dict(found.overrides_by_agent) == dict(agents)
    # Most first, then by name.
    assert found.overrides_by_rule == sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))
    # Rich enough: the demo's reviews and ours, every rule (one unnamed), every agent.
    assert reviews > 20
    assert set(rules) >= {"window", "final_sale", "gift_card", "-"}
    assert set(agents) >= {"Lucía", "Tomás", "Ana"}
    assert reasons
