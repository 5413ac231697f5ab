"""Analytics pages (analysts and admins): the figures of retorno.analytics, the same the API
serves, with server-drawn charts, a data table under each, a link from every number to the
returns behind it and a CSV export of every table. Definitions: docs/analytics.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from retorno.analytics import costs, fit, mix, operations, returns, supplier_alerts, suppliers
from retorno.analytics.scope import PRESET_DAYS, Scope, scope_from_params
from retorno.analytics.tables import Table
from retorno.backoffice import charts, permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.analytics.quality import DEFAULT_DEFECT_THRESHOLD

DIMENSION_LABELS = {
    "product": gettext_lazy("Product"),
    "variant": gettext_lazy("Variant (SKU)"),
    "category": gettext_lazy("Category"),
    "supplier": gettext_lazy("Supplier"),
    "tier": gettext_lazy("Customer tier"),
    "region": gettext_lazy("Region"),
    "reason": gettext_lazy("Reason"),
    "carrier": gettext_lazy("Carrier"),
    "resolution": gettext_lazy("Resolution"),
    "channel": gettext_lazy("Sales channel"),
}


MAX_LINK_DAYS = 3650


class PeriodForm(forms.Form):
    """The period of every analytics page: the last 30, 90 or 365 days, or from/to; counted by
    request or order date; the breakdown's dimension."""

    days = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    from_day = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    to_day = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.ChoiceField(
        label=gettext_lazy("Counted by"),
        required=False,
        choices=[("request", gettext_lazy("Request date")), ("order", gettext_lazy("Order date"))],
    )
    dimension = forms.ChoiceField(
        label=gettext_lazy("Break down by"), required=False, choices=list(DIMENSION_LABELS.items())
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        days = [*PRESET_DAYS]
        # A link may ask for another number of days (the API takes any): honour it and show it
        # selected, rather than silently showing the first preset over the default period.
        asked = str(self.data.get("days") or "")
        if asked.isdigit() and 0 < int(asked) <= MAX_LINK_DAYS and int(asked) not in days:
            days = sorted([*days, int(asked)])
        cast(forms.ChoiceField, self.fields["days"]).choices = [
            (str(d), _("Last %(days)s days") % {"days": d}) for d in days
        ]

    def params(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found = {
            "days": data.get("days") or "",
            "from": data["from_day"].isoformat() if data.get("from_day") else "",
            "to": data["to_day"].isoformat() if data.get("to_day") else "",
            "basis": data.get("basis") or "",
        }
        return {k: v for k, v in found.items() if v}

    @property
    def dimension_value(self) -> str:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("dimension") or "product"


def _scope(request: HttpRequest, staff: StaffContext) -> tuple[PeriodForm, Scope, str]:
    """The page's form and scope; a period that makes no sense is reported on the form and the
    default period shown instead."""
    form = PeriodForm(request.GET or None)
    now = timezone.now()
    try:
        scope = scope_from_params(store=staff.store, params=form.params(), now=now)
    except Unprocessable as exc:
        form.add_error(None, exc.detail)
        scope = scope_from_params(store=staff.store, params={}, now=now)
    return form, scope, form.dimension_value


def _page(
    request: HttpRequest, staff: StaffContext, template: str, tab: str, context: dict[str, Any]
) -> HttpResponse:
    form, scope = context["form"], context["scope"]
    return render_page(
        request,
        template,
        {
            **context,
            "tab": tab,
            "tabs": TABS,
            "period_query": request.GET.urlencode(),
            "period_filter": charts.queue_link({**scope.as_params(), "counted": "1"}),
            "form": form,
        },
        staff=staff,
        section="analytics",
    )


TABS = (
    ("backoffice:analytics", gettext_lazy("Return rate and reasons")),
    ("backoffice:analytics_fit", gettext_lazy("Sizing")),
    ("backoffice:analytics_suppliers", gettext_lazy("Suppliers")),
    ("backoffice:analytics_operations", gettext_lazy("Operations")),
    ("backoffice:analytics_money", gettext_lazy("Costs and recovery")),
    ("backoffice:analytics_digest", gettext_lazy("Weekly digest")),
)


def _rate_rows(breakdown: returns.Breakdown) -> list[tuple[str, str, Any, str, str]]:
    """The bars of a breakdown: the unit return rate where it has sales, else the share."""
    rows = []
    for row in breakdown.rows[:15]:
        figure = row.rate_units if row.rate_units is not None else row.share_units
        label = _label(breakdown.dimension, row.key, row.label)
        rows.append((row.key, label, figure.value, charts.percent_text(figure), _link(row.filter)))
    return rows


def _label(dimension: str, key: str, label: str) -> str:
    if dimension in ("reason", "resolution"):
        return str(labels.label(dimension, key)) or key
    if dimension == "channel":
        return str(labels.label("sales_channel", key)) or key
    if dimension == "variant" and label and label != key:
        return f"{key} · {label}"
    return label or key or "—"


def _link(filters: dict[str, str]) -> str:
    return charts.queue_link({**filters, "counted": "1"})


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def overview(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form, scope, dimension = _scope(request, staff)
    figures = returns.overview(scope)
    breakdown = returns.breakdown(scope, dimension)
    reasons = mix.reason_mix(scope)
    outcomes = mix.outcomes(scope)
    has_rate = returns.DIMENSIONS[dimension].sold is not None
    chart = charts.bar_chart(
        "breakdown-chart",
        (
            _("Units returned ÷ units sold, by %(dimension)s")
            if has_rate
            else _("Share of the units returned, by %(dimension)s")
        )
        % {"dimension": str(DIMENSION_LABELS[dimension]).lower()},
        _rate_rows(breakdown),
    )
    reason_chart = charts.stacked_bar(
        "reason-chart",
        _("Reason groups"),
        [
            (
                code,
                str(labels.label("reason_group", code)) or code,
                share.value,
                charts.percent_text(share),
                "",
            )
            for code, _units, share in reasons.groups
        ],
    )
    outcome_chart = charts.stacked_bar(
        "outcome-chart",
        _("Outcomes"),
        [
            (
                o.resolution,
                _outcome_label(o.resolution),
                o.share.value,
                charts.percent_text(o.share),
                _link(o.filter),
            )
            for o in outcomes.outcomes
        ],
    )
    return _page(
        request,
        staff,
        "backoffice/analytics.html",
        "backoffice:analytics",
        {
            "form": form,
            "scope": scope,
            "figures": figures,
            "tiles": _tiles(figures),
            "breakdown": breakdown,
            "breakdown_rows": [
                (row, _label(dimension, row.key, row.label), _link(row.filter), _rate_texts(row))
                for row in breakdown.rows
            ],
            "has_rate": has_rate,
            "dimension": dimension,
            "dimension_label": DIMENSION_LABELS[dimension],
            "chart": chart,
            "reasons": reasons,
            "reason_rows": [
                (leaf, charts.percent_text(leaf.share), _link(leaf.filter))
                for leaf in reasons.leaves
            ],
            "other_share": charts.percent_text(reasons.other_share),
            "heat_rows": [
                (row, [(c, charts.percent_text(c.share), _link(c.filter)) for c in row.cells])
                for row in reasons.heat_rows
            ],
            "reason_chart": reason_chart,
            "outcomes": outcomes,
            "outcome_rows": [
                (o, _outcome_label(o.resolution), charts.percent_text(o.share), _link(o.filter))
                for o in outcomes.outcomes
            ],
            "retained_share": charts.percent_text(outcomes.retained),
            "outcome_chart": outcome_chart,
        },
    )


def _outcome_label(key: str) -> str:
    return str(_("Keep the item")) if key == "keep" else str(labels.label("resolution", key))


def _rate_texts(row: returns.BreakdownRow) -> dict[str, str]:
    return {
        name: charts.percent_text(getattr(row, name))
        for name in ("share_units", "rate_orders", "rate_units", "rate_value")
    }


def _tiles(figures: returns.Overview) -> list[dict[str, Any]]:
    changes = figures.changes
    tiles = []
    for name, title in (
        ("rate_units", _("Return rate by units")),
        ("rate_orders", _("Return rate by orders")),
        ("rate_value", _("Return rate by value")),
    ):
        current, previous = getattr(figures.current, name), getattr(figures.previous, name)
        change = changes[name]
        tiles.append(
            {
                "name": name,
                "title": title,
                "value": current.value,
                "text": charts.percent_text(current),
                "previous": charts.percent_text(previous),
                "change": "" if change is None else _points(change),
            }
        )
    return tiles


def _points(change: Any) -> str:
    """A rate's change in percentage points, signed: "+1.5 pts", "+1,5 p. p."."""
    text = f"{round(float(change) * 100, 1):+.1f}"
    if (translation.get_language() or "en").startswith("es"):
        text = text.replace(".", ",")
    return _("%(points)s pts") % {"points": text}


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def fit_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form, scope, _dimension = _scope(request, staff)
    report = fit.fit_report(scope)
    shown = report.products[:20]
    chart = charts.bar_chart(
        "fit-chart",
        _("Fit index (+1: everyone found it small, −1: large)"),
        [
            (
                p.product,
                p.title,
                p.figure.index,
                f"{p.figure.index:+.2f}" if p.figure.index is not None else "",
                _link(p.filter),
            )
            for p in shown
            if p.figure.index is not None
        ],
    )
    return _page(
        request,
        staff,
        "backoffice/analytics_fit.html",
        "backoffice:analytics_fit",
        {
            "form": form,
            "scope": scope,
            "report": report,
            "rows": [
                (
                    p,
                    "" if p.figure.index is None else f"{p.figure.index:+.2f}",
                    "" if p.figure.p_value is None else f"{p.figure.p_value:.3f}",
                    _link(p.filter),
                    sorted(p.kept_sizes.items()),
                )
                for p in report.products
            ],
            "chart": chart,
        },
    )


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def suppliers_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form, scope, _dimension = _scope(request, staff)
    report = suppliers.supplier_report(scope, now=timezone.now())
    threshold = DEFAULT_DEFECT_THRESHOLD
    chart = charts.bar_chart(
        "supplier-chart",
        _("Confirmed defects ÷ units sold"),
        [
            (
                s.supplier,
                s.name,
                s.defect_rate.value,
                charts.percent_text(s.defect_rate),
                _link(s.filter),
            )
            for s in report.suppliers
        ],
        marker=threshold if all(s.threshold == threshold for s in report.suppliers) else None,
        marker_label=_("threshold"),
    )
    return _page(
        request,
        staff,
        "backoffice/analytics_suppliers.html",
        "backoffice:analytics_suppliers",
        {
            "form": form,
            "scope": scope,
            "report": report,
            "rows": [
                {
                    "s": s,
                    "rate": charts.percent_text(s.defect_rate),
                    "link": _link(s.filter),
                    "slug": slugify(s.supplier),
                    "return_rate": charts.percent_text(s.return_rate),
                    "threshold": charts.fraction_text(s.threshold),
                    "return_threshold": ""
                    if s.return_threshold is None
                    else charts.fraction_text(s.return_threshold),
                }
                for s in report.suppliers
            ],
            "threshold": charts.fraction_text(threshold),
            "chart": chart,
            "alerts": [
                {
                    "alert": a,
                    "rate": charts.fraction_text(a.rate),
                    "threshold": charts.fraction_text(a.threshold),
                }
                for a in supplier_alerts.open_alerts(store=staff.store)
            ],
        },
    )


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def operations_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form, scope, _dimension = _scope(request, staff)
    now = timezone.now()
    before = scope.previous()
    segment_by = request.GET.get("segment", "method")
    cycle = operations.cycle_times(scope, segment_by=segment_by)
    cycle_before = operations.cycle_times(before, segment_by=segment_by)
    overall = operations.cycle_times(scope)
    aging = operations.warehouse_aging(scope, now=now)
    carriers = operations.carrier_report(scope)
    carriers_before = {c.carrier: c for c in operations.carrier_report(before).carriers}
    exceptions = operations.policy_exceptions(scope)
    exceptions_before = operations.policy_exceptions(before)
    stage_labels = dict(STAGE_LABELS)
    stages = overall.segments[0].stages if overall.segments else []
    cycle_chart = charts.bar_chart(
        "cycle-chart",
        _("Median days per stage"),
        [
            (
                f.stage,
                str(stage_labels[f.stage]),
                f.p50_days,
                ""
                if f.p50_days is None
                else _("%(days)s days") % {"days": number_format(f.p50_days, 1)},
                "",
            )
            for f in stages
        ],
    )
    aging_links = {
        label: charts.queue_link({"status": "received", "waiting": label})
        for label, _count in aging.buckets
    }
    aging_chart = charts.bar_chart(
        "aging-chart",
        _("Received and not inspected, by days waiting"),
        [
            (label, _("%(days)s days") % {"days": label}, count, str(count), aging_links[label])
            for label, count in aging.buckets
        ],
    )
    p50_before = {(s.segment, f.stage): f.p50_days for s in cycle_before.segments for f in s.stages}

    def exception_rows(name: str, pairs: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
        return [(key, n, _link({**scope.as_params(), name: key})) for key, n in pairs]

    return _page(
        request,
        staff,
        "backoffice/analytics_operations.html",
        "backoffice:analytics_operations",
        {
            "form": form,
            "scope": scope,
            "cycle": cycle,
            "stage_labels": STAGE_LABELS,
            "cycle_rows": [
                (
                    segment,
                    [
                        (stage_labels[f.stage], f, p50_before.get((segment.segment, f.stage)))
                        for f in segment.stages
                    ],
                )
                for segment in cycle.segments
            ],
            "segment": cycle.segment_by,
            "cycle_chart": cycle_chart,
            "aging": aging,
            "aging_rows": [(label, n, aging_links[label]) for label, n in aging.buckets],
            "aging_chart": aging_chart,
            "carriers": [
                (
                    c,
                    charts.percent_text(c.pickup_first_attempt),
                    charts.percent_text(c.labels_used),
                    _link(c.filter),
                    _carrier_before(carriers_before.get(c.carrier)),
                )
                for c in carriers.carriers
            ],
            "exceptions": exceptions,
            "review_share": charts.percent_text(exceptions.review_share),
            "exceptions_before": exceptions_before,
            "review_share_before": charts.percent_text(exceptions_before.review_share),
            "review_rows": exception_rows("review_reason", exceptions.review_reasons),
            "rule_rows": exception_rows("override_rule", exceptions.overrides_by_rule),
            "agent_rows": exception_rows("override_agent", exceptions.overrides_by_agent),
        },
    )


def _carrier_before(figure: operations.CarrierFigure | None) -> dict[str, str]:
    """A carrier's rates in the previous period, as the page writes them ("—": no shipments)."""
    if figure is None:
        return {"first": "—", "used": "—"}
    return {
        "first": charts.percent_text(figure.pickup_first_attempt),
        "used": charts.percent_text(figure.labels_used),
    }


STAGE_LABELS = (
    ("request_to_scan", gettext_lazy("Request → first carrier scan")),
    ("scan_to_warehouse", gettext_lazy("First scan → at the warehouse")),
    ("warehouse_to_inspected", gettext_lazy("At the warehouse → inspected")),
    ("inspected_to_refunded", gettext_lazy("Inspected → refunded")),
    ("request_to_refunded", gettext_lazy("Request → refunded")),
)


# --- exports -------------------------------------------------------------------------------------

EXPORTS: dict[str, Callable[[Scope, HttpRequest], Table]] = {
    "overview": lambda scope, _r: returns.overview(scope).table(),
    "breakdown": lambda scope, r: returns.breakdown(
        scope, PeriodForm(r.GET).dimension_value, limit=None
    ).table(),
    "reasons": lambda scope, _r: mix.reason_mix(scope).table(),
    "heatmap": lambda scope, _r: mix.reason_mix(scope).heat_table(),
    "outcomes": lambda scope, _r: mix.outcomes(scope).table(),
    "fit": lambda scope, _r: fit.fit_report(scope).table(),
    "suppliers": lambda scope, _r: suppliers.supplier_report(scope, now=timezone.now()).table(),
    "evidence": lambda scope, r: suppliers.supplier_evidence(scope, r.GET.get("supplier", "")),
    "cycle": lambda scope, r: operations.cycle_times(
        scope, segment_by=r.GET.get("segment", "method")
    ).table(),
    "aging": lambda scope, _r: operations.warehouse_aging(scope, now=timezone.now()).table(),
    "carriers": lambda scope, _r: operations.carrier_report(scope).table(),
    "exceptions": lambda scope, _r: operations.policy_exceptions(scope).table(),
    "costs": lambda scope, _r: costs.costs(scope).table(),
    "recovery": lambda scope, _r: costs.recovery(scope).table(),
}


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def export(request: HttpRequest, staff: StaffContext, name: str) -> HttpResponse:
    """A table of the analytics pages as CSV, for the page's period."""
    if name not in EXPORTS:
        raise Http404(name)
    form = PeriodForm(request.GET or None)
    params = form.params()
    try:
        scope = scope_from_params(store=staff.store, params=params, now=timezone.now())
        figures = EXPORTS[name](scope, request)
    except Unprocessable as exc:
        return HttpResponse(exc.detail, status=422, content_type="text/plain; charset=utf-8")
    except NotFound as exc:
        return HttpResponse(exc.detail, status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(figures.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
