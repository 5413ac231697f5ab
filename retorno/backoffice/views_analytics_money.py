"""Analytics page "Costs and recovery" (analysts and admins): what the period's returns cost
(labels, refunds, shipping refunded, fees charged; net) and what the goods that came back
recover, by disposition, category and grade. The figures of the API's /analytics/costs and
/analytics/recovery (retorno.analytics.costs), charted, each chart with its data table.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from retorno.analytics import costs
from retorno.analytics.scope import scope_from_params
from retorno.backoffice import charts, permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.backoffice.views_analytics import TABS, PeriodForm
from retorno.core import labels
from retorno.core.errors import Unprocessable
from retorno.core.formatting import format_money

COST_LABELS = {
    "labels": gettext_lazy("Labels and pickups"),
    "refunds_gross": gettext_lazy("Refunds, before fees"),
    "shipping": gettext_lazy("of which shipping refunded"),
    "fees": gettext_lazy("Fees charged to shoppers"),
    "net": gettext_lazy("Net cost"),
}
RECOVERY_TITLES = {
    "disposition": gettext_lazy("By disposition"),
    "category": gettext_lazy("By category"),
    "grade": gettext_lazy("By grade"),
}


def _recovery_label(dimension: str, key: str) -> str:
    if dimension in ("disposition", "grade"):
        return str(labels.label(dimension, key)) or key
    return key or "—"


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def money_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    now = timezone.now()
    try:
        scope = scope_from_params(store=staff.store, params=form.params(), now=now)
    except Unprocessable as exc:
        form.add_error(None, exc.detail)
        scope = scope_from_params(store=staff.store, params={}, now=now)
    currency = staff.store.currency
    cost = costs.costs(scope)
    cost_before = {line.key: line for line in costs.costs(scope.previous()).lines}
    recovered = costs.recovery(scope)
    recovered_before = costs.recovery(scope.previous())

    def money(amount: Decimal) -> str:
        return format_money(amount, currency)

    # Fees lower the net cost: drawn as a negative bar.
    signs = {"fees": -1}
    cost_chart = charts.bar_chart(
        "cost-chart",
        _("What the period's returns cost"),
        [
            (
                line.key,
                str(COST_LABELS[line.key]),
                line.amount * signs.get(line.key, 1),
                money(line.amount * signs.get(line.key, 1)),
                "",
            )
            for line in cost.lines
        ],
    )
    recovery_charts = [
        (
            name,
            RECOVERY_TITLES[name],
            charts.bar_chart(
                f"recovery-{name}-chart",
                _("Recovered ÷ value of the units, %(by)s")
                % {"by": str(RECOVERY_TITLES[name]).lower()},
                [
                    (
                        row.key,
                        _recovery_label(name, row.key),
                        row.rate.value,
                        charts.percent_text(row.rate),
                        "",
                    )
                    for row in rows[:12]
                ],
            ),
            [(row, _recovery_label(name, row.key), charts.percent_text(row.rate)) for row in rows],
        )
        for name, rows in recovered.by.items()
    ]
    return render_page(
        request,
        "backoffice/analytics_money.html",
        {
            "form": form,
            "scope": scope,
            "tab": "backoffice:analytics_money",
            "tabs": TABS,
            "period_query": request.GET.urlencode(),
            "period_filter": charts.queue_link({**scope.as_params(), "counted": "1"}),
            "cost": cost,
            "currency": currency,
            "cost_link": charts.queue_link(cost.filter),
            "cost_rows": [
                (line, COST_LABELS[line.key], cost_before.get(line.key)) for line in cost.lines
            ],
            "cost_chart": cost_chart,
            "recovery": recovered,
            "recovery_rate": charts.percent_text(recovered.rate),
            "recovery_before": recovered_before,
            "recovery_rate_before": charts.percent_text(recovered_before.rate),
            "recovery_charts": recovery_charts,
        },
        staff=staff,
        section="analytics",
    )
