"""The rollups' histograms give the figures the raw values give: the cycle time's percentiles
read from durations kept in tenths of a day equal the percentiles of the exact durations,
rounded as the panel shows them."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.analytics.rollups import (
    STAGES,
    ItemFacts,
    LineFacts,
    OrderFacts,
    ReturnFacts,
    facts_dump,
    facts_load,
    histogram_percentile,
    returned_contribution,
    stage_tenths,
)
from retorno.domain.analytics.stats import percentile

durations = st.lists(st.floats(0, 90 * 86400, allow_nan=False), min_size=1, max_size=60)
quantiles = st.sampled_from((1, 10, 50, 90, 99, 100))


@given(durations, quantiles)
def test_the_percentile_of_the_tenths_is_the_rounded_percentile(values, q):
    histogram = Counter(stage_tenths(v) for v in values)
    exact = percentile(values, q)
    assert exact is not None
    assert histogram_percentile(histogram, q) / 10 == round(exact / 86400, 1)


@given(st.lists(st.integers(0, 40), max_size=40), quantiles)
def test_a_histogram_percentile_is_the_percentile_of_its_values(values, q):
    assert histogram_percentile(Counter(values), q) == percentile(values, q)


def _order(stage_seconds: tuple[float | None, ...]) -> OrderFacts:
    line = LineFacts(1, "tee", "Tee", "TEE-M", "apparel", "Acme", 3, 300_000)
    item = ItemFacts(1, "too_small", 1, 100_000, False, "M", "L", 0)
    ret = ReturnFacts(
        id=7,
        day=date(2026, 3, 2),
        counted=True,
        tier="gold",
        resolution="exchange",
        method="drop_off",
        carrier="Norte",
        items=(item,),
        stage_seconds=stage_seconds,
    )
    return OrderFacts(7, date(2026, 3, 1), "gold", "Madrid", "web", (line,), (ret,))


def test_a_return_adds_its_fit_and_its_stages():
    order = _order((86400.0, None, 3600.0, None, 5 * 86400.0))
    rows = returned_contribution(order)
    request_day = date(2026, 3, 2)
    assert rows[("r", request_day, "fit", "tee")].as_tuple() == (1, 1, 1, 1, 0)
    assert rows[("r", request_day, "fit_kept", "tee\tM\tL")].units == 1
    assert rows[("r", request_day, "cycle_method", "n\tdrop_off")].returns == 1
    assert rows[("r", request_day, "cycle_method", "request_to_scan\tdrop_off\t10")].units == 1
    assert rows[("r", request_day, "cycle_tier", "warehouse_to_inspected\tgold\t0")].units == 1
    assert not any(key[3].startswith(STAGES[1]) for key in rows)  # no scan → warehouse


def test_facts_kept_before_the_new_fields_still_load():
    dumped = facts_dump(_order((60.0,) * 5))
    for ret in dumped["returns"]:
        ret[7] = [item[:5] for item in ret[7]]
        del ret[12]
    old = facts_load(dumped)
    assert old.returns[0].items[0].size == ""
    assert old.returns[0].stage_seconds == ()
    assert facts_load(facts_dump(_order((60.0,) * 5))) == _order((60.0,) * 5)
