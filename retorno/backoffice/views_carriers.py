"""Carriers and allocation rules (store admins): the store's carrier accounts with their measured
pickup performance and an enable/disable switch, the allocation rules in force as an editable
JSON document published as a new version, and "Try it": the ranking a draft document gives a
sample parcel, with the reason every carrier was kept or dropped.

Every page here needs the `configure` action. Writes go through logistics.services.accounts;
"Try it" writes nothing: it compiles the draft and calls the pure `allocate`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.errors import RetornoError, Unprocessable
from retorno.core.labels import label, worded
from retorno.core.templatetags.labels import money as money_text
from retorno.domain.days import local_day
from retorno.domain.documents import FieldError
from retorno.domain.errors import DomainError
from retorno.domain.logistics import (
    Allocation,
    AllocationRequest,
    AllocationRulesDocumentError,
    CarrierVerdict,
    ReturnMethod,
    allocate,
    parse_allocation_rules,
)
from retorno.logistics import selectors
from retorno.logistics.models import CarrierAccount, CarrierKind
from retorno.logistics.services import accounts as carrier_accounts

MAX_DOCUMENT_CHARS = 200_000
EMPTY_DOCUMENT: dict[str, Any] = {"schema": 1, "rules": []}
TRY_FIELDS = ("country", "postal_code", "weight_grams", "value", "category", "tier", "method")
METHODS = [str(m) for m in ReturnMethod]


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


# --- pages -----------------------------------------------------------------------------------


@require_GET
@staff_view(permissions.CONFIGURE)
def carriers(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    current = selectors.allocation_rules_current(staff.store)
    document = current.document if current is not None else EMPTY_DOCUMENT
    return _page(request, staff, draft=json.dumps(document, indent=2, ensure_ascii=False))


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.carrier_switched")
def carrier_enabled(request: HttpRequest, staff: StaffContext, code: str) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    account = carrier_accounts.carrier_account_set_enabled(
        store=staff.store, code=code, enabled=enabled, actor=staff.actor
    )
    if enabled:
        messages.success(request, _("%(name)s is enabled.") % {"name": account.name})
    else:
        messages.success(request, _("%(name)s is disabled.") % {"name": account.name})
    return redirect("backoffice:carriers")


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.carrier_rules_published", audit_fields=("note",))
def rules_publish(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    draft = request.POST.get("document", "")
    note = request.POST.get("note", "").strip()[:500]
    document, problems = _read_document(draft)
    if document is not None and not (problems := _compiled(staff, document)[1]):
        try:
            published = carrier_accounts.allocation_rules_publish(
                store=staff.store, document=document, actor=staff.actor, note=note
            )
        except Unprocessable as error:
            problems = _problems_of(error)
        else:
            messages.success(
                request,
                _("Allocation rules version %(version)s published.")
                % {"version": published.version},
            )
            return redirect("backoffice:carriers")
    return _page(request, staff, draft=draft, note=note, problems=problems, status=422)


@require_POST
@staff_view(permissions.CONFIGURE)
def rules_try(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    draft = request.POST.get("document", "")
    note = request.POST.get("note", "").strip()[:500]
    facts = {name: request.POST.get(name, "").strip()[:200] for name in TRY_FIELDS}
    document, problems = _read_document(draft)
    allocation: Allocation | None = None
    unusable: list[CarrierAccount] = []
    try_problems: list[str] = []
    if document is not None:
        rules, problems = _compiled(staff, document)
        if rules is not None:
            try:
                allocation, unusable = allocate_sample(staff, rules, facts)
            except BadFacts as error:
                try_problems = error.messages
    status = 422 if problems or try_problems else 200
    return _page(
        request,
        staff,
        draft=draft,
        note=note,
        problems=problems,
        facts=facts,
        allocation=allocation,
        unusable=unusable,
        try_problems=try_problems,
        status=status,
    )


# --- helpers ---------------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    staff: StaffContext,
    *,
    draft: str,
    note: str = "",
    problems: list[FieldProblem] | None = None,
    facts: dict[str, str] | None = None,
    allocation: Allocation | None = None,
    unusable: list[CarrierAccount] | None = None,
    try_problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    accounts = list(selectors.carrier_accounts_for_store(staff.store))
    stats = selectors.carrier_stats_for_store(staff.store)
    verdicts = verdict_rows(allocation, accounts) if allocation is not None else []
    return render_page(
        request,
        "backoffice/carriers.html",
        {
            "rows": [_row(a, stats.get(a.code)) for a in accounts],
            "current": selectors.allocation_rules_current(staff.store),
            "draft": draft,
            "note": note,
            "problems": problems or [],
            "facts": facts or default_facts(staff),
            "methods": METHODS,
            "allocation": allocation,
            "verdicts": verdicts,
            "unusable": unusable or [],
            "try_problems": try_problems or [],
            "currency": staff.store.currency,
            "kinds": CarrierKind.choices,
        },
        staff=staff,
        section="carriers",
        status=status,
    )


def _row(account: CarrierAccount, stats: Any) -> dict[str, Any]:
    return {
        "account": account,
        "areas": _areas_summary(account.service_areas or []),
        "rates": _rates_summary(account.rates or {}),
        "first_attempts": stats.first_attempts if stats is not None else 0,
        "success_rate": _percent(stats.first_attempt_success_rate if stats else None),
        "recovery_rate": _percent(stats.recovery_rate if stats else None),
    }


def _areas_summary(areas: list[Any]) -> str:
    parts = []
    for area in areas:
        if not isinstance(area, dict):
            continue
        country = str(area.get("country", ""))
        limits = [str(p) + "…" for p in area.get("postal_prefixes") or ()]
        limits += [f"{low}–{high}" for low, high in area.get("postal_ranges") or ()]
        parts.append(f"{country} ({', '.join(limits)})" if limits else country)
    return "; ".join(parts)


def _rates_summary(rates: dict[str, Any]) -> str:
    parts = []
    for currency, rate in sorted(rates.items()):
        if not isinstance(rate, dict):
            continue
        base = money_text(rate.get("base_amount", "0"), currency)
        per_kg = money_text(rate.get("per_kg_amount", "0"), currency)
        parts.append(_("%(base)s + %(per_kg)s/kg") % {"base": base, "per_kg": per_kg})
    return "; ".join(parts)


def _percent(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'))} %"


def default_facts(staff: StaffContext) -> dict[str, str]:
    address = staff.store.return_address or {}
    return {
        "country": str(address.get("country", "")),
        "postal_code": "",
        "weight_grams": "1000",
        "value": "50.00",
        "category": "",
        "tier": "",
        "method": str(ReturnMethod.PICKUP),
    }


def _read_document(draft: str) -> tuple[dict[str, Any] | None, list[FieldProblem]]:
    """The draft as a JSON object, or the problems that make it unreadable."""
    if len(draft) > MAX_DOCUMENT_CHARS:
        return None, [FieldProblem("", _("The document is too long."))]
    try:
        document = json.loads(draft)
    except json.JSONDecodeError as error:
        message = _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).") % {
            "error": error.msg,
            "line": error.lineno,
            "column": error.colno,
        }
        return None, [FieldProblem("", message)]
    if not isinstance(document, dict):
        return None, [FieldProblem("", _("The document must be a JSON object."))]
    return document, []


def _compiled(staff: StaffContext, document: dict[str, Any]) -> tuple[Any, list[FieldProblem]]:
    """The draft's rules compiled against the store's carriers, or the engine's objections in
    the page's language (the service checks again when it publishes)."""
    known = selectors.carrier_accounts_for_store(staff.store).values_list("code", flat=True)
    try:
        return parse_allocation_rules(document, known_carrier_codes=list(known)), []
    except AllocationRulesDocumentError as error:
        return None, [FieldProblem(e.field, problem_text(e)) for e in error.errors]


