"""Finance exports: the refund and charge ledgers of a period as CSV, for reconciliation with
the payment provider's statements. Days are the store's own (its timezone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.domain.days import zone
from retorno.domain.money.ledger import RefundState
from retorno.domain.times import EARLIEST_QUERY_DAY, LATEST_QUERY_DAY
from retorno.money.selectors import exports

LEDGERS = {
    "refunds": (exports.REFUND_COLUMNS, exports.refund_rows),
    "charges": (exports.CHARGE_COLUMNS, exports.charge_rows),
}


def _period_day(label: Any) -> forms.DateField:
    field = forms.DateField(label=label, required=False)
    field.validators.append(_in_query_range)
    return field


def _in_query_range(day: date) -> None:
    if not EARLIEST_QUERY_DAY <= day <= LATEST_QUERY_DAY:
        raise ValidationError(
            _("Enter a day between %(first)s and %(last)s."),
            code="out_of_range",
            params={
                "first": date_format(EARLIEST_QUERY_DAY),
                "last": date_format(LATEST_QUERY_DAY),
            },
        )


class ExportForm(forms.Form):
    ledger = forms.ChoiceField(
        label=_("Ledger"), choices=[("refunds", _("Refunds")), ("charges", _("Charges"))]
    )
    start = _period_day(_("From (first day)"))
    end = _period_day(_("To (last day)"))
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), *((s.value, s.value) for s in RefundState)],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day is before the first one."))
        return cleaned


def _day_start(day: date | None, where: tzinfo) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, where)


@require_GET
@staff_view(permissions.REFUND_VIEW)
def finance_export(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """Without `download`: the form. With it: the CSV, or the form with what to correct."""
    if "download" not in request.GET:
        form = ExportForm(initial={"ledger": request.GET.get("ledger", "refunds")})
        return render_page(
            request,
            "backoffice/finance_export.html",
            {"form": form},
            staff=staff,
            section="finance",
        )
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render_page(
            request,
            "backoffice/finance_export.html",
            {"form": form},
            staff=staff,
            section="finance",
            status=422,
        )
    data = form.cleaned_data
    store_zone = zone(staff.store.timezone)
    end = data["end"] + timedelta(days=1) if data["end"] else None
    columns, rows = LEDGERS[data["ledger"]]
    lines = exports.csv_lines(
        columns,
        rows(
            store=staff.store,
            since=_day_start(data["start"], store_zone),
            until=_day_start(end, store_zone),
            state=data["state"] or None,
        ),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    period = "-".join(str(d) for d in (data["start"], data["end"]) if d) or "all"
    filename = f"{staff.store.slug}-{data['ledger']}-{period}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response  # type: ignore[return-value]
