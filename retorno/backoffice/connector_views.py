"""What the connector pages (Shopify, WooCommerce, Stripe) do alike: the names of their URLs
for the shared template (`backoffice/_connector_page.html`), saving a connection from its form,
and running an action (check, backfill, process again, disconnect) that reports back as a
message and returns to the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from retorno.backoffice.access import StaffContext
from retorno.core.errors import RetornoError

Page = Callable[..., HttpResponse]


def urls(name: str, *, backfill: bool = False, retry: bool = False) -> dict[str, str]:
    """The URL names the shared template links to, from the page's (`backoffice:<name>`)."""
    found = {
        "page": f"backoffice:{name}",
        "check": f"backoffice:{name}_check",
        "disconnect": f"backoffice:{name}_disconnect",
    }
    if backfill:
        found["backfill"] = f"backoffice:{name}_backfill"
    if retry:
        found["retry"] = f"backoffice:{name}_receipt_retry"
    return found


def connect_from_form(
    request: HttpRequest,
    staff: StaffContext,
    form: forms.Form,
    *,
    connect: Callable[..., Any],
    page: Page,
    to: str,
    done: str,
) -> HttpResponse:
    """Connect with the form's values (`connect(store=…, **cleaned_data)`): back to the page
    `to` with `done` shown, or the page again (422) with the refusal on its field."""
    if form.is_valid():
        try:
            connect(store=staff.store, **form.cleaned_data)
        except RetornoError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.detail)
        else:
            messages.success(request, done)
            return redirect(to)
    return page(request, staff, form, status=422)


def act_and_return(
    request: HttpRequest,
    to: str,
    action: Callable[[], Any],
    *,
    anchor: str = "",
    done: Callable[[Any], tuple[bool, str]] | str | None = None,
) -> HttpResponse:
    """Run `action` and go back to the page `to` (at `anchor`): a refusal is shown as an error;
    `done` is what to show after (a text, or (ok, text) from the action's result)."""
    try:
        result = action()
    except RetornoError as error:
        messages.error(request, error.detail)
    else:
        if isinstance(done, str):
            messages.success(request, done)
        elif done is not None:
            ok, text = done(result)
            (messages.success if ok else messages.error)(request, text)
    return redirect(reverse(to) + (f"#{anchor}" if anchor else ""))
