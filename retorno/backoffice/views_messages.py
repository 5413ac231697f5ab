"""The store's message log (agents, admins): every message sent or tried on every channel, with
its status and its words, filtered, and sent again on request."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.notifications import selectors, services
from retorno.notifications.models import MessageStatus

ANY: list[tuple[str, Any]] = [("", gettext_lazy("Any"))]


class LogFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("RMA, claim or recipient"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Message"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, table in (
            ("channel", "channel"),
            ("status", "message_status"),
            ("kind", "message_kind"),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = [*ANY, *labels.choices(table)]

    def filters(self) -> selectors.MessageLogFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.MessageLogFilters(
            channel=data.get("channel") or "",
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            q=data.get("q") or "",
        )


@require_GET
@staff_view(permissions.MESSAGES_VIEW)
def message_log(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    page = selectors.message_log_for_store(
        store=staff.store,
        filters=form.filters(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render_page(
        request,
        "backoffice/messages.html",
        {"form": form, "page": page, "filtered": any(vars(form.filters()).values())},
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
