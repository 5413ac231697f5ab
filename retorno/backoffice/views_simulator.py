"""The policy simulator in the policy editor (admins): the draft in the editor replayed over a
period of the store's real return requests, beside the policy in force. Writes nothing; the
page keeps the draft in its editor, to change and simulate again or to publish."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from retorno.analytics.scope import PRESET_DAYS
from retorno.analytics.simulator import SimulationReport, policy_simulate
from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.backoffice.simulation_view import simulation_context
from retorno.backoffice.views_settings import DocumentForm
from retorno.core.errors import Unprocessable

PERIOD_CODES = {"invalid_period", "period_too_large"}


class SimulateForm(forms.Form):
    """The period to replay: the last N days, or from/to; by request or by order date."""

    days = forms.TypedChoiceField(
        choices=[(str(d), str(d)) for d in PRESET_DAYS], coerce=int, required=False
    )
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    basis = forms.ChoiceField(
        choices=[
            ("request", gettext_lazy("Request date")),
            ("order", gettext_lazy("Order date")),
        ],
        required=False,
    )

    def params(self) -> dict[str, str]:
        data = self.cleaned_data
        found = {
            "from": data["date_from"].isoformat() if data.get("date_from") else "",
            "to": data["date_to"].isoformat() if data.get("date_to") else "",
            "days": str(data["days"]) if data.get("days") else "",
            "basis": data.get("basis") or "request",
        }
        return {k: v for k, v in found.items() if v}


@require_POST
@staff_view(permissions.CONFIGURE)
def policy_simulate_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    document_form = DocumentForm(request.POST)
    period_form = SimulateForm(request.POST)
    problems: list[dict[str, str]] = [
        {"field": p.field, "message": p.message} for p in document_form.problems()
    ]
    period_problems = [str(m) for errors in period_form.errors.values() for m in errors]
    report: SimulationReport | None = None
    if not problems and not period_problems:
        try:
            report = policy_simulate(
                store=staff.store,
                document=document_form.cleaned_data["document"],
                params=period_form.params(),
                now=timezone.now(),
            )
        except Unprocessable as error:
            if error.code in PERIOD_CODES:
                period_problems = [_period_message(error)]
            else:
                listed = error.extra.get("errors") or [{"field": "", "message": error.detail}]
                problems = [
                    {"field": str(e.get("field", "")), "message": str(e.get("message", ""))}
                    for e in listed
                ]
    context: dict[str, Any] = {
        "draft": request.POST.get("document", ""),
        "note": request.POST.get("note", "")[:500],
        "problems": problems,
        "period_problems": period_problems,
        "period_form": period_form,
    }
    if report is not None:
        context.update(simulation_context(report))
    return render_page(
        request,
        "backoffice/settings_policy_simulation.html",
        context,
        staff=staff,
        section="settings",
        status=200 if report is not None else 422,
    )


def _period_message(error: Unprocessable) -> str:
    if error.code == "period_too_large":
        return _(
            "The period holds too many return requests to replay at once. Choose a shorter one."
        )
    return _("Choose a period whose first day is on or before its last day, of at most two years.")
