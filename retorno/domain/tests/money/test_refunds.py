from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.money import minor_units, quantize
from retorno.domain.money.deductions import Deduction
from retorno.domain.money.refunds import (
    OrderPayment,
    PaidLine,
    RefundCap,
    RefundError,
    RefundItem,
    check_manual_refund,
    plan_refund,
    prorate_order_discount,
    refundable_units_amount,
    refundable_units_breakdown,
    restocking_fee_share,
)
from retorno.domain.returns.amounts import line_paid_total, units_paid_amount

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
D = Decimal
PROPERTY = settings(max_examples=250, deadline=None, database=None)


def line(line_id="l1", quantity=3, price="10.00", discount="0", tax="0", currency="EUR", share="0"):
    return PaidLine(
        line_id=line_id,
        quantity=quantity,
        unit_price=D(price),
        discount=D(discount),
        tax=D(tax),
        order_discount_share=D(share),
        currency=currency,
    )


def order(*lines, shipping="0", shipping_tax="0", currency="EUR"):
    return OrderPayment(
        lines=tuple(lines),
        shipping_amount=D(shipping),
        shipping_tax=D(shipping_tax),
        currency=currency,
    )


def item(line_id="l1", approved=3, received=3, refunded=0, line_refunded=None, **kwargs):
    return RefundItem(
        line_id=line_id,
        units_approved=approved,
        units_received_accepted=received,
        units_already_refunded=refunded,
        line_units_already_refunded=refunded if line_refunded is None else line_refunded,
        **kwargs,
    )


# --- what units are worth --------------------------------------------------------------------


def test_paid_total_is_price_less_discounts_plus_tax():
    paid = line(quantity=2, price="19.90", discount="4.00", tax="3.45", share="1.00")
    assert paid.paid_total == D("38.25")


def test_units_take_successive_shares_that_add_up_to_the_line():
    paid = line(quantity=3, price="10.00", discount="0.01")  # 29.99 over 3 units
    first = refundable_units_amount(paid, 1, 0)
    second = refundable_units_amount(paid, 1, 1)
    third = refundable_units_amount(paid, 1, 2)
    assert (first, second, third) == (D("10.00"), D("10.00"), D("9.99"))
    assert first + second + third == paid.paid_total
    assert refundable_units_amount(paid, 2, 1) == second + third


def test_units_amount_matches_the_item_amount_the_returns_service_stores():
    paid = line(quantity=7, price="3.33", discount="1.11", tax="2.22")
    expected = units_paid_amount(
        paid_total=line_paid_total(D("3.33"), 7, D("1.11"), D("2.22")),
        quantity=7,
        units=3,
        units_before=2,
        currency="EUR",
    )
    assert refundable_units_amount(paid, 3, 2) == expected


def test_breakdown_shows_discount_and_tax_shares():
    paid = line(quantity=4, price="25.00", discount="10.00", tax="18.90")
    whole = refundable_units_breakdown(paid, 4, 0)
    assert whole.amount == paid.paid_total
    assert whole.discount_amount == D("10.00")
    assert whole.tax_amount == D("18.90")
    part = refundable_units_breakdown(paid, 1, 0)
    assert part.discount_amount == D("2.50")
    assert part.tax_amount == D("4.73")


def test_more_units_than_the_line_has_is_an_error():
    with pytest.raises(RefundError) as caught:
        refundable_units_amount(line(quantity=3), 2, 2)
    assert caught.value.code == "units_exceed_line"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("unit_price", D("-1"), "invalid_amount"),
        ("unit_price", D("1.005"), "invalid_amount"),
        ("tax", D("NaN"), "invalid_amount"),
        ("discount", D("31.00"), "invalid_discount"),
        ("quantity", -1, "invalid_units"),
    ],
)
def test_bad_line_facts_are_refused(field, value, code):
    kwargs = {"line_id": "l1", "quantity": 3, "unit_price": D("10.00"), "currency": "EUR"}
    kwargs[field] = value
    with pytest.raises(RefundError) as caught:
        PaidLine(**kwargs)
    assert caught.value.code == code


def test_order_discount_is_prorated_by_line_value():
    lines = [line("a", 1, "30.00"), line("b", 2, "10.00", discount="5.00")]  # values 30 and 15
    prorated = prorate_order_discount(lines, D("10.00"), "EUR")
    assert [p.order_discount_share for p in prorated] == [D("6.67"), D("3.33")]
    assert sum(p.order_discount_share for p in prorated) == D("10.00")


