"""The server-drawn bar chart keeps every value text inside its drawing."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from retorno.backoffice.charts import CHAR_WIDTH, WIDTH, bar_chart


def _right_edge(chart, bar) -> float:
    return float(bar.value_x) + len(bar.text) * CHAR_WIDTH


def test_a_long_money_value_stays_inside_the_chart():
    chart = bar_chart(
        "cost",
        "Cost",
        [
            ("labels", "Labels", Decimal("1234567.89"), "EUR 1,234,567.89", ""),
            ("fees", "Fees", Decimal("-412345.50"), "−EUR 412,345.50", ""),
            ("none", "Shipping", None, "not enough data", ""),
        ],
    )
    for bar in chart.bars:
        assert _right_edge(chart, bar) <= WIDTH
    assert float(chart.bars[0].width) > float(chart.bars[1].width) > 0


def test_short_values_keep_the_full_length():
    chart = bar_chart("rate", "Rate", [("a", "A", 0.5, "50%", ""), ("b", "B", 0.25, "25%", "")])
    assert float(chart.bars[0].width) == 270.0
    assert float(chart.bars[1].width) == 135.0


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
            st.text(min_size=0, max_size=26),
        ),
        min_size=1,
        max_size=12,
    ),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)),
)
def test_no_value_text_leaves_the_drawing(rows, marker):
    chart = bar_chart(
        "c", "C", [(str(i), "x", v, text, "") for i, (v, text) in enumerate(rows)], marker=marker
    )
    for bar in chart.bars:
        assert float(bar.width) >= 0
        assert _right_edge(chart, bar) <= WIDTH + 0.05
    if chart.marker_x:
        assert 0 <= float(chart.marker_x) <= WIDTH