def _problems_of(error: RetornoError) -> list[FieldProblem]:
    listed = error.extra.get("errors") or []
    problems = [FieldProblem(str(e.get("field", "")), str(e.get("message", ""))) for e in listed]
    return problems or [FieldProblem("", error.detail)]


# Params of the engine's reasons that are numbers, written as the page's language writes them.
_NUMBER_PARAMS = frozenset({"limit_kg", "weight_kg", "percent", "score"})


def verdict_rows(allocation: Allocation, accounts: list[CarrierAccount]) -> list[dict[str, Any]]:
    """The rows of "Try it": the kept carriers in the order they would be tried (by rank), then
    the dropped ones in the carriers' order, each with its reason in the page's language."""
    names = {a.code: a.name for a in accounts}
    ranked = sorted(allocation.verdicts, key=lambda v: (v.rank is None, v.rank or 0))
    return [
        {
            "verdict": v,
            "name": names.get(v.carrier_code, v.carrier_code),
            "reason": verdict_reason(v, allocation.currency),
        }
        for v in ranked
    ]


def verdict_reason(verdict: CarrierVerdict, currency: str) -> str:
    """Why the engine kept or dropped a carrier, worded by the label table."""
    params = dict(verdict.params)
    if "price" in params:
        params["price"] = money_text(params["price"], params.get("currency", currency))
    if "method" in params:
        params["method"] = label("capability", params["method"])
    for name in _NUMBER_PARAMS & params.keys():
        params[name] = formats.number_format(params[name])
    return worded("allocation_reason", verdict.reason, params.items(), verdict.message)


