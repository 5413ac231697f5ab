"""The store's team (owners, admins, managers): invite by e-mail, change roles, deactivate and
reactivate, withdraw or resend invitations; the page an invitation's link opens; the audit log
of staff actions with its filters. Who may do what to whom: retorno.domain.staff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from retorno.accounts import selectors
from retorno.accounts.services import team
from retorno.backoffice import permissions
from retorno.backoffice.access import SESSION_KEY, StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.backoffice.staff_forms import (
    AcceptForm,
    AuditFilterForm,
    InviteForm,
    RoleForm,
    problem_text,
    role_choices,
)
from retorno.core.errors import RetornoError
from retorno.core.paging import COUNT_CAP
from retorno.domain import staff as rules


def _team_page(
    request: HttpRequest, staff: StaffContext, form: InviteForm, *, status: int = 200
) -> HttpResponse:
    found = selectors.team_for_store(store=staff.store)
    now = timezone.now()
    invites = [
        {
            "invite": i,
            "state": rules.invite_state(
                now=now, expires_at=i.expires_at, accepted_at=None, revoked_at=None
            ),
            "mine": rules.may_manage(staff.role, i.role),
        }
        for i in found.invites
    ]
    members = [
        {
            "m": m,
            "manageable": rules.may_manage(staff.role, m.role) and m.user_id != staff.user.pk,
        }
        for m in found.members
    ]
    return render_page(
        request,
        "backoffice/team.html",
        {
            "members": members,
            "invites": invites,
            "form": form,
            "roles": role_choices(staff.role),
        },
        staff=staff,
        section="team",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(permissions.TEAM_MANAGE)
def team_page(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    if request.method == "GET":
        return _team_page(
            request,
            staff,
            InviteForm(actor_role=staff.role, initial={"language": request.LANGUAGE_CODE}),
        )
    form = InviteForm(request.POST, actor_role=staff.role)
    if form.is_valid():
        try:
            sent = team.invite_send(
                store=staff.store, actor=staff.user, actor_role=staff.role, **form.cleaned_data
            )
        except RetornoError as error:
            form.add_error(None, problem_text(error.code, error.detail))
        else:
            _said_sent(request, sent)
            return redirect("backoffice:team")
    return _team_page(request, staff, form, status=422)


def _said_sent(request: HttpRequest, sent: team.Sent) -> None:
    if sent.delivered:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": sent.invite.email})
    else:
        messages.error(
            request,
            _(
                "The invitation to %(email)s is kept, but the e-mail could not be sent: send it again later."
            )
            % {"email": sent.invite.email},
        )


def _act(request: HttpRequest, done: str, call: Any) -> HttpResponse:
    try:
        call()
    except RetornoError as error:
        messages.error(request, problem_text(error.code, error.detail))
    else:
        messages.success(request, done)
    return redirect("backoffice:team")


@require_POST
@staff_view(permissions.TEAM_MANAGE)
def member_role(request: HttpRequest, staff: StaffContext, user_id: int) -> HttpResponse:
    form = RoleForm(request.POST, actor_role=staff.role)
    if not form.is_valid():
        messages.error(request, problem_text("role_not_yours", ""))
        return redirect("backoffice:team")
    return _act(
        request,
        _("Role changed."),
        lambda: team.role_change(
            store=staff.store,
            actor=staff.user,
            actor_role=staff.role,
            user_id=user_id,
            role=form.cleaned_data["role"],
        ),
    )


@require_POST
@staff_view(permissions.TEAM_MANAGE)
def member_deactivate(request: HttpRequest, staff: StaffContext, user_id: int) -> HttpResponse:
    return _act(
        request,
        _("Deactivated: their pages and API keys stopped working."),
        lambda: team.member_deactivate(
            store=staff.store, actor=staff.user, actor_role=staff.role, user_id=user_id
        ),
    )


@require_POST
@staff_view(permissions.TEAM_MANAGE)
def member_reactivate(request: HttpRequest, staff: StaffContext, user_id: int) -> HttpResponse:
    return _act(
        request,
        _("Reactivated: they can sign in again (their revoked API keys stay revoked)."),
        lambda: team.member_reactivate(
            store=staff.store, actor=staff.user, actor_role=staff.role, user_id=user_id
        ),
    )


@require_POST
@staff_view(permissions.TEAM_MANAGE)
def invite_revoke(request: HttpRequest, staff: StaffContext, invite_id: int) -> HttpResponse:
    return _act(
        request,
        _("Invitation withdrawn: its link no longer opens."),
        lambda: team.invite_revoke(
            store=staff.store, actor=staff.user, actor_role=staff.role, invite_id=invite_id
        ),
    )


@require_POST
@staff_view(permissions.TEAM_MANAGE)
def invite_resend(request: HttpRequest, staff: StaffContext, invite_id: int) -> HttpResponse:
    try:
        sent = team.invite_resend(
            store=staff.store, actor=staff.user, actor_role=staff.role, invite_id=invite_id
        )
    except RetornoError as error:
        messages.error(request, problem_text(error.code, error.detail))
    else:
        _said_sent(request, sent)
    return redirect("backoffice:team")


# --- accepting an invitation (no sign-in needed: the signed link is the key) ------------------


@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invite = team.invite_open(token)
    except RetornoError as error:
        return _accept_page(request, None, None, problem_text(error.code, error.detail), 404)
    signed_in = request.user if request.user.is_authenticated else None
    form = AcceptForm(request.POST if request.method == "POST" and signed_in is None else None)
    if request.method == "GET":
        return _accept_page(request, invite, form, "", 200)
    if signed_in is None and not form.is_valid():
        return _accept_page(request, invite, form, "", 422)
    data = form.cleaned_data if signed_in is None else {}
    try:
        membership = team.invite_accept(
            token=token,
            user=signed_in,
            username=data.get("username", ""),
            password=data.get("password1", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
    except RetornoError as error:
        if error.code == "weak_password":
            form.add_error("password1", error.detail)
            return _accept_page(request, invite, form, "", 422)
        return _accept_page(request, invite, form, problem_text(error.code, error.detail), 422)
    if signed_in is None:
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = membership.store_id
    messages.success(request, _("Welcome to %(store)s.") % {"store": membership.store.name})
    return redirect("backoffice:dashboard")


def _accept_page(
    request: HttpRequest, invite: Any, form: Any, problem: str, status: int
) -> HttpResponse:
    context = {
        "invite": invite,
        "form": form,
        "problem": problem,
        "signed_in": request.user if request.user.is_authenticated else None,
        "account_exists": invite is not None
        and not request.user.is_authenticated
        and team.existing_account(invite) is not None,
    }
    response = TemplateResponse(request, "backoffice/invite_accept.html", context, status=status)
    response.headers["Cache-Control"] = "no-store"
    # The link's token stays off other sites' logs ("no-referrer" would make the browser send
    # "Origin: null" with the form, which the CSRF check refuses).
    response.headers["Referrer-Policy"] = "same-origin"
    return response


# --- the audit log ------------------------------------------------------------------------------


@require_GET
@staff_view(permissions.AUDIT_VIEW)
def audit_log(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = AuditFilterForm(
        request.GET or None,
        people=selectors.audit_actors(store=staff.store),
        actions=selectors.audit_actions(store=staff.store),
    )
    filters = form.filters(staff.store.timezone) if request.GET else selectors.AuditFilters()
    page = selectors.audit_entries(
        store=staff.store,
        filters=filters,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render_page(
        request,
        "backoffice/audit.html",
        {
            "form": form,
            "page": page,
            "filtered": filters != selectors.AuditFilters(),
            "count_cap": COUNT_CAP,
        },
        staff=staff,
        section="audit",
    )
