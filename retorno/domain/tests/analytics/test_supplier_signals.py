"""Supplier signals, the pure rules: confirmed defects, thresholds given as percentages, when a
rate is over its threshold, and alerts that send each crossing exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.analytics.quality import (
    DEFAULT_DEFECT_THRESHOLD,
    SignalKind,
    ThresholdError,
    Thresholds,
    alert_changes,
    confirmed_defect,
    crossed,
    threshold_from_percent,
)


def test_the_inspectors_confirmation_counts_only_for_a_defect_reason():
    assert confirmed_defect("defective", "used", reason_confirmed=True)
    assert not confirmed_defect("defective", "used")
    assert confirmed_defect("damaged", "damaged")
    assert not confirmed_defect("too_small", "damaged", reason_confirmed=True)


def test_thresholds_are_typed_as_percentages():
    assert threshold_from_percent("2.5") == Decimal("0.025")
    assert threshold_from_percent("12,5") == Decimal("0.125")
    assert threshold_from_percent("100") == Decimal("1")
    assert threshold_from_percent("  ") is None
    assert threshold_from_percent(None) is None
    for bad in ("0", "-1", "101", "abc", "NaN", "inf"):
        with pytest.raises(ThresholdError):
            threshold_from_percent(bad)


def test_the_defect_threshold_defaults_and_the_return_rate_has_none():
    assert Thresholds().for_kind(SignalKind.DEFECT_RATE) == DEFAULT_DEFECT_THRESHOLD
    assert Thresholds().for_kind(SignalKind.RETURN_RATE) is None
    set_ = Thresholds(return_rate=Decimal("0.1"), defect_rate=Decimal("0.05"))
    assert set_.for_kind(SignalKind.DEFECT_RATE) == Decimal("0.05")
    assert set_.for_kind(SignalKind.RETURN_RATE) == Decimal("0.1")


def test_a_rate_is_over_only_past_its_threshold_and_with_enough_data():
    assert crossed(Decimal("0.0201"), Decimal("0.02"))
    assert not crossed(Decimal("0.02"), Decimal("0.02"))
    assert not crossed(None, Decimal("0.02"))  # not enough data
    assert not crossed(Decimal("0.9"), None)  # no threshold


@given(st.lists(st.frozensets(st.sampled_from(list(SignalKind))), max_size=30))
def test_each_crossing_is_sent_once(checks):
    """Over a sequence of checks (the kinds over threshold at each), alerts open exactly at the
    checks where a kind goes from under to over, and never twice in a row."""
    open_now: frozenset[SignalKind] = frozenset()
    sent = []
    previous: frozenset[SignalKind] = frozenset()
    for over in checks:
        changes = alert_changes(open_now=open_now, over=over)
        assert not (changes.open & changes.close)
        sent.append(changes.open)
        open_now = (open_now - changes.close) | changes.open
        assert open_now == over
        assert changes.open == over - previous
        previous = over
    for kind in SignalKind:
        crossings = sum(
            1
            for i, over in enumerate(checks)
            if kind in over and (i == 0 or kind not in checks[i - 1])
        )
        assert sum(1 for opened in sent if kind in opened) == crossings