def test_order_discount_above_the_lines_value_is_refused():
    with pytest.raises(RefundError) as caught:
        prorate_order_discount([line("a", 1, "5.00")], D("6.00"), "EUR")
    assert caught.value.code == "invalid_discount"


def test_restocking_fee_share_follows_units_and_is_charged_once():
    assert restocking_fee_share(D("3.00"), 3, 0, 2, "EUR") == D("2.00")
    parts = [restocking_fee_share(D("1.00"), 3, i, 1, "EUR") for i in range(3)]
    assert sum(parts) == D("1.00")
    with pytest.raises(RefundError):
        restocking_fee_share(D("1.00"), 3, 2, 2, "EUR")


# --- the plan ----------------------------------------------------------------------------------


def test_announced_three_received_two_refunds_two():
    payment = order(line(quantity=3, price="10.00"))
    preview = plan_refund(payment, [item(received=2)], timing="on_receipt", now=NOW)
    assert preview.items[0].units == 2
    assert preview.total_amount == D("20.00")
    assert RefundCap.UNITS_NOT_RECEIVED in preview.capped_by


@pytest.mark.parametrize("timing", ["on_approval", "on_first_scan"])
def test_early_timings_refund_approved_units(timing):
    payment = order(line(quantity=3, price="10.00"))
    preview = plan_refund(payment, [item(received=0)], timing=timing, now=NOW)
    assert preview.total_amount == D("30.00")
    assert preview.capped_by == ()


def test_preview_subtracts_deduction_fee_and_return_shipping():
    payment = order(
        line(quantity=2, price="50.00", tax="21.00"), shipping="4.00", shipping_tax="0.84"
    )
    deduction = Deduction(D("10.00"), "shopper_damage", "Damaged.", D(20))
    preview = plan_refund(
        payment,
        [item(approved=2, received=2, deduction=deduction, restocking_fee=D("5.00"))],
        timing="on_inspection",
        return_shipping_fee=D("4.95"),
        refund_shipping=True,
        now=NOW,
    )
    (row,) = preview.items
    assert (row.gross_amount, row.tax_amount) == (D("121.00"), D("21.00"))
    assert (row.deduction_amount, row.restocking_fee, row.net_amount) == (
        D("10.00"),
        D("5.00"),
        D("106.00"),
    )
    assert row.deduction_reason_code == "shopper_damage"
    assert preview.shipping_refund_amount == D("4.84")
    assert preview.tax_amount == D("21.84")
    assert preview.return_shipping_fee_charged == D("4.95")
    assert preview.total_amount == D("106.00") + D("4.84") - D("4.95")
    assert preview.previewed_at == NOW


def test_shipping_is_refunded_once_per_order():
    payment = order(line(quantity=1, price="10.00"), shipping="5.00")
    preview = plan_refund(
        payment,
        [item(approved=1, received=1)],
        timing="on_receipt",
        refund_shipping=True,
        shipping_already_refunded=True,
        now=NOW,
    )
    assert preview.shipping_refund_amount == 0
    assert preview.capped_by == (RefundCap.SHIPPING_ALREADY_REFUNDED,)


def test_fees_larger_than_the_refund_are_limited_and_never_make_it_negative():
    payment = order(line(quantity=1, price="3.00"))
    deduction = Deduction(D("5.00"), "shopper_damage", "Damaged.")
    preview = plan_refund(
        payment,
        [item(approved=1, received=1, deduction=deduction, restocking_fee=D("1.00"))],
        timing="on_inspection",
        return_shipping_fee=D("5.00"),
        now=NOW,
    )
    assert preview.total_amount == 0
    assert preview.items[0].deduction_amount == D("3.00")
    assert preview.items[0].restocking_fee == 0
    assert preview.return_shipping_fee_uncharged == D("5.00")
    assert set(preview.capped_by) == {
        RefundCap.DEDUCTION_LIMITED,
        RefundCap.FEE_LIMITED,
        RefundCap.RETURN_SHIPPING_FEE_LIMITED,
    }


def test_total_is_capped_at_paid_minus_already_refunded():
    payment = order(line(quantity=2, price="10.00"))
    preview = plan_refund(
        payment,
        [item(approved=2, received=2)],
        timing="on_receipt",
        already_refunded_total=D("15.00"),
        now=NOW,
    )
    assert preview.total_amount == D("5.00")
    assert preview.refundable_remaining == D("5.00")
    assert preview.capped_by == (RefundCap.ORDER_REMAINING,)


