"""Charts drawn on the server as SVG: the geometry is computed here, the templates only place
it (`backoffice/_bar_chart.html`, `_stacked_bar.html`). Every mark carries its value in a
<title> (shown on hover and read by screen readers) and in `data-value`, the number the API
gives for it; a data table follows each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from retorno.domain.analytics.rates import Rate

WIDTH = 340
PLOT_WIDTH = 270
ROW = 36
BAR = 14
LABEL_CHARS = 48
# The value is written after its bar at 12 px: room is kept for the widest one at this many
# user units per character (wider than a digit or a letter of the sans-serif the page uses),
# so "EUR 12,345.67" or "no hay datos suficientes" is never cut at the chart's edge.
CHAR_WIDTH = 7.2
VALUE_GAP = 5
MIN_PLOT_WIDTH = 120


def percent_text(rate: Rate | None) -> str:
    """A rate as staff of the active language read it ("12.5%", "12,5 %"), or "not enough
    data"."""
    if rate is None:
        return ""
    percent = rate.percent
    if percent is None:
        return _("not enough data")
    if (translation.get_language() or "en").startswith("es"):
        return f"{str(percent).replace('.', ',')}\u00a0%"
    return f"{percent}%"


def fraction_text(value: Decimal) -> str:
    """A fraction (0.02) as a percentage in the active language ("2.0%", "2,0 %")."""
    return percent_text(Rate(value * 1000, Decimal(1000)))


def queue_link(filters: dict[str, str]) -> str:
    """The returns queue filtered to a figure's returns."""
    return f"{reverse('backoffice:queue')}?{urlencode(filters)}"


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    short_label: str
    data_value: str  # the API's number, "" for not enough data
    text: str
    href: str
    label_y: int
    y: int
    text_y: int
    width: str
    value_x: str
    css: str = ""


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    bar_x: int = 0
    bar_height: int = BAR
    marker_x: str = ""  # a threshold line, when the chart has one
    marker_label: str = ""


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, str, Decimal | float | None, str, str]],
    *,
    marker: Decimal | float | None = None,
    marker_label: str = "",
) -> BarChart:
    """Horizontal bars, one per (key, label, value, text, href); a value of None draws no bar
    (its text says why). Bars scale to the largest value (or the marker, if larger); a negative
    value draws as long as its size, in the `neg` colour."""
    values = [abs(float(v)) for _, _, v, _, _ in rows if v is not None]
    top = max([*values, float(marker or 0)], default=0.0) or 1.0
    plot_width = plot_width_for([text for _, _, _, text, _ in rows])
    bars = []
    for i, (key, label, value, text, href) in enumerate(rows):
        width = 0.0 if value is None else abs(float(value)) / top * plot_width
        bars.append(
            Bar(
                key=key,
                label=label,
                short_label=_short(label),
                data_value="" if value is None else _number(value),
                text=text,
                href=href,
                # The label on its own line above the bar: long names stay whole on a phone.
                label_y=i * ROW + 13,
                y=i * ROW + 17,
                text_y=i * ROW + 17 + BAR - 3,
                width=f"{width:.1f}",
                value_x=f"{width + 5:.1f}",
                css="neg" if value is not None and value < 0 else "",
            )
        )
    marker_x = "" if marker is None else f"{float(marker) / top * plot_width:.1f}"
    return BarChart(
        chart_id,
        title,
        bars,
        max(len(rows), 1) * ROW + 8,
        marker_x=marker_x,
        marker_label=marker_label,
    )


def plot_width_for(texts: Sequence[str]) -> float:
    """How long the longest bar may be so that the widest value text still fits after it."""
    widest = max((len(text) for text in texts), default=0) * CHAR_WIDTH
    return max(MIN_PLOT_WIDTH, min(PLOT_WIDTH, WIDTH - VALUE_GAP - widest))


def _number(value: Any) -> str:
    """The number as the API writes it (a float's shortest text)."""
    return repr(float(value))


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    data_value: str
    text: str
    href: str
    x: str
    width: str
    css: str


@dataclass(frozen=True)
class StackedBar:
    id: str
    title: str
    segments: list[Segment]
    width: int = WIDTH
    height: int = 24


def stacked_bar(
    chart_id: str, title: str, parts: Sequence[tuple[str, str, Decimal | float | None, str, str]]
) -> StackedBar:
    """One bar split into the shares of (key, label, share, text, href); shares of None or 0
    take no room."""
    total = sum(float(v) for _, _, v, _, _ in parts if v) or 1.0
    x = 0.0
    segments = []
    for i, (key, label, value, text, href) in enumerate(parts):
        width = float(value or 0) / total * WIDTH
        segments.append(
            Segment(
                key,
                label,
                "" if value is None else _number(value),
                text,
                href,
                f"{x:.1f}",
                f"{width:.1f}",
                f"seg-{i % 6}",
            )
        )
        x += width
    return StackedBar(chart_id, title, segments)
