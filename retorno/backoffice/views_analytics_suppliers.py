"""The supplier panel's actions: a supplier's evidence pack as PDF, and the thresholds the store
sets per supplier (an alert is e-mailed once when a rate crosses one; retorno.analytics
.supplier_alerts). The panel itself is views_analytics.suppliers_page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from retorno.analytics.evidence import evidence_pack, render_evidence_pdf
from retorno.analytics.scope import scope_from_params
from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.views_analytics import PeriodForm
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.analytics.quality import ThresholdError, threshold_from_percent
from retorno.warehouse import services as warehouse


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def evidence_pdf(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """A supplier's evidence pack for the page's period, as PDF in the page's language."""
    supplier = request.GET.get("supplier", "")[:120]
    try:
        scope = scope_from_params(
            store=staff.store, params=PeriodForm(request.GET or None).params(), now=timezone.now()
        )
        pack = evidence_pack(scope, supplier, now=timezone.now())
    except Unprocessable as exc:
        return HttpResponse(exc.detail, status=422, content_type="text/plain; charset=utf-8")
    except NotFound as exc:
        return HttpResponse(exc.detail, status=404, content_type="text/plain; charset=utf-8")
    pdf = render_evidence_pdf(pack, language=translation.get_language() or "en")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"evidence-{slugify(supplier)[:60] or 'supplier'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@staff_view(permissions.CONFIGURE)
def thresholds_save(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """Set one supplier's return-rate and defect-rate thresholds (percentages; blank for none:
    the defect rate then uses the default threshold)."""
    supplier = request.POST.get("supplier", "")[:120]
    # Back to the panel with the period it was showing (only what the period form accepts).
    period = PeriodForm(QueryDict(request.POST.get("period", "")[:400])).params()
    back = reverse("backoffice:analytics_suppliers") + (f"?{urlencode(period)}" if period else "")
    try:
        return_rate = threshold_from_percent(request.POST.get("return_rate", "")[:20])
        defect_rate = threshold_from_percent(request.POST.get("defect_rate", "")[:20])
        warehouse.supplier_thresholds_set(
            store=staff.store, code=supplier, return_rate=return_rate, defect_rate=defect_rate
        )
    except ThresholdError:
        messages.error(request, _("A threshold is a percentage above 0 and at most 100."))
        return redirect(back + "#thresholds")
    except Unprocessable:
        messages.error(request, _("Choose a supplier."))
        return redirect(back + "#thresholds")
    messages.success(request, _("Thresholds of %(supplier)s saved.") % {"supplier": supplier})
    return redirect(back + "#thresholds")