def problem_text(error: FieldError) -> str:
    """A problem the engine found in the rules, worded by the label table (the engine's
    English for one it has no words for)."""
    return worded("rules_problem", error.code, error.params, error.message)


class BadFacts(Exception):
    def __init__(self, messages_: list[str]) -> None:
        super().__init__("; ".join(messages_))
        self.messages = messages_


def allocate_sample(
    staff: StaffContext, rules: Any, facts: dict[str, str]
) -> tuple[Allocation, list[CarrierAccount]]:
    """Allocate the sample parcel among the store's carriers under the draft rules, the way
    shipment planning does (same profiles, stats, capacity and default parcel size)."""
    bad = []
    try:
        weight = int(facts["weight_grams"])
    except ValueError:
        weight = 0
    if weight <= 0:
        bad.append(_("Weight must be a whole number of grams above zero."))
    try:
        value = Decimal(facts["value"] or "0")
        if not value.is_finite() or value < 0:
            raise InvalidOperation
    except InvalidOperation:
        value = Decimal("0")
        bad.append(_("Value must be a number, like 50.00."))
    if len(facts["country"]) != 2 or not facts["country"].isalpha():
        bad.append(_("Country must be a two-letter code, like ES."))
    if facts["method"] not in METHODS:
        bad.append(_("Choose a return method."))
    if bad:
        raise BadFacts(bad)
    store = staff.store
    now = timezone.now()
    profiles, unusable = selectors.carrier_profiles_for_store(store, now=now)
    dimensions = selectors.default_parcel_dimensions_for(store)
    try:
        parcel = AllocationRequest(
            country=facts["country"].upper(),
            postal_code=facts["postal_code"],
            weight_grams=weight,
            dimensions_cm=dimensions,
            declared_value=value,
            currency=store.currency,
            category=facts["category"],
            customer_tier=facts["tier"],
            method=ReturnMethod(facts["method"]),
        )
        allocation = allocate(
            profiles,
            rules,
            parcel,
            capacity_used_today=selectors.pickups_booked_on(store, local_day(now, store.timezone)),
        )
    except DomainError as error:
        raise BadFacts([str(error)]) from None
    return allocation, unusable
