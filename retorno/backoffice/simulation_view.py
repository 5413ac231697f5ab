"""What the policy simulator's page shows, computed here so the template only places it: money
per currency with its change, the decision matrix as rows, the days-since-delivery histogram as
SVG geometry with both windows marked, and labels in the active language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from retorno.analytics.simulator import SimulationReport
from retorno.core import labels
from retorno.core.formatting import format_money as money
from retorno.domain.policies.simulation import (
    OUTCOMES,
    Simulation,
    Window,
    rule_windows,
    totals_change,
)

CHART_WIDTH = 640
CHART_HEIGHT = 180
PLOT_TOP = 24
PLOT_BOTTOM = 150
MAX_DAYS = 120  # later requests share the last bar


@dataclass(frozen=True)
class HistogramBar:
    days: int
    label: str
    requests: int
    x: str
    y: str
    width: str
    height: str
    outside_new: bool  # past the draft's window


@dataclass(frozen=True)
class WindowMark:
    css: str
    x: str
    text: str
    text_y: int


@dataclass(frozen=True)
class Histogram:
    bars: list[HistogramBar]
    marks: list[WindowMark]
    width: int
    height: int
    axis_y: int
    ticks: list[tuple[str, str]]  # (x, text)
    title: str


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _window_text(window: Window, which: str) -> str:
    if window.starts == "order":
        return _("%(which)s: %(days)s days from the order") % {"which": which, "days": window.days}
    return _("%(which)s: %(days)s days") % {"which": which, "days": window.days}


def histogram(sim: Simulation) -> Histogram:
    """One bar per day since delivery, 0 to the longer window plus two weeks (at most
    MAX_DAYS; later requests in the last bar), and a line at the end of each base window."""
    last = min(MAX_DAYS, max(sim.old_window.days, sim.new_window.days) + 14)
    counts = [0] * (last + 1)
    for days, requests in sim.days_since_delivery.items():
        counts[min(days, last)] += requests
    tallest = max(counts) or 1
    step = CHART_WIDTH / (last + 1)
    bars = []
    for days, requests in enumerate(counts):
        height = (PLOT_BOTTOM - PLOT_TOP) * requests / tallest
        label = f"{days}+" if days == last and last == MAX_DAYS else str(days)
        bars.append(
            HistogramBar(
                days=days,
                label=label,
                requests=requests,
                x=_fmt(days * step),
                y=_fmt(PLOT_BOTTOM - height),
                width=_fmt(max(step - 1, 1)),
                height=_fmt(height),
                outside_new=days > sim.new_window.days,
            )
        )
    marks = [
        WindowMark(
            "old",
            _fmt(min(sim.old_window.days + 1, last + 1) * step),
            _window_text(sim.old_window, _("In force")),
            12,
        ),
        WindowMark(
            "new",
            _fmt(min(sim.new_window.days + 1, last + 1) * step),
            _window_text(sim.new_window, _("Draft")),
            22,
        ),
    ]
    tick_every = 7 if last <= 70 else 14
    ticks = [(_fmt(d * step + step / 2), str(d)) for d in range(0, last + 1, tick_every)]
    return Histogram(
        bars=bars,
        marks=marks,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        axis_y=PLOT_BOTTOM,
        ticks=ticks,
        title=_("Requests by days since delivery"),
    )


def _money_rows(old: dict[str, Decimal], new: dict[str, Decimal]) -> list[dict[str, str]]:
    change = totals_change(old, new)
    return [
        {
            "currency": currency,
            "old": money(old.get(currency, Decimal(0)), currency),
            "new": money(new.get(currency, Decimal(0)), currency),
            "change": ("+" if change[currency] > 0 else "") + money(change[currency], currency),
            "direction": "up" if change[currency] > 0 else "down" if change[currency] < 0 else "",
        }
        for currency in change
    ]


def _value_text(value: dict[str, Decimal]) -> str:
    return " · ".join(money(value[c], c) for c in sorted(value)) or "—"


def simulation_context(report: SimulationReport) -> dict[str, Any]:
    sim = report.simulation
    outcome = {o: labels.label("outcome", o.value) for o in OUTCOMES}
    matrix = [
        {
            "old": a.value,
            "label": outcome[a],
            "cells": [
                {
                    "new": b.value,
                    "count": sim.matrix[(a, b)].count,
                    "value": _value_text(sim.matrix[(a, b)].value),
                    "changed": a is not b and sim.matrix[(a, b)].count > 0,
                }
                for b in OUTCOMES
            ],
        }
        for a in OUTCOMES
    ]
    return {
        "report": report,
        "sim": sim,
        "outcomes": [(o.value, outcome[o]) for o in OUTCOMES],
        "matrix": matrix,
        "fees": _money_rows(sim.fees_old, sim.fees_new),
        "refunds": _money_rows(sim.refunds_old, sim.refunds_new),
        "reviews_change": sim.reviews_new - sim.reviews_old,
        "rule_changes": [
            {"rule": rule, "direction": "up" if rule.change > 0 else "down" if rule.change else ""}
            for rule in sim.rules
        ],
        "histogram": histogram(sim),
        "rule_windows_old": rule_windows(report.in_force),
        "rule_windows_new": rule_windows(report.draft),
        "changes_left_out": sim.changed - len(sim.changes),
        "outcome_label": {o.value: outcome[o] for o in OUTCOMES},
    }
