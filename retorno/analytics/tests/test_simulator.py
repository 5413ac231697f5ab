"""The policy simulator over returns made through the real services: the policy in force replays
to the decisions recorded at the time, a draft changes exactly what it should, nothing is
written, another store's requests are never read, bad input is refused with a stable code."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retorno.analytics.simulator import policy_simulate
from retorno.analytics.tests.factories import AGENT
from retorno.core.actors import SYSTEM
from retorno.core.errors import Unprocessable
from retorno.domain.policies import Outcome, default_policy_document
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.models import PolicyVersion
from retorno.policies.services import policy_publish
from retorno.returns import services
from retorno.returns.models import Return

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _order(store, number, *, tier="", quantity=3, price="40.00"):
    """An order delivered 60 days ago: every request below is in the past."""
    return make_order(
        store,
        external_id=number,
        tier=tier,
        email=f"{number}@example.com",
        lines=[
            line_payload(
                f"{number}-1", sku=f"SKU-{number}", quantity=quantity, unit_price=price, tax="0.00"
            ),
            line_payload(f"{number}-2", sku=f"OTHER-{number}", quantity=1, unit_price="15.00"),
        ],
        placed_days_ago=65,
        delivered_days_ago=60,
    )


def _request(store, order, *, days_after_delivery, quantity=1, reason="changed_mind", res="refund"):
    """A return asked for `days_after_delivery` days after the order's delivery."""
    return services.return_create(
        store=store,
        order_external_id=order.external_id,
        items=[
            services.ItemRequest(line=f"{order.external_id}-1", quantity=quantity, reason=reason)
        ],
        resolution=res,
        method="drop_off",
        actor=AGENT,
        now=order.delivered_at + timedelta(days=days_after_delivery, hours=3),
    )


@pytest.fixture
def history(store, other_store):
    """Eight requests of `store` under the default policy (published), at various days after
    delivery, tiers, reasons and resolutions; one above the review threshold; two on one line."""
    policy_publish(store=store, document=default_policy_document(), actor=SYSTEM)
    made = []
    made.append(_request(store, _order(store, "7001"), days_after_delivery=5))
    made.append(_request(store, _order(store, "7002"), days_after_delivery=20, reason="too_small"))
    made.append(
        _request(store, _order(store, "7003", tier="gold"), days_after_delivery=40, res="exchange")
    )
    made.append(
        _request(store, _order(store, "7004", tier="silver"), days_after_delivery=25, quantity=2)
    )
    made.append(
        _request(
            store,
            _order(store, "7005", price="300.00"),
            days_after_delivery=3,
            quantity=2,
            reason="defective",
        )
    )
    shared = _order(store, "7006", tier="gold", quantity=3)
    made.append(_request(store, shared, days_after_delivery=12, quantity=2))
    made.append(_request(store, shared, days_after_delivery=15, quantity=1, res="store_credit"))
    made.append(_request(store, _order(store, "7008"), days_after_delivery=28))
    # Another store's request: never replayed.
    policy_publish(store=other_store, document=default_policy_document(), actor=SYSTEM)
    _request(other_store, _order(other_store, "9001"), days_after_delivery=5)
    return made


def _simulate(store, document, **params):
    return policy_simulate(
        store=store, document=document, params={"days": "365", **params}, now=NOW
    )


def test_the_policy_in_force_replays_to_the_recorded_decisions(store, history):
    report = _simulate(store, default_policy_document())
    sim = report.simulation
    assert sim.requests == len(history)
    assert sim.replay_checked == len(history)
    assert sim.replay_mismatches == 0
    assert sim.changed == 0
    assert sim.changes == []
    # Every request stays where it was: the matrix is its diagonal.
    off_diagonal = [cell.count for (a, b), cell in sim.matrix.items() if a is not b]
    assert sum(off_diagonal) == 0
    recorded = Return.objects.filter(store=store)
    assert sim.reviews_old == sim.reviews_new == recorded.filter(requires_review=True).count() == 1
    fees = sum(r.restocking_fee_amount + r.return_shipping_fee_amount for r in recorded)
    refunds = sum(r.refund_estimate_amount for r in recorded)
    assert sim.fees_old == sim.fees_new == {"EUR": fees}
    assert sim.refunds_old == sim.refunds_new == {"EUR": refunds}
    # The two members' rules fired as recorded, old and new alike.
    fired = {rule.rule_id: (rule.old, rule.new) for rule in sim.rules}
    assert fired["gold-window"] == (3, 3)
    assert fired["silver-window"] == (1, 1)
    assert fired["loyalty-free-returns"] == (4, 4)