def test_units_already_refunded_on_the_line_by_other_returns_are_not_refunded_again():
    payment = order(line(quantity=3, price="10.00"))
    preview = plan_refund(
        payment,
        [item(approved=2, received=2, refunded=0, line_refunded=2)],
        timing="on_receipt",
        now=NOW,
    )
    assert preview.items[0].units == 1
    assert RefundCap.LINE_QUANTITY in preview.capped_by


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"timing": "whenever"}, "invalid_refund_timing"),
        ({"return_shipping_fee": D("-1")}, "invalid_amount"),
        ({"already_refunded_total": D("0.001")}, "invalid_amount"),
        ({"now": datetime(2025, 3, 1)}, "invalid_datetime"),  # noqa: DTZ001 - naive on purpose
    ],
)
def test_bad_plan_arguments_are_refused(kwargs, code):
    arguments = {"timing": "on_receipt", "now": NOW, **kwargs}
    with pytest.raises(RefundError) as caught:
        plan_refund(order(line()), [item()], **arguments)
    assert caught.value.code == code


def test_unknown_line_and_duplicates_are_refused():
    with pytest.raises(RefundError) as caught:
        plan_refund(order(line()), [item("nope")], timing="on_receipt", now=NOW)
    assert caught.value.code == "unknown_line"
    with pytest.raises(RefundError) as caught:
        plan_refund(order(line()), [item(), item()], timing="on_receipt", now=NOW)
    assert caught.value.code == "duplicate_line"


def test_item_with_more_accepted_than_approved_is_refused():
    with pytest.raises(RefundError) as caught:
        item(approved=1, received=2)
    assert caught.value.code == "invalid_units"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (D("-1.00"), "invalid_amount"),
        (D("0"), "invalid_amount"),
        (D("20.01"), "exceeds_refundable"),
    ],
)
def test_manual_refund_amounts_are_checked_not_clamped(amount, code):
    with pytest.raises(RefundError) as caught:
        check_manual_refund(amount, order(line(quantity=2)), D("0"))
    assert caught.value.code == code
    assert check_manual_refund(D("20.00"), order(line(quantity=2)), D("0")) == D("20.00")


def test_mixed_currencies_are_refused():
    with pytest.raises(RefundError) as caught:
        order(line(currency="USD"))
    assert caught.value.code == "currency_mismatch"


# --- properties --------------------------------------------------------------------------------

CURRENCIES = ["JPY", "EUR", "KWD"]  # 0, 2 and 3 minor digits


def money(currency, max_units=200_000):
    digits = minor_units(currency)
    return st.integers(0, max_units).map(lambda units: Decimal(units).scaleb(-digits))


