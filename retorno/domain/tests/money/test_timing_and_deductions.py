from decimal import Decimal

import pytest

from retorno.domain.errors import DomainError
from retorno.domain.money.deductions import DeductionRates, inspection_deduction
from retorno.domain.money.timing import TimingError, pays_before_receipt, refund_due

D = Decimal


@pytest.mark.parametrize(
    ("timing", "milestone", "due"),
    [
        ("on_approval", "approved", True),
        ("on_first_scan", "approved", False),
        ("on_first_scan", "first_scan", True),
        ("on_first_scan", "received", True),  # dropped at the counter: no scan, still due
        ("on_receipt", "first_scan", False),
        ("on_receipt", "received", True),
        ("on_inspection", "received", False),
        ("on_inspection", "inspected", True),
    ],
)
def test_refund_due(timing, milestone, due):
    assert refund_due(timing, milestone) is due


def test_unknown_timing_and_milestone_have_codes():
    with pytest.raises(TimingError) as caught:
        refund_due("later", "approved")
    assert caught.value.code == "invalid_refund_timing"
    with pytest.raises(TimingError) as caught:
        refund_due("on_receipt", "shipped")
    assert caught.value.code == "invalid_milestone"


def test_pays_before_receipt():
    assert pays_before_receipt("on_approval")
    assert pays_before_receipt("on_first_scan")
    assert not pays_before_receipt("on_receipt")
    assert not pays_before_receipt("on_inspection")


@pytest.mark.parametrize(
    ("grade", "qc", "reason", "amount", "code"),
    [
        ("damaged", "standard", "changed_mind", "50.00", "shopper_damage"),
        ("damaged", "standard", "too_small", "50.00", "shopper_damage"),
        ("damaged", "lenient", "changed_mind", "0", "qc_lenient"),
        ("damaged", "standard", "defective", "0", "not_shopper_fault"),
        ("damaged", "standard", "damaged", "0", "not_shopper_fault"),
        ("damaged", "standard", "wrong_item", "0", "not_shopper_fault"),
        ("damaged", "standard", "missing_parts", "0", "not_shopper_fault"),
        ("used", "standard", "changed_mind", "0", "no_damage"),  # used_percent defaults to 0
        ("new", "standard", "changed_mind", "0", "no_damage"),
        ("like_new", "standard", None, "0", "no_damage"),
        ("wrong_item", "standard", "changed_mind", "100.00", "different_item_returned"),
        ("wrong_item", "lenient", "too_small", "100.00", "different_item_returned"),
        ("wrong_item", "standard", "wrong_item", "0", "not_shopper_fault"),
        ("not_received", "lenient", "defective", "100.00", "item_not_received"),
    ],
)
def test_inspection_deduction(grade, qc, reason, amount, code):
    deduction = inspection_deduction(grade, qc, D("100.00"), reason, currency="EUR")
    assert (deduction.amount, deduction.reason_code) == (D(amount), code)
    assert deduction.message


def test_deduction_percentages_are_configurable_and_rounded():
    rates = DeductionRates(damaged_percent=D("33.3"), used_percent=D("15"))
    assert inspection_deduction(
        "damaged", "standard", D("10.01"), "other", currency="EUR", rates=rates
    ).amount == D("3.33")
    used = inspection_deduction("used", "standard", D("999"), "other", currency="JPY", rates=rates)
    assert (used.amount, used.reason_code, used.percent) == (D("150"), "signs_of_use", D("15"))
    with pytest.raises(DomainError):
        DeductionRates(damaged_percent=D("101"))


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("broken", "standard", D("1.00"), None), "unknown_grade"),
        (("damaged", "strict", D("1.00"), None), "invalid_qc_level"),
        (("damaged", "standard", D("-1.00"), None), "invalid_amount"),
    ],
)
def test_bad_deduction_inputs(args, code):
    with pytest.raises(DomainError) as caught:
        inspection_deduction(*args, currency="EUR")
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("lines", "timing"),
    [
        (["on_approval", "on_inspection"], "on_inspection"),
        (["on_inspection", "on_approval"], "on_inspection"),
        (["on_first_scan", "on_receipt", "on_approval"], "on_receipt"),
        (["on_approval"], "on_approval"),
        ([None, "later", "on_first_scan"], "on_first_scan"),
        ([], "on_receipt"),
    ],
)
def test_a_return_is_refunded_at_the_latest_timing_of_its_lines(lines, timing):
    from retorno.domain.money.timing import return_refund_timing

    assert return_refund_timing(lines) == timing


def test_the_expected_day_comes_from_the_milestone_the_timing_waits_for():
    from datetime import date

    from retorno.domain.money.timing import Milestone, expected_money_on

    day = date(2026, 3, 2)
    reached = {Milestone.APPROVED: day}
    # Approved on the 2nd; pickup on the 4th; 3 days in transit; 2 days to inspect.
    assert expected_money_on(
        "on_approval", requested_on=day, reached=reached, pickup_on=date(2026, 3, 4)
    ) == date(2026, 3, 5)  # + 3 days for the bank
    assert expected_money_on(
        "on_inspection", requested_on=day, reached=reached, pickup_on=date(2026, 3, 4)
    ) == date(2026, 3, 12)
    assert expected_money_on(
        "on_receipt", requested_on=day, reached=reached, store_credit=True
    ) == date(2026, 3, 7)  # approved + 2 to collect + 3 in transit, credit at once


def test_a_later_milestone_counts_for_the_earlier_ones():
    from datetime import date

    from retorno.domain.money.timing import Milestone, expected_money_on

    handed_in = date(2026, 3, 3)  # received at the counter: never scanned by a carrier
    reached = {Milestone.APPROVED: date(2026, 3, 1), Milestone.RECEIVED: handed_in}
    got = expected_money_on(
        "on_first_scan", requested_on=date(2026, 3, 1), reached=reached, store_credit=True
    )
    assert got == handed_in
