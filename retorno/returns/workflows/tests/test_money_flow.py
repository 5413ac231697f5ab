"""The full path of a return's money, through the real services and the outbox (committed
transactions, so refunds are sent after commit exactly as in production)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retorno.core.errors import Conflict, Unprocessable
from retorno.core.models import OutboxMessage
from retorno.domain.errors import DomainError
from retorno.money import selectors
from retorno.money.models import Claim, ExchangeOrder, Refund
from retorno.money.services import claims as money_claims
from retorno.money.tests.conftest import (
    AGENT,
    inspect,
    open_return,
    order_with,
    receive,
    resolve,
    set_policy_base,
    variant_pair,
)
from retorno.returns import services
from retorno.returns.models import Return, ReturnEvent
from retorno.returns.workflows import refunds as refund_flow
from retorno.returns.workflows import resolving as resolve_flow
from retorno.returns.workflows.inspection import InspectionInput, return_inspect_items

pytestmark = pytest.mark.django_db(transaction=True)


def events(return_request: Return) -> list[str]:
    return list(return_request.events.order_by("id").values_list("kind", flat=True))


def test_refund_on_receipt_pays_received_units_once(store, provider):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3)
    assert ret.status == "approved"
    assert not Refund.objects.exists()  # on_receipt: nothing at approval

    receive(store, ret, 2)  # announced 3, received 2 → refunds 2
    refund = Refund.objects.get()
    assert refund.state == "succeeded"
    assert refund.items_amount == Decimal("40.00")
    assert refund.return_shipping_fee_amount == Decimal("5.00")
    assert refund.amount == Decimal("35.00")
    assert provider.total_paid == Decimal("35.00")
    assert provider.calls == [refund.idempotency_key]

    inspect(store, ret, "new")
    resolve(store, ret)
    ret.refresh_from_db()
    assert ret.status == "resolved"
    item = ret.items.get()
    assert (item.quantity_refunded, item.quantity_exchanged) == (2, 0)
    assert Refund.objects.count() == 1
    assert provider.total_paid == Decimal("35.00")
    assert "refunded" in events(ret)
    refunded = ret.events.get(kind="refunded")
    assert refunded.data["amount"] == "35.00"
    # The shopper is told.
    assert OutboxMessage.objects.filter(kind="notification.send").exists()


def test_late_units_are_refunded_when_they_arrive(store, provider):
    order = order_with(store, quantity=3, unit_price="10.00")
    ret = open_return(store, order, quantity=3)
    receive(store, ret, 2)
    receive(store, ret, 1)
    amounts = sorted(Refund.objects.values_list("amount", flat=True))
    # The return shipping fee is charged once, on the first refund.
    assert amounts == [Decimal("10.00"), Decimal("15.00")]
    assert provider.total_paid == Decimal("25.00")


def test_inspection_damage_lowers_the_refund_and_says_why(store, provider):
    set_policy_base(store, refund_timing="on_inspection")
    order = order_with(store, quantity=2, unit_price="30.00")
    ret = open_return(store, order, quantity=2)
    receive(store, ret, 2)
    assert not Refund.objects.exists()  # not due before inspection
    inspect(store, ret, "damaged")
    refund = Refund.objects.get()
    assert refund.deduction_amount == Decimal("30.00")  # 50 % of 60
    assert refund.amount == Decimal("25.00")  # 60 − 30 − 5 fee
    line = refund.lines.get()
    assert line.deduction_reason_code == "shopper_damage"
    event = ret.events.get(kind="refunded")
    assert "damaged" in event.note
    assert event.data["deductions"][0]["code"] == "shopper_damage"


@pytest.mark.parametrize(("percent", "deducted"), [("20", "12.00"), ("0", "0.00")])
def test_the_policy_sets_the_damage_deduction_rate(store, provider, percent, deducted):
    set_policy_base(store, refund_timing="on_inspection", damaged_deduction_percent=percent)
    order = order_with(store, quantity=2, unit_price="30.00")
    ret = open_return(store, order, quantity=2)
    receive(store, ret, 2)
    inspect(store, ret, "damaged")
    refund = Refund.objects.get()
    assert refund.deduction_amount == Decimal(deducted)
    assert refund.amount == Decimal("55.00") - Decimal(deducted)


def test_lenient_qc_deducts_nothing(store, provider):
    set_policy_base(store, refund_timing="on_inspection", qc_level="lenient")
    order = order_with(store, quantity=2, unit_price="30.00")
    ret = open_return(store, order, quantity=2)
    receive(store, ret, 2)  # lenient QC inspects on receipt: nothing deducted, nothing left
    assert Refund.objects.get().amount == Decimal("55.00")
    ret.refresh_from_db()
    assert ret.status == "resolved"


def test_refund_on_approval_pays_before_anything_arrives(store, provider):
    set_policy_base(store, refund_timing="on_approval")
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3)
    refund = Refund.objects.get()
    assert refund.amount == Decimal("55.00")
    receive(store, ret, 1)  # a later milestone refunds nothing twice
    inspect(store, ret, "damaged")  # paid before inspection: cannot be lowered
    resolve(store, ret)
    assert Refund.objects.count() == 1
    assert provider.total_paid == Decimal("55.00")


def test_store_credit_with_bonus_never_calls_the_provider(store, provider):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3, resolution="store_credit")
    receive(store, ret, 3)
    inspect(store, ret, "like_new")
    resolve(store, ret)
    refund = Refund.objects.get()
    assert refund.destination == "store_credit"
    assert refund.state == "succeeded"
    assert refund.amount == Decimal("55.00")
    assert refund.bonus_amount == Decimal("5.50")
    assert provider.calls == []
    wallet = selectors.wallet_for_customer(store=store, external_id=order.customer.external_id)
    assert wallet.balance == Decimal("60.50")
    assert sorted(e.kind for e in wallet.entries) == ["bonus", "credit"]
    assert ret.events.get(kind="refunded").data["amount"] == "60.50"


def test_exchange_reserves_at_approval_and_emits_the_order(store, provider):
    old, new = variant_pair(store, stock=5, new_price="20.00")
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    new.refresh_from_db()
    assert new.stock == 3  # reserved at approval
    exchange = ExchangeOrder.objects.get()
    assert exchange.state == "reserved"
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)
    exchange.refresh_from_db()
    assert exchange.state == "released"
    message = OutboxMessage.objects.get(kind="exchange_order.created")
    assert message.payload["lines"] == [{"sku": "TEE-L", "units": 2, "unit_price": "20.00"}]
    item = ret.items.get()
    assert (item.quantity_refunded, item.quantity_exchanged) == (0, 2)
    assert not Refund.objects.exists()
    assert provider.calls == []


def test_exchange_for_a_cheaper_variant_refunds_the_difference(store, provider):
    old, new = variant_pair(store, stock=5, new_price="15.00")
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    exchange = ExchangeOrder.objects.get()
    assert (exchange.difference_direction, exchange.difference_amount) == (
        "customer_refunded",
        Decimal("10.00"),
    )
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)
    refund = Refund.objects.get()
    assert (refund.kind, refund.amount, refund.state) == (
        "exchange_difference",
        Decimal("10.00"),
        "succeeded",
    )
    assert provider.total_paid == Decimal("10.00")


def test_exchange_of_fewer_units_gives_stock_back(store, provider):
    old, new = variant_pair(store, stock=5)
    order = order_with(store, quantity=3, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=3, resolution="exchange", exchange_variant_id=new.id)
    receive(store, ret, 2)
    inspect(store, ret, "new")
    resolve(store, ret)
    new.refresh_from_db()
    assert new.stock == 3  # 5 − 3 reserved + 1 that never came back
    assert ExchangeOrder.objects.get().lines.get().units == 2


GOLD_INSTANT = {
    "id": "gold-instant",
    "when": {"tier_in": ["gold"]},
    "then": {"instant_exchange": True},
}


@pytest.mark.parametrize(("tier", "instant"), [("gold", True), ("bronze", False)])
def test_instant_exchange_for_the_tiers_the_policy_names(store, provider, tier, instant):
    set_policy_base(store, GOLD_INSTANT)
    old, new = variant_pair(store, stock=5)
    order = order_with(store, quantity=1, unit_price="20.00", variant=old, tier=tier)
    ret = open_return(store, order, quantity=1, resolution="exchange", exchange_variant_id=new.id)
    assert ret.decision["instant_exchange"] is instant
    exchange = ExchangeOrder.objects.get()
    assert exchange.instant is instant
    assert exchange.state == ("released" if instant else "reserved")
    emitted = OutboxMessage.objects.filter(kind="exchange_order.created").count()
    assert emitted == (1 if instant else 0)


def test_cancelling_an_exchange_return_gives_back_the_reserved_stock(store, provider):
    old, new = variant_pair(store, stock=5)
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    ret = open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    new.refresh_from_db()
    assert new.stock == 3
    services.return_cancel(store=store, rma=ret.rma, actor=AGENT, note="changed my mind")
    new.refresh_from_db()
    exchange = ExchangeOrder.objects.get()
    assert (new.stock, exchange.state) == (5, "cancelled")
    assert not OutboxMessage.objects.filter(kind="exchange_order.created").exists()


def test_a_cancelled_instant_exchange_stays_sent(store, provider):
    set_policy_base(store, GOLD_INSTANT)
    old, new = variant_pair(store, stock=5)
    order = order_with(store, quantity=1, unit_price="20.00", variant=old, tier="gold")
    ret = open_return(store, order, quantity=1, resolution="exchange", exchange_variant_id=new.id)
    services.return_cancel(store=store, rma=ret.rma, actor=AGENT, note="kept both")
    new.refresh_from_db()
    assert (new.stock, ExchangeOrder.objects.get().state) == (4, "released")  # it has shipped


def test_exchange_out_of_stock_is_refused_and_nothing_changes(store, provider):
    old, new = variant_pair(store, stock=1)
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    with pytest.raises(Unprocessable) as caught:
        open_return(store, order, quantity=2, resolution="exchange", exchange_variant_id=new.id)
    assert caught.value.code == "exchange_out_of_stock"
    new.refresh_from_db()
    assert new.stock == 1
    assert not Return.objects.exists()
    assert not ExchangeOrder.objects.exists()


def test_keep_the_item_when_shipping_costs_more(store, provider):
    set_policy_base(store, keep_item=True, return_shipping_cost="8.00")
    order = order_with(store, quantity=1, unit_price="5.00")
    ret = open_return(store, order, quantity=1)  # approved at once, so kept at once
    ret.refresh_from_db()
    assert (ret.status, ret.method) == ("resolved", "keep")
    # What the return says it is worth matches what is paid: nothing travels, so no fees.
    assert (ret.return_shipping_fee_amount, ret.refund_estimate_amount) == (0, Decimal("5.00"))
    assert events(ret)[-2:] == ["resolved", "refunded"]  # refunded once the payment went through
    assert ret.events.get(kind="resolved").data["keep_item"] is True
    assert not OutboxMessage.objects.filter(kind__startswith="logistics.").exists()
    refund = Refund.objects.get()
    assert (refund.kind, refund.amount, refund.return_shipping_fee_amount) == (
        "keep_item",
        Decimal("5.00"),
        Decimal("0"),
    )
    assert provider.total_paid == Decimal("5.00")
    with pytest.raises(Conflict):  # kept already: nothing more to do, nothing paid twice
        resolve_flow.return_keep_item(store=store, rma=ret.rma, actor=AGENT)
    assert Refund.objects.count() == 1


def test_a_return_held_for_review_is_kept_when_an_agent_approves_it(store, provider):
    set_policy_base(store, keep_item=True, return_shipping_cost="8.00", always_review=True)
    order = order_with(store, quantity=1, unit_price="5.00")
    ret = open_return(store, order, quantity=1)
    assert ret.status == "pending_review"
    assert not Refund.objects.exists()
    services.return_approve(store=store, rma=ret.rma, actor=AGENT, note="ok")
    ret.refresh_from_db()
    assert (ret.status, ret.method) == ("resolved", "keep")
    assert Refund.objects.get().kind == "keep_item"


def test_keep_the_item_refused_when_worth_returning(store, provider):
    set_policy_base(store, keep_item=True, return_shipping_cost="8.00")
    order = order_with(store, quantity=1, unit_price="50.00")
    ret = open_return(store, order, quantity=1)
    with pytest.raises(Unprocessable) as caught:
        resolve_flow.return_keep_item(store=store, rma=ret.rma, actor=AGENT)
    assert caught.value.code == "keep_item_not_allowed"
    assert caught.value.extra["reason"] == "worth_returning"
    ret.refresh_from_db()
    assert (ret.status, ret.method) == ("approved", "drop_off")
    assert not Refund.objects.exists()


def test_resolving_before_anything_arrived_is_refused(store, provider):
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    with pytest.raises(Unprocessable) as caught:
        resolve(store, ret)
    assert caught.value.code == "nothing_to_refund"
    ret.refresh_from_db()
    assert ret.status == "approved"
    assert not ReturnEvent.objects.filter(kind="resolved").exists()


def test_claim_refund_and_replacement(store, provider):

    old, _new = variant_pair(store, stock=4)
    old.stock = 3
    old.save()
    order = order_with(store, quantity=2, unit_price="20.00", variant=old)
    line = order.lines.get()
    claim = money_claims.claim_open(
        store=store,
        order_external_id=order.external_id,
        reason="damaged_in_transit",
        lines={line.external_id: 1},
        description="Box crushed",
        photos=["claims/box.jpg"],
        actor=AGENT,
    )
    assert claim.photos.count() == 1
    money_claims.claim_resolve(store=store, number=claim.number, resolution="both", actor=AGENT)
    claim.refresh_from_db()
    assert (claim.state, claim.resolution) == ("resolved", "both")
    refund = Refund.objects.get(claim=claim)
    assert (refund.kind, refund.amount, refund.state) == ("claim", Decimal("20.00"), "succeeded")
    assert provider.total_paid == Decimal("20.00")
    replacement = ExchangeOrder.objects.get(claim=claim)
    assert replacement.state == "released"
    old.refresh_from_db()
    assert old.stock == 2


def test_claim_with_an_unknown_line_writes_nothing(store, provider):

    order = order_with(store)
    with pytest.raises(Unprocessable) as caught:
        money_claims.claim_open(
            store=store,
            order_external_id=order.external_id,
            reason="missing_item",
            lines={"nope": 1},
            actor=AGENT,
        )
    assert caught.value.code == "unknown_line"
    with pytest.raises(Unprocessable) as caught:
        money_claims.claim_open(
            store=store,
            order_external_id=order.external_id,
            reason="too_small",
            lines={order.lines.get().external_id: 1},
            actor=AGENT,
        )
    assert caught.value.code == "invalid_reason"  # return reasons are not claim reasons
    assert not Claim.objects.exists()


def test_refunding_a_rejected_return_is_refused(store, provider):

    order = order_with(store, quantity=1, unit_price="600.00")  # above 500: held for review
    ret = open_return(store, order, quantity=1)
    services.return_reject(store=store, rma=ret.rma, actor=AGENT, note="Worn")
    with pytest.raises(Conflict) as caught:
        refund_flow.refund_execute(store=store, rma=ret.rma, actor=AGENT)
    assert caught.value.code == "not_refundable"
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-5.00", "invalid_amount"),
        ("0", "invalid_amount"),
        ("1000.00", "exceeds_refundable"),
        ("1.234", "invalid_amount"),
        ("abc", "invalid_amount"),
    ],
)
def test_bad_typed_amounts_are_refused_and_nothing_changes(store, provider, amount, code):

    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1)
    receive(store, ret, 1)
    before = list(Refund.objects.values_list("id", "amount", "state"))
    with pytest.raises((Unprocessable, DomainError)) as caught:
        refund_flow.refund_execute(store=store, rma=ret.rma, actor=AGENT, amount=amount)
    assert caught.value.code == code
    assert list(Refund.objects.values_list("id", "amount", "state")) == before
    assert provider.total_paid == Decimal("15.00")


def test_mixed_grades_deduct_only_the_damaged_units(store, provider):

    set_policy_base(store, refund_timing="on_inspection")
    order = order_with(store, quantity=3, unit_price="30.00")
    ret = open_return(store, order, quantity=3)
    receive(store, ret, 3)
    line = ret.items.get().order_line.external_id
    return_inspect_items(
        store=store,
        rma=ret.rma,
        inspections=[
            InspectionInput(line=line, grade="new", quantity=2),
            InspectionInput(line=line, grade="damaged", quantity=1),
        ],
        actor=AGENT,
    )
    refund = Refund.objects.get()
    assert refund.deduction_amount == Decimal("15.00")  # 50 % of the one damaged unit
    assert refund.amount == Decimal("70.00")  # 90 − 15 − 5
    assert refund.lines.get().deduction_reason_code == "shopper_damage"


def test_refund_at_the_first_carrier_scan(store, provider):
    set_policy_base(store, refund_timing="on_first_scan")
    order = order_with(store, quantity=2, unit_price="20.00")
    ret = open_return(store, order, quantity=2)
    assert not Refund.objects.exists()
    services.return_mark_in_transit(store=store, rma=ret.rma, actor=AGENT, note="first scan")
    refund = Refund.objects.get()
    assert (refund.amount, refund.state) == (Decimal("35.00"), "succeeded")
    receive(store, ret, 1)  # fewer arrive later: paid before receipt, by approved units
    assert Refund.objects.count() == 1