@st.composite
def paid_orders(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    lines = []
    for index in range(draw(st.integers(1, 4))):
        quantity = draw(st.integers(1, 6))
        price = draw(money(currency))
        discount = min(draw(money(currency)), price * quantity)
        lines.append(
            PaidLine(
                line_id=f"l{index}",
                quantity=quantity,
                unit_price=price,
                discount=discount,
                tax=draw(money(currency, 30_000)),
                currency=currency,
            )
        )
    values_total = sum(line.goods_amount - line.discount for line in lines)
    if values_total and draw(st.booleans()):
        lines = list(
            prorate_order_discount(lines, min(draw(money(currency)), values_total), currency)
        )
    return OrderPayment(
        lines=tuple(lines),
        shipping_amount=draw(money(currency, 5_000)),
        shipping_tax=draw(money(currency, 1_000)),
        currency=currency,
    )


@PROPERTY
@given(paid_orders(), st.data())
def test_all_refunds_of_an_order_never_exceed_what_was_paid(payment, data):
    currency = payment.currency
    quantum = Decimal(1).scaleb(-minor_units(currency))
    refunded_units = {line.line_id: 0 for line in payment.lines}
    total_refunded = Decimal(0)
    shipping_refunded = False
    for _ in range(data.draw(st.integers(1, 6), label="returns")):
        items = []
        for paid_line in payment.lines:
            left = paid_line.quantity - refunded_units[paid_line.line_id]
            if left == 0 or not data.draw(st.booleans()):
                continue
            approved = data.draw(st.integers(0, left))
            received = data.draw(st.integers(0, approved))
            deduction = Deduction(data.draw(money(currency, 5_000)), "shopper_damage", "x")
            items.append(
                RefundItem(
                    line_id=paid_line.line_id,
                    units_approved=approved,
                    units_received_accepted=received,
                    line_units_already_refunded=refunded_units[paid_line.line_id],
                    deduction=deduction,
                    restocking_fee=data.draw(money(currency, 5_000)),
                )
            )
        refund_shipping = data.draw(st.booleans())
        preview = plan_refund(
            payment,
            items,
            timing=data.draw(st.sampled_from(["on_approval", "on_receipt", "on_inspection"])),
            return_shipping_fee=data.draw(money(currency, 2_000)),
            refund_shipping=refund_shipping,
            shipping_already_refunded=shipping_refunded,
            already_refunded_total=total_refunded,
            now=NOW,
        )
        # Units arithmetic alone keeps within what was paid: the order cap is a safety net only.
        assert RefundCap.ORDER_REMAINING not in preview.capped_by
        assert preview.total_amount >= 0
        assert quantize(preview.total_amount, currency) == preview.total_amount
        assert preview.total_amount.as_tuple().exponent >= quantum.as_tuple().exponent
        for row in preview.items:
            assert 0 <= row.net_amount <= row.gross_amount
            assert 0 <= row.tax_amount <= row.gross_amount
            refunded_units[row.line_id] += row.units
        shipping_refunded = shipping_refunded or (refund_shipping and payment.shipping_total > 0)
        total_refunded += preview.total_amount
        assert total_refunded <= payment.paid_total


@PROPERTY
@given(paid_orders(), st.data())
def test_refunding_every_unit_in_pieces_gives_back_exactly_what_was_paid(payment, data):
    refunded_units = {line.line_id: 0 for line in payment.lines}
    total = Decimal(0)
    first = True
    while any(refunded_units[line.line_id] < line.quantity for line in payment.lines):
        items = []
        for paid_line in payment.lines:
            left = paid_line.quantity - refunded_units[paid_line.line_id]
            if left:
                units = data.draw(st.integers(1, left))
                items.append(
                    RefundItem(
                        line_id=paid_line.line_id,
                        units_approved=units,
                        units_received_accepted=units,
                        line_units_already_refunded=refunded_units[paid_line.line_id],
                    )
                )
        preview = plan_refund(
            payment,
            items,
            timing="on_receipt",
            refund_shipping=True,
            shipping_already_refunded=not first,
            already_refunded_total=total,
            now=NOW,
        )
        first = False
        for row in preview.items:
            refunded_units[row.line_id] += row.units
        total += preview.total_amount
    assert total == payment.paid_total


def test_an_item_takes_the_shares_it_was_requested_with_whoever_is_refunded_first():
    # 29.99 over 3 units: shares 10.00, 10.00, 9.99. The second return was requested with the
    # third share (two units held before it) and is refunded first: it still pays 9.99.
    payment = order(line(quantity=3, price="9.99", tax="0.02"))
    later_first = plan_refund(
        payment, [item(approved=1, received=1, first_share=2)], timing="on_receipt", now=NOW
    )
    assert later_first.items[0].gross_amount == D("9.99")
    earlier = plan_refund(
        payment,
        [item(approved=2, received=2, line_refunded=1, first_share=0)],
        timing="on_receipt",
        now=NOW,
    )
    assert earlier.items[0].gross_amount == D("20.00")
    assert later_first.capped_by == earlier.capped_by == ()


def test_an_item_refunded_in_parts_continues_from_its_own_shares():
    payment = order(line(quantity=3, price="9.99", tax="0.02"))
    rest = plan_refund(
        payment,
        [item(approved=2, received=2, refunded=1, line_refunded=1, first_share=1)],
        timing="on_receipt",
        now=NOW,
    )
    assert (rest.items[0].units, rest.items[0].gross_amount) == (1, D("9.99"))


def test_a_line_never_gives_back_more_than_was_paid_for_it():
    # A claim took the second share; a return requested with it too is capped at what is left.
    payment = order(line(quantity=3, price="9.99", tax="0.02"))
    preview = plan_refund(
        payment,
        [
            item(
                approved=1,
                received=1,
                line_refunded=2,
                first_share=1,
                line_amount_already_refunded=D("20.00"),
            )
        ],
        timing="on_receipt",
        now=NOW,
    )
    assert preview.items[0].gross_amount == D("9.99")
    assert RefundCap.LINE_AMOUNT in preview.capped_by


@pytest.mark.parametrize("field", ["first_share", "line_amount_already_refunded"])
def test_negative_positions_and_amounts_are_refused(field):
    with pytest.raises(RefundError):
        item(**{field: -1 if field == "first_share" else D("-0.01")})
