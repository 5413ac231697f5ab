"""The store's message log (agents, admins): every message sent or tried on every channel, with
its status and its words, filtered, and sent again on request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.filter_forms import FilterForm, search_field
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.notifications import selectors, services
from retorno.notifications.models import MessageStatus


class LogFilterForm(FilterForm):
    q = search_field(gettext_lazy("RMA, claim or recipient"), 254)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Message"), required=False)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.offer("channel", labels.choices("channel"))
        self.offer("status", labels.choices("message_status"))
        self.offer("kind", labels.choices("message_kind"))

    def filters(self) -> selectors.MessageLogFilters:
        return selectors.MessageLogFilters(
            channel=self.value("channel"),
            status=self.value("status"),
            kind=self.value("kind"),
            q=self.value("q"),
        )


@require_GET
@staff_view(permissions.MESSAGES_VIEW)
def message_log(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = LogFilterForm(request.GET)
    page = selectors.message_log_for_store(
        store=staff.store,
        filters=form.filters(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render_page(
        request,
        "backoffice/messages.html",
        {"form": form, "page": page},
        staff=staff,
        section="messages",
    )


@require_GET
@staff_view(permissions.MESSAGES_VIEW)
def message_detail(request: HttpRequest, staff: StaffContext, message_id: int) -> HttpResponse:
    message = selectors.message_get_for_store(store=staff.store, message_id=message_id)
    return render_page(
        request,
        "backoffice/message_detail.html",
        {
            "message": message,
            "sent_again": message.dedupe_key.startswith("again:"),
            "can_send_again": (message.status != MessageStatus.QUEUED and bool(message.body_text))
            or message.status == MessageStatus.FAILED,
        },
        staff=staff,
        section="messages",
    )


@require_POST
@staff_view(permissions.MESSAGES_RESEND)
def message_send(request: HttpRequest, staff: StaffContext, message_id: int) -> HttpResponse:
    """Send a failed message again as it was, or a sent one once more as a new message."""
    message = selectors.message_get_for_store(store=staff.store, message_id=message_id)
    if message.status == MessageStatus.FAILED:
        again = services.message_resend(store=staff.store, message_id=message.id)
    else:
        again = services.message_send_again(store=staff.store, message_id=message.id)
    if again is None:
        messages.error(request, _("This message is still waiting to be sent: nothing was done."))
        return redirect("backoffice:message", message_id=message.id)
    messages.success(request, _("The message will be sent again in a moment."))
    return redirect("backoffice:message", message_id=again.id)
