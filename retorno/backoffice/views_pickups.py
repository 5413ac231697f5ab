"""The failed-pickup desk: failed pickups handed to agents (after the store's number of
failures, or when no carrier could book), filterable by carrier, reason and age; an agent
re-books, switches to drop-off or cancels, and the choice is booked at once."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext, staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.errors import RetornoError
from retorno.domain.errors import DomainError
from retorno.logistics import selectors
from retorno.logistics.recoveries import FAILURE_REASONS
from retorno.returns.workflows import recovery

AGES = {"": None, "1": 1, "3": 3, "7": 7}


@staff_view(permissions.VIEW)
def desk(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    carrier = request.GET.get("carrier", "")[:64]
    reason = request.GET.get("reason", "")
    reason = reason if reason in FAILURE_REASONS else ""
    age = AGES.get(request.GET.get("age", ""))
    everything = request.GET.get("all") == "1"
    cases = list(
        selectors.desk_list_for_store(
            store=staff.store,
            carrier=carrier,
            reason=reason,
            older_than_days=age,
            include_awaiting=everything,
            now=timezone.now(),
        )[:200]
    )
    return render_page(
        request,
        "backoffice/pickups_desk.html",
        {
            "cases": cases,
            "carriers": selectors.carrier_accounts_for_store(staff.store),
            "reasons": FAILURE_REASONS,
            "selected": {
                "carrier": carrier,
                "reason": reason,
                "age": request.GET.get("age", ""),
                "all": everything,
            },
            "now": timezone.now(),
        },
        staff=staff,
        section="pickups",
    )


@require_POST
@staff_view(permissions.APPROVE)
def desk_act(request: HttpRequest, staff: StaffContext, rma: str) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "cancel" and not staff.may(permissions.CANCEL):
        messages.error(request, _("You may not cancel returns."))
        return redirect("backoffice:pickups_desk")
    raw_date = request.POST.get("pickup_date", "")
    try:
        pickup_date = date.fromisoformat(raw_date) if raw_date else None
        recovery.pickup_recovery_apply(
            store=staff.store,
            rma=rma,
            choice=recovery.RecoveryChoice(
                action=action,
                pickup_date=pickup_date,
                phone=request.POST.get("phone", "")[:40],
                note=request.POST.get("note", "")[:2000] or _("Handled at the failed-pickup desk."),
            ),
            actor=staff.actor,
        )
    except ValueError:
        messages.error(request, _("The date is not valid."))
    except (RetornoError, DomainError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(rma)s") % {"rma": rma})
    return redirect("backoffice:pickups_desk")
