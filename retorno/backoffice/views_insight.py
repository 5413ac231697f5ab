"""Comment insight: what shoppers' comments say, product by product and reason by reason.

A page for analysts and admins (`INSIGHT_VIEW`): the comments classified over a period, the
reasons they read as, and for each product and reason the phrases that said it most. Thin: a
form reads the filters, one selector reads the store's predictions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.insight import selectors as insight_selectors

PERIODS = {"30": 30, "90": 90, "365": 365}
DEFAULT_PERIOD = "90"


class InsightFilterForm(forms.Form):
    """GET filters of the panel; an invalid value counts as "any"."""

    # Shown selected when the page opens, as it is the period read then.
    days = forms.ChoiceField(label=_("Period"), required=False, initial=DEFAULT_PERIOD)
    reason = forms.ChoiceField(label=_("Comment reads"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["days"]).choices = [
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("365", _("Last 12 months")),
        ]
        cast(forms.ChoiceField, self.fields["reason"]).choices = [
            ("", _("Any")),
            *labels.choices("reason"),
        ]

    def values(self) -> tuple[int, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        days = PERIODS.get(data.get("days") or DEFAULT_PERIOD, PERIODS[DEFAULT_PERIOD])
        return days, data.get("reason") or ""


@require_GET
@staff_view(permissions.INSIGHT_VIEW)
def insight_panel(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = InsightFilterForm(request.GET or None)
    days, reason = form.values()
    insight = insight_selectors.comment_insight_for_store(
        store=staff.store, since=timezone.now() - timedelta(days=days), reason=reason
    )
    model = insight_selectors.active_store_model(store=staff.store)
    return render_page(
        request,
        "backoffice/insight.html",
        {"form": form, "insight": insight, "days": days, "store_model": model},
        staff=staff,
        section="insight",
    )
