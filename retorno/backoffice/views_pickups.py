"""The failed-pickup desk: parcels that did not leave, handed to agents: failed pickups (after
the store's number of failures) and bookings no carrier took (at once), each with why,
filterable by carrier, reason and age. An agent tries the booking again, books a pickup,
switches to drop-off or to a label, or cancels; the choice is booked at once."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.core.errors import RetornoError
from retorno.domain.errors import DomainError
from retorno.logistics import selectors
from retorno.logistics.models import BookingProblem, PickupRecovery
from retorno.logistics.services.recoveries import FAILURE_REASONS
from retorno.returns.workflows import recovery

AGES = {"": None, "1": 1, "3": 3, "7": 7}


@staff_view(permissions.VIEW)
def desk(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    carrier = request.GET.get("carrier", "")[:64]
    reason = request.GET.get("reason", "")
    reason = reason if reason in FAILURE_REASONS else ""
    age = AGES.get(request.GET.get("age", ""))
    everything = request.GET.get("all") == "1"
    carriers = list(selectors.carrier_accounts_for_store(staff.store))
    names = {account.code: account.name for account in carriers}
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
            "cases": [(case, _why(case, names)) for case in cases],
            "carriers": carriers,
            "reasons": FAILURE_REASONS,
            "ages": [(value, days) for value, days in AGES.items() if days],
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


def _why(case: PickupRecovery, names: dict[str, str]) -> list[str]:
    """Why the parcel is at the desk, for the agent: each carrier's answer to the booking, each
    carrier's verdict when none could take it, or the failed pickups so far."""
    shipment = case.shipment
    if case.reason == BookingProblem.BOOKING_FAILED:
        last: dict[str, tuple[str, str, int]] = {}
        for attempt in shipment.booking_log or []:
            code = str(attempt.get("carrier", ""))
            if attempt.get("outcome") == "booked":
                continue
            tries = last.get(code, ("", "", 0))[2] + 1
            last[code] = (str(attempt.get("outcome", "")), str(attempt.get("message", "")), tries)
        return [
            _carrier_line(names.get(code, code), labels.label("booking_try", outcome), message)
            + (" " + ngettext("(%(n)d try)", "(%(n)d tries)", tries) % {"n": tries})
            for code, (outcome, message, tries) in last.items()
        ]
    if case.reason == BookingProblem.NO_CARRIER:
        verdicts = (shipment.allocation or {}).get("verdicts") or []
        return [
            _carrier_line(
                names.get(str(v.get("carrier")), str(v.get("carrier"))),
                labels.label("allocation_verdict", str(v.get("code", ""))),
                "",
            )
            for v in verdicts
        ] or [_("The store has no carrier that could take it.")]
    return [
        ngettext(
            "%(n)d failed pickup: %(reason)s",
            "%(n)d failed pickups, the last: %(reason)s",
            case.failures,
        )
        % {"n": case.failures, "reason": labels.label("desk_reason", case.reason)}
    ]


def _carrier_line(carrier: str, verdict: str, message: str) -> str:
    line = _("%(carrier)s: %(verdict)s") % {"carrier": carrier, "verdict": verdict}
    return f"{line} ({message})" if message else line


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
