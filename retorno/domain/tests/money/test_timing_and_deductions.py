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
    assert pays_before_receipt("on_approval") and pays_before_receipt("on_first_scan")
    assert not pays_before_receipt("on_receipt") and not pays_before_receipt("on_inspection")


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
