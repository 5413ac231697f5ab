"""The money API: refunds, store credit, claims, keep-the-item; who may see and do what."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from retorno.api.tests.client import ApiClient, problem
from retorno.money.models import Claim, MoneySettings, Refund
from retorno.money.tests.conftest import (
    AGENT,
    open_return,
    order_with,
    receive,
    set_policy_base,
)
from retorno.returns import services
from retorno.returns.workflows import receiving

pytestmark = pytest.mark.django_db


def body(response):
    return json.loads(response.content)


@pytest.fixture
def received(store, provider):
    order = order_with(store, quantity=3, unit_price="20.00")
    ret = open_return(store, order, quantity=3)
    receive(store, ret, 2)
    return ret


def ledger():
    return list(Refund.objects.order_by("id").values_list("id", "state", "amount", "attempt"))


def test_preview_per_item_with_fees_and_caps(store, api, provider):
    order = order_with(store, quantity=3, unit_price="20.00", tax="6.00")
    ret = open_return(store, order, quantity=3)
    Refund.objects.all().delete()
    response = api.get(f"/returns/{ret.rma}/refunds/preview")
    assert response.status_code == 200, response.content
    preview = body(response)
    assert preview["timing"] == "on_receipt"
    assert preview["total_amount"] == "0.00"  # nothing received yet
    assert preview["caps"][0]["code"] == "units_not_received"
    receiving.return_receive(
        store=store,
        rma=ret.rma,
        quantities={ret.items.get().order_line.external_id: 3},
        actor=AGENT,
    )
    Refund.objects.all().delete()  # look at the preview as if nothing was issued at receipt
    preview = body(api.get(f"/returns/{ret.rma}/refunds/preview"))
    item = preview["items"][0]
    assert (item["units"], item["gross_amount"], item["tax_amount"]) == (3, "66.00", "6.00")
    assert preview["return_shipping_fee_charged"] == "5.00"
    assert preview["total_amount"] == "61.00"


def test_issued_refund_is_listed_and_readable(store, api, received):
    listed = body(api.get("/refunds"))["results"]
    assert len(listed) == 1
    refund = listed[0]
    assert (refund["rma"], refund["amount"], refund["state"]) == (received.rma, "35.00", "pending")
    assert refund["lines"][0]["units"] == 2
    assert body(api.get(f"/refunds/{refund['id']}"))["idempotency_key"] == refund["idempotency_key"]
    assert len(body(api.get(f"/returns/{received.rma}/refunds"))["results"]) == 1
    assert body(api.get("/refunds", {"state": "failed"}))["results"] == []


def test_execute_the_rest_with_a_typed_amount(store, api, received):
    response = api.post(f"/returns/{received.rma}/refunds", {"amount": "5.00", "note": "goodwill"})
    assert response.status_code == 201, response.content
    assert body(response)["amount"] == "5.00"
    assert Refund.objects.count() == 2


def test_execute_with_idempotency_key_answers_the_same_refund(store, api, received):
    headers = {"Idempotency-Key": "k-1"}
    first = api.post(f"/returns/{received.rma}/refunds", {"amount": "5.00"}, headers=headers)
    again = api.post(f"/returns/{received.rma}/refunds", {"amount": "5.00"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert body(first)["id"] == body(again)["id"]
    assert Refund.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "code"),
    [("-1.00", "invalid_amount"), ("1000.00", "exceeds_refundable"), ("0.001", "invalid_amount")],
)
def test_bad_amounts_are_clear_errors_and_change_nothing(store, api, received, amount, code):
    before = ledger()
    problem(api.post(f"/returns/{received.rma}/refunds", {"amount": amount}), 422, code)
    assert ledger() == before


def test_nothing_left_to_refund(store, api, received):
    receiving.return_receive(
        store=store,
        rma=received.rma,
        quantities={received.items.get().order_line.external_id: 1},
        actor=AGENT,
    )
    before = ledger()
    problem(api.post(f"/returns/{received.rma}/refunds", {}), 422, "nothing_to_refund")
    assert ledger() == before


def test_refunding_a_rejected_return_is_refused(store, api, provider):
    order = order_with(store, quantity=1, unit_price="600.00")
    ret = open_return(store, order, quantity=1)
    services.return_reject(store=store, rma=ret.rma, actor=AGENT, note="Worn")
    problem(api.post(f"/returns/{ret.rma}/refunds", {}), 409, "not_refundable")
    assert not Refund.objects.exists()


def test_retry_of_a_paid_refund_is_a_conflict(store, api, received):
    refund = Refund.objects.get()
    Refund.objects.filter(id=refund.id).update(state="succeeded")
    before = ledger()
    problem(api.post(f"/refunds/{refund.id}/retry"), 409, "already_refunded")
    assert ledger() == before


def test_retry_of_a_failed_refund_takes_a_new_key(store, api, received):
    refund = Refund.objects.get()
    Refund.objects.filter(id=refund.id).update(state="failed")
    response = api.post(f"/refunds/{refund.id}/retry")
    assert response.status_code == 200, response.content
    assert body(response)["idempotency_key"].endswith("-a2")
    assert body(response)["state"] == "pending"


def test_mark_paid(store, api, received):
    MoneySettings.objects.filter(store=store).update(payment_adapter="manual")
    refund = Refund.objects.get()
    problem(api.post(f"/refunds/{refund.id}/mark-paid", {"reference": ""}), 422, "validation_error")
    response = api.post(f"/refunds/{refund.id}/mark-paid", {"reference": "BANK-1"})
    assert body(response)["state"] == "succeeded"
    assert received.events.filter(kind="refunded").count() == 1


def test_store_credit_balance_and_spend(store, api, provider):
    order = order_with(store, quantity=1, unit_price="20.00")
    ret = open_return(store, order, quantity=1, resolution="store_credit")
    receive(store, ret, 1)
    customer = order.customer.external_id
    wallet = body(api.get(f"/customers/{customer}/store-credit"))
    assert wallet["balance"] == "16.50"  # 15.00 + 10 % bonus
    assert [e["kind"] for e in wallet["entries"]] == ["credit", "bonus"]
    spent = api.post(
        f"/customers/{customer}/store-credit/spend", {"amount": "10.00", "entry_id": "o-1"}
    )
    assert body(spent)["balance"] == "6.50"
    problem(
        api.post(
            f"/customers/{customer}/store-credit/spend", {"amount": "7.00", "entry_id": "o-2"}
        ),
        422,
        "insufficient_credit",
    )
    problem(
        api.post(
            f"/customers/{customer}/store-credit/spend", {"amount": "1.00", "entry_id": "o-1"}
        ),
        409,
        "duplicate_entry",
    )
    assert body(api.get(f"/customers/{customer}/store-credit"))["balance"] == "6.50"
    problem(api.get("/customers/nobody/store-credit"), 404, "customer_not_found")


def test_claims_open_resolve_and_list(store, api, provider):
    order = order_with(store, quantity=2, unit_price="20.00")
    line = order.lines.get().external_id
    response = api.post(
        "/claims",
        {
            "order": order.external_id,
            "reason": "missing_item",
            "lines": {line: 1},
            "photos": ["claims/1.jpg"],
        },
    )
    assert response.status_code == 201, response.content
    number = body(response)["number"]
    problem(
        api.post(
            "/claims", {"order": order.external_id, "reason": "too_small", "lines": {line: 1}}
        ),
        422,
        "invalid_reason",
    )
    resolved = api.post(f"/claims/{number}/resolve", {"resolution": "refund"})
    assert resolved.status_code == 200, resolved.content
    assert body(resolved)["state"] == "resolved"
    assert len(body(resolved)["refunds"]) == 1
    assert Refund.objects.get(claim__number=number).amount == Decimal("20.00")
    problem(
        api.post(f"/claims/{number}/resolve", {"resolution": "refund"}), 409, "illegal_transition"
    )
    assert [c["number"] for c in body(api.get("/claims"))["results"]] == [number]


def test_claims_through_the_api_tell_the_shopper_and_refuse_units_already_claimed(
    store, api, provider
):
    from retorno.notifications.models import Message

    order = order_with(store, quantity=2, unit_price="20.00")
    line = order.lines.get().external_id
    opened = body(
        api.post(
            "/claims", {"order": order.external_id, "reason": "missing_item", "lines": {line: 2}}
        )
    )
    error = problem(
        api.post(
            "/claims", {"order": order.external_id, "reason": "wrong_item", "lines": {line: 1}}
        ),
        422,
        "already_claimed",
    )
    assert error["units_left"] == 0
    assert Claim.objects.count() == 1
    assert api.post(f"/claims/{opened['number']}/reject", {"note": "Delivered."}).status_code == 200
    # The rejected claim freed the units.
    again = body(
        api.post(
            "/claims", {"order": order.external_id, "reason": "wrong_item", "lines": {line: 1}}
        )
    )
    assert (
        api.post(f"/claims/{again['number']}/resolve", {"resolution": "refund"}).status_code == 200
    )
    told = list(Message.objects.order_by("id").values_list("claim_number", "kind"))
    assert told == [
        (opened["number"], "claim_opened"),
        (opened["number"], "claim_rejected"),
        (again["number"], "claim_opened"),
        (again["number"], "claim_resolved"),
    ]


def test_keep_item_endpoint(store, api, provider):
    set_policy_base(store, keep_item=True, return_shipping_cost="9.00")
    cheap = open_return(store, order_with(store, quantity=1, unit_price="4.00"), quantity=1)
    dear = open_return(store, order_with(store, quantity=1, unit_price="40.00"), quantity=1)
    refunds = body(api.get(f"/refunds?rma={cheap.rma}"))["results"]
    assert [r["kind"] for r in refunds] == ["keep_item"]  # kept when it was approved
    problem(
        api.post(f"/returns/{cheap.rma}/keep-item", {"note": "again"}), 409, "illegal_transition"
    )
    refused = api.post(f"/returns/{dear.rma}/keep-item", {"note": "please"})
    problem(refused, 422, "keep_item_not_allowed")
    assert body(refused)["reason"] == "worth_returning"


# --- authorization matrix ------------------------------------------------------------------------


def test_anonymous_gets_401(received):
    problem(ApiClient().get("/refunds"), 401, "unauthorized")
    problem(ApiClient().post(f"/returns/{received.rma}/refunds", {}), 401, "unauthorized")


def test_another_store_sees_and_touches_nothing(store, other_key, received):
    other = ApiClient(other_key)
    refund = Refund.objects.get()
    before = ledger()
    assert body(other.get("/refunds"))["results"] == []
    problem(other.get(f"/refunds/{refund.id}"), 404, "refund_not_found")
    problem(other.post(f"/refunds/{refund.id}/retry"), 404, "refund_not_found")
    problem(
        other.post(f"/refunds/{refund.id}/mark-paid", {"reference": "x"}), 404, "refund_not_found"
    )
    problem(other.get(f"/returns/{received.rma}/refunds/preview"), 404, "return_not_found")
    problem(other.post(f"/returns/{received.rma}/refunds", {}), 404, "return_not_found")
    customer = received.customer.external_id
    problem(other.get(f"/customers/{customer}/store-credit"), 404, "customer_not_found")
    problem(
        other.post(
            "/claims",
            {"order": received.order.external_id, "reason": "missing_item", "lines": {"x": 1}},
        ),
        404,
        "order_not_found",
    )
    assert ledger() == before
    assert not Claim.objects.exists()


def test_a_read_only_key_cannot_move_money(store, read_key, received):
    reader = ApiClient(read_key)
    refund = Refund.objects.get()
    before = ledger()
    assert reader.get("/refunds").status_code == 200
    problem(reader.post(f"/returns/{received.rma}/refunds", {}), 403, "insufficient_scope")
    problem(reader.post(f"/refunds/{refund.id}/retry"), 403, "insufficient_scope")
    assert ledger() == before
