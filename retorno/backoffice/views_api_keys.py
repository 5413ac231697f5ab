"""API keys in the store's settings (admins): create one with its scopes (the key is shown on
the page that answers, once) and revoke one. The same services as the API's /api-keys."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.accounts import selectors, services
from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.errors import RetornoError

SCOPE_CHOICES = [
    ("read", gettext_lazy("Read: returns, orders, refunds, exchanges")),
    ("write", gettext_lazy("Write: open and move returns, orders, refunds")),
    ("admin", gettext_lazy("Admin: policy, carriers, webhooks, API keys")),
    ("team", gettext_lazy("Team: invite, change roles, deactivate, reset passwords (as you)")),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )


def _page(
    request: HttpRequest,
    staff: StaffContext,
    form: ApiKeyForm,
    *,
    plain: str = "",
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/api_keys.html",
        {"keys": selectors.api_key_list_for_store(store=staff.store), "form": form, "plain": plain},
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(
    permissions.CONFIGURE, audit="settings.api_key_created", audit_fields=("name", "scopes")
)
def api_keys(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _created, plain = services.api_key_create(
                store=staff.store,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=staff.user,
            )
        except RetornoError as error:
            form.add_error(None, error.detail)
        else:
            return _page(request, staff, ApiKeyForm(), plain=plain, status=201)
    return _page(request, staff, form, status=422 if request.method == "POST" else 200)


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.api_key_revoked", audit_fields=())
def api_key_revoke(request: HttpRequest, staff: StaffContext, key_id: int) -> HttpResponse:
    revoked = services.api_key_revoke(store=staff.store, key_id=key_id)
    messages.success(
        request,
        _("The key %(name)s is revoked: it opens nothing any more.") % {"name": revoked.name},
    )
    return redirect("backoffice:api_keys")
