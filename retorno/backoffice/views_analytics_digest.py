"""The weekly digest in the staff analytics: a preview of the e-mail the store's admins and
analysts get on its Monday (any past week), who gets it, and each staff member's choice to get
it or not. The digest itself is retorno.analytics.digest."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from retorno.analytics import digest
from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.backoffice.views_analytics import TABS
from retorno.domain.analytics.digest import DigestWeek, last_full_week
from retorno.domain.days import local_day

WEEKS_OFFERED = 8


def _week(text: str, latest: DigestWeek) -> tuple[DigestWeek, str]:
    """The week asked for (its Monday, YYYY-MM-DD), or the latest with the reason why not."""
    if not text:
        return latest, ""
    try:
        week = DigestWeek(date.fromisoformat(text[:10]))
    except ValueError:
        return latest, _("Choose a week from the list: it starts on a Monday.")
    if week.start > latest.start:
        return latest, _("That week has not ended yet.")
    return week, ""


@require_GET
@staff_view(permissions.ANALYTICS_VIEW)
def digest_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    now = timezone.now()
    latest = last_full_week(local_day(now, staff.store.timezone))
    week, error = _week(request.GET.get("week", ""), latest)
    figures = digest.weekly_digest(store=staff.store, week=week, now=now)
    language = translation.get_language() or "en"
    subject, _text, _html = digest.digest_email(figures, language)
    run = digest.last_run(store=staff.store)
    return render_page(
        request,
        "backoffice/analytics_digest.html",
        {
            "tab": "backoffice:analytics_digest",
            "tabs": TABS,
            "week": week,
            "weeks": [
                DigestWeek(latest.start - timedelta(days=7 * n)) for n in range(WEEKS_OFFERED)
            ],
            "error": error,
            "subject": subject,
            "body": digest.digest_context(figures, language),
            "recipients": digest.digest_recipients(store=staff.store),
            "subscribed": digest.digest_subscribed(store=staff.store, user_id=staff.user.pk),
            "last_run": run,
        },
        staff=staff,
        section="analytics",
    )


@require_POST
@staff_view(permissions.ANALYTICS_VIEW)
def digest_subscription(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """The signed-in staff member's own choice: receive the weekly digest or not."""
    receive = request.POST.get("receive") == "yes"
    digest.digest_subscription_set(
        store=staff.store, user_id=staff.user.pk, receive=receive, now=timezone.now()
    )
    messages.success(
        request,
        _("You will receive the weekly digest.")
        if receive
        else _("You will no longer receive the weekly digest."),
    )
    return redirect(reverse("backoffice:analytics_digest"))
