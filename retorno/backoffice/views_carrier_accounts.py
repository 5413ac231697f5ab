"""Adding and editing a carrier account (store admins): the form of `carrier_forms`, saved by
`retorno.logistics.services.accounts.carrier_account_save`, which checks the account as the API's
PUT /carriers/{code} does. Secrets are write-only (see carrier_forms)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.carrier_forms import CarrierAccountForm
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.errors import NotFound, RetornoError
from retorno.logistics import selectors
from retorno.logistics.models import CarrierAccount, CarrierKind
from retorno.logistics.services import accounts as carrier_accounts


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.carrier_added")
def carrier_new(request: HttpRequest, staff: StaffContext, kind: str) -> HttpResponse:
    if selectors.carrier_kind_keys(kind) is None:
        raise NotFound("No such carrier kind.", code="carrier_kind_not_found")
    form = CarrierAccountForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        currency=staff.store.currency,
    )
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            selectors.carrier_account_get_for_store(store=staff.store, code=code)
        except NotFound:
            return _save(request, staff, form, code)
        form.add_error("code", _("This store already has a carrier with this code."))
    return _page(request, staff, form, status=422 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE, audit="settings.carrier_edited")
def carrier_edit(request: HttpRequest, staff: StaffContext, code: str) -> HttpResponse:
    account = selectors.carrier_account_get_for_store(store=staff.store, code=code)
    form = CarrierAccountForm(
        request.POST if request.method == "POST" else None,
        kind=account.kind,
        currency=staff.store.currency,
        account=account,
    )
    if request.method == "POST" and form.is_valid():
        return _save(request, staff, form, account.code)
    return _page(request, staff, form, status=422 if request.method == "POST" else 200)


def _save(
    request: HttpRequest, staff: StaffContext, form: CarrierAccountForm, code: str
) -> HttpResponse:
    had_secrets = bool(form.account is not None and form.account.credentials_encrypted)
    try:
        account, created = carrier_accounts.carrier_account_save(
            store=staff.store,
            code=code,
            data=form.account_data(),
            credentials=form.credentials(),
            actor=staff.actor,
        )
    except RetornoError as error:
        form.add_error(None, error.detail)
        return _page(request, staff, form, status=422)
    if created:
        messages.success(request, _("%(name)s is added.") % {"name": account.name})
    else:
        messages.success(request, _("%(name)s is saved.") % {"name": account.name})
    if had_secrets and not account.credentials_encrypted and form.credentials() is None:
        # The service drops secrets that would be sent to a new address.
        messages.error(
            request,
            _(
                "%(name)s now calls another address, so its stored secrets were removed: give "
                "them again."
            )
            % {"name": account.name},
        )
    return redirect("backoffice:carriers")


def _page(
    request: HttpRequest, staff: StaffContext, form: CarrierAccountForm, *, status: int
) -> HttpResponse:
    account: CarrierAccount | None = form.account
    return render_page(
        request,
        "backoffice/carrier_form.html",
        {
            "form": form,
            "account": account,
            "kind_label": CarrierKind(form.kind).label,
            "currency": staff.store.currency,
        },
        staff=staff,
        section="carriers",
        status=status,
    )