def test_a_shorter_window_refuses_late_requests_and_says_why(store, history):
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["window_days"] = 14
    draft["rules"] = [rule for rule in draft["rules"] if rule["id"] != "gold-window"]
    sim = _simulate(store, draft).simulation
    # Requested after day 14 from delivery: 7002 (20), 7003 gold (40), 7004 silver (25, its own
    # 45-day window keeps it), 7006's second (15), 7008 (28).
    refused = {change.key: change for change in sim.changes}
    late = {r.rma for r in history if r.order.external_id in {"7002", "7003", "7008"}}
    late.add(history[6].rma)
    assert set(refused) == late
    assert sim.changed == 4
    for change in refused.values():
        assert change.new.outcome is Outcome.REJECT
        assert change.old.outcome is Outcome.APPROVE
        assert [r.code for r in change.new.reasons] == ["window_expired"]
        assert change.old.reasons == ()
    assert sim.matrix[(Outcome.APPROVE, Outcome.REJECT)].count == 4
    assert sim.matrix[(Outcome.APPROVE, Outcome.REJECT)].value == {"EUR": Decimal("160.00")}
    gold = next(t for t in sim.tiers if t.tier == "gold")
    assert gold.top is True
    assert (gold.requests, gold.newly_refused) == (3, 2)
    assert sim.top_tier_refused == 2
    assert sim.days_since_delivery[40] == 1
    assert (sim.old_window.days, sim.new_window.days) == (30, 14)
    rules = {rule.rule_id: (rule.old, rule.new) for rule in sim.rules}
    assert rules["gold-window"] == (3, 0)
    # Refused requests pay no fees and get no refund.
    assert sim.refunds_new["EUR"] < sim.refunds_old["EUR"]


def test_reviewing_a_reason_adds_manual_work(store, history):
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["review_reasons"] = ["too_small"]
    sim = _simulate(store, draft).simulation
    assert (sim.reviews_old, sim.reviews_new) == (1, 2)
    (change,) = sim.changes
    assert (change.old.outcome, change.new.outcome) == (Outcome.APPROVE, Outcome.REVIEW)
    assert [r.code for r in change.new.reasons] == ["reason_requires_review"]


def test_a_fee_change_shows_in_fees_and_refunds(store, history):
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["return_shipping_fee"] = "7.50"
    sim = _simulate(store, draft).simulation
    assert sim.changed == 0
    # Fees apply to refunds and credit that are not waived (no tier, not defective): 7001,
    # 7002 and 7008; exchanges settle in goods.
    assert sim.fees_new["EUR"] - sim.fees_old["EUR"] == Decimal("7.50")
    assert sim.refunds_old["EUR"] - sim.refunds_new["EUR"] == Decimal("7.50")


def test_the_simulator_writes_nothing(store, history):
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["window_days"] = 10
    versions = PolicyVersion.objects.count()
    with CaptureQueriesContext(connection) as queries:
        _simulate(store, draft)
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    # Reads only (on PostgreSQL the long reads go through a server-side cursor: DECLARE).
    assert set(statements) <= {"SELECT", "DECLARE"}
    assert not any(
        word in q["sql"].upper()
        for q in queries.captured_queries
        for word in ("INSERT ", "UPDATE ", "DELETE ")
    )
    assert PolicyVersion.objects.count() == versions


def test_a_period_by_order_date_or_by_request_date(store, history):
    # The orders were placed 65 days ago, the requests made from 57 to 17 days ago.
    placed = (NOW - timedelta(days=65)).date()
    window = {
        "days": "",
        "from": (placed - timedelta(days=1)).isoformat(),
        "to": (placed + timedelta(days=1)).isoformat(),
    }
    by_order = _simulate(store, default_policy_document(), basis="order", **window)
    by_request = _simulate(store, default_policy_document(), basis="request", **window)
    assert by_order.simulation.requests == len(history)
    assert by_request.simulation.requests == 0
    assert by_order.in_force_version == PolicyVersion.objects.filter(store=store).count()


def test_bad_documents_and_periods_are_refused(store, history):
    with pytest.raises(Unprocessable) as bad:
        _simulate(store, {"schema": 1, "base": {"window_days": -1}})
    assert bad.value.code == "invalid_policy"
    assert any(e["field"].startswith("base") for e in bad.value.extra["errors"])
    with pytest.raises(Unprocessable) as not_object:
        _simulate(store, ["not", "a", "document"])
    assert not_object.value.code == "invalid_policy"
    with pytest.raises(Unprocessable) as period:
        _simulate(store, default_policy_document(), days="", **{"from": "2026-13-01"})
    assert period.value.code == "invalid_period"
    with pytest.raises(Unprocessable) as backwards:
        _simulate(
            store, default_policy_document(), days="", **{"from": "2026-02-01", "to": "2026-01-01"}
        )
    assert backwards.value.code.startswith("invalid")
