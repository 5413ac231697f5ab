"""Abuse signals read from a customer's real records, and acted on by a policy rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retorno.core.actors import SYSTEM
from retorno.core.errors import Unprocessable
from retorno.domain.policies import default_policy_document
from retorno.money.models import Claim
from retorno.orders.models import OrderLine, Product, Variant
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.services import policy_publish
from retorno.returns.models import ReturnEvent
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows import parcel_checks
from retorno.returns.workflows.signals import signals_for_customer
from retorno.warehouse.models import Inspection

EMAIL = "eva@example.com"


def order(store, number: str, lines, **kwargs):
    return make_order(store, external_id=number, email=EMAIL, lines=lines, **kwargs)


def give_back(store, number: str, line: str, reason: str = "too_small", quantity: int = 1):
    return return_create(
        store=store,
        order_external_id=number,
        items=[ItemRequest(line=line, quantity=quantity, reason=reason)],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )


def fired(store, customer_id) -> dict[str, object]:
    return {
        s.code: s
        for s in signals_for_customer(store=store, customer_id=customer_id, now=timezone.now())
        if s.fired
    }


@pytest.mark.django_db
def test_a_serial_returner_is_read_from_orders_and_returns(store, django_assert_num_queries):
    for n in range(5):
        order(store, f"80{n}", [line_payload(f"80{n}-1", quantity=1)])
        last = give_back(store, f"80{n}", f"80{n}-1")
    order(store, "809", [line_payload("809-1", quantity=4)])  # kept: 5 of 9 units back
    with django_assert_num_queries(9):
        signals = signals_for_customer(
            store=store, customer_id=last.customer_id, now=timezone.now()
        )
    serial = signals[0]
    assert serial.code == "serial_returner"
    assert serial.fired
    assert dict(serial.evidence[0].params) | {} == {
        "returned": "5",
        "bought": "9",
        "percent": "56",
        "returns": "5",
        "days": "365",
    }


@pytest.mark.django_db
def test_a_cancelled_return_does_not_count(store):
    for n in range(5):
        order(store, f"81{n}", [line_payload(f"81{n}-1", quantity=1)])
        last = give_back(store, f"81{n}", f"81{n}-1")
    from retorno.returns.services import return_cancel

    return_cancel(store=store, rma=last.rma, actor=SYSTEM)
    assert "serial_returner" not in fired(store, last.customer_id)


def two_sizes(store, number: str):
    return order(
        store,
        number,
        [
            line_payload(f"{number}-S", title="Vestido rojo", options={"size": "S"}, quantity=1),
            line_payload(f"{number}-M", title="Vestido rojo", options={"size": "M"}, quantity=1),
        ],
    )


@pytest.mark.django_db
def test_a_policy_rule_sends_bracketing_to_review_at_the_request(store):
    document = default_policy_document()
    document["rules"].append(
        {
            "id": "bracketing-review",
            "when": {"signal_any": ["bracketing"]},
            "then": {"always_review": True},
        }
    )
    policy_publish(store=store, document=document, actor=SYSTEM)
    two_sizes(store, "820")
    bracketed = give_back(store, "820", "820-S")
    assert bracketed.status == "pending_review"
    assert any(rule["rule_id"] == "bracketing-review" for rule in bracketed.decision["trace"])
    # Another customer, one size: nothing to review. (The same customer is now a bracketer for
    # a year: signals are about the customer, and the request being decided adds to them.)
    make_order(store, external_id="821", email="leo@example.com", lines=[line_payload("821-1")])
    plain = give_back(store, "821", "821-1")
    assert plain.status == "approved"


@pytest.mark.django_db
def test_wardrobing_from_an_inspection_of_a_quickly_returned_dress(store):
    two_sizes(store, "830")
    delivered = timezone.now() - timedelta(days=3)
    from retorno.orders.models import Order

    Order.objects.filter(store=store, external_id="830").update(delivered_at=delivered)
    ret = give_back(store, "830", "830-S", reason="changed_mind")
    item = ret.items.get()
    Inspection.objects.create(
        store=store,
        return_id=ret.id,
        rma=ret.rma,
        return_item_id=item.id,
        line="830-S",
        sku=item.order_line.sku,
        category="dresses",
        reason="changed_mind",
        quantity=1,
        grade="used",
        currency="EUR",
        received_at=timezone.now(),
        inspected_at=timezone.now(),
    )
    signals = fired(store, ret.customer_id)
    assert "wardrobing" in signals
    assert signals["wardrobing"].evidence[0].code == "worn_and_returned"
    assert "bracketing" in signals  # two sizes of it, one sent back


@pytest.mark.django_db
def test_a_light_parcel_is_an_empty_box(store):
    placed = order(store, "840", [line_payload("840-1", quantity=1, sku="PHONE-1")])
    product = Product.objects.create(store=store, external_id="phone", title="Phone")
    variant = Variant.objects.create(
        store=store, product=product, sku="PHONE-1", price="199.00", weight_grams=900
    )
    OrderLine.objects.filter(order=placed).update(variant=variant)
    ret = give_back(store, "840", "840-1", reason="defective")
    assert parcel_checks.expected_weight_grams(ret) == 900
    parcel_checks.return_parcel_check(store=store, rma=ret.rma, weight_grams=880, actor=SYSTEM)
    assert "empty_box" not in fired(store, ret.customer_id)  # within the tolerance
    parcel_checks.return_parcel_check(store=store, rma=ret.rma, weight_grams=120, actor=SYSTEM)
    event = ReturnEvent.objects.filter(return_request=ret, kind="parcel_checked").last()
    assert (event.data["weight_grams"], event.data["expected_weight_grams"]) == (120, 900)
    signals = fired(store, ret.customer_id)
    assert [e.code for e in signals["empty_box"].evidence] == ["weight_off"]
    assert dict(signals["empty_box"].evidence[0].params)["measured"] == "120"
    parcel_checks.return_parcel_check(store=store, rma=ret.rma, serial_matches=False, actor=SYSTEM)
    codes = [e.code for e in fired(store, ret.customer_id)["empty_box"].evidence]
    assert codes == ["weight_off", "serial_mismatch"]  # a later check adds, it does not erase


@pytest.mark.django_db
def test_a_parcel_check_needs_a_weight_or_a_serial_answer_and_a_sane_weight(store):
    order(store, "850", [line_payload("850-1", quantity=1)])
    ret = give_back(store, "850", "850-1")
    for kwargs, code in (({}, "nothing_checked"), ({"weight_grams": 0}, "invalid_weight")):
        with pytest.raises(Unprocessable) as refused:
            parcel_checks.return_parcel_check(store=store, rma=ret.rma, actor=SYSTEM, **kwargs)
        assert refused.value.code == code
    assert not ReturnEvent.objects.filter(kind="parcel_checked").exists()


@pytest.mark.django_db
def test_three_never_arrived_or_damage_claims_are_false_claims(store):
    placed = order(store, "860", [line_payload("860-1", quantity=3)])
    for n, reason in enumerate(["never_arrived", "never_arrived", "damaged_in_transit"]):
        Claim.objects.create(
            store=store,
            order=placed,
            customer=placed.customer,
            number=f"C-{n}",
            reason=reason,
            created_at=timezone.now() - timedelta(days=n),
            updated_at=timezone.now(),
        )
    signals = fired(store, placed.customer_id)
    assert [e.code for e in signals["false_claims"].evidence] == [
        "never_arrived_claim",
        "never_arrived_claim",
        "damage_claim",
    ]


@pytest.mark.django_db
def test_another_stores_history_never_counts(store, other_store):
    for n in range(5):
        make_order(
            other_store,
            external_id=f"87{n}",
            email=EMAIL,
            lines=[line_payload(f"87{n}-1", quantity=1)],
        )
        return_create(
            store=other_store,
            order_external_id=f"87{n}",
            items=[ItemRequest(line=f"87{n}-1", quantity=1, reason="too_small")],
            resolution="refund",
            method="pickup",
            actor=SYSTEM,
        )
    mine = order(store, "879", [line_payload("879-1", quantity=1)])
    assert fired(store, mine.customer_id) == {}
