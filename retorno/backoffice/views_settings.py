"""Store settings (admins): the return policy and the warehouse documents.

The policy page says in plain words what the version in force does, lets an admin edit the
document as JSON and publish it as a new version, lists every version (each viewable and
loadable as a draft), and has "Try it": the decision a draft gives an order of this store, the
same answer the API's policy preview gives. The warehouse page edits the inspection checklists
and the disposition rules the same way and lists the supplier terms.

Every page here needs the `configure` action. Writes go through retorno.policies.services and
retorno.warehouse.services; "Try it" writes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core import labels
from retorno.core.errors import NotFound, RetornoError, Unprocessable
from retorno.domain.errors import DomainError
from retorno.domain.policies import (
    PolicyDocumentError,
    complete_policy_document,
    default_policy_document,
    parse_policy,
)
from retorno.domain.warehouse import DispositionRule
from retorno.orders.selectors import order_find_by_typed
from retorno.policies import selectors as policy_selectors
from retorno.policies import services as policy_services
from retorno.policies.models import PolicyVersion
from retorno.returns.selectors import Eligibility, order_eligibility_for_store
from retorno.stores.models import Store
from retorno.warehouse import selectors as warehouse_selectors
from retorno.warehouse import services as warehouse_services
from retorno.warehouse.models import DocumentKind

MAX_DOCUMENT_CHARS = 200_000
MAX_TRY_ITEMS = 100
REASON_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

EMPTY_WAREHOUSE_DOCUMENTS: dict[str, dict[str, Any]] = {
    DocumentKind.CHECKLISTS: {"checklists": []},
    DocumentKind.DISPOSITION_RULES: {"rules": []},
}


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


# --- forms -------------------------------------------------------------------------------------


class SupplierForm(forms.Form):
    """One supplier's return terms, keyed by its code (the catalog's vendor field)."""

    code = forms.CharField(label=gettext_lazy("Code (vendor)"), max_length=120)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    terms_days = forms.IntegerField(label=gettext_lazy("Terms (days)"), min_value=0, max_value=3650)
    contact_email = forms.EmailField(label=gettext_lazy("Contact"), required=False)


class DocumentForm(forms.Form):
    """A JSON document typed in the editor, and the note published with it."""

    document = forms.CharField(strip=False)
    note = forms.CharField(required=False, max_length=500)

    def clean_document(self) -> dict[str, Any]:
        draft = self.cleaned_data["document"]
        if len(draft) > MAX_DOCUMENT_CHARS:
            raise forms.ValidationError(_("The document is too long."))
        try:
            document = json.loads(draft)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
                % {"error": error.msg, "line": error.lineno, "column": error.colno}
            ) from None
        if not isinstance(document, dict):
            raise forms.ValidationError(_("The document must be a JSON object."))
        return document

    def problems(self) -> list[FieldProblem]:
        """Form errors in the shape of document errors: the document's own have no path."""
        return [
            FieldProblem("" if name == "document" else name, str(message))
            for name, errors in self.errors.items()
            for message in errors
        ]


class TryOrderForm(forms.Form):
    """The order to decide, and optionally the request: items typed one per line as
    `line-id quantity reason` (quantity defaults to 1, reason to none)."""

    order = forms.CharField(
        max_length=120, error_messages={"required": gettext_lazy("Give the order's number.")}
    )
    items = forms.CharField(required=False, max_length=5000)
    resolution = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Not chosen")), *labels.choices("resolution")]
        self.fields["resolution"].choices = choices  # type: ignore[attr-defined]

    def clean_items(self) -> list[dict[str, Any]]:
        rows = [row.strip() for row in self.cleaned_data["items"].splitlines() if row.strip()]
        if len(rows) > MAX_TRY_ITEMS:
            raise forms.ValidationError(_("Try at most 100 items."))
        items = [_requested_item(number, row) for number, row in enumerate(rows, start=1)]
        seen = [item["line"] for item in items]
        if len(set(seen)) != len(seen):
            raise forms.ValidationError(_("Name each order line only once."))
        return items


def _requested_item(number: int, row: str) -> dict[str, Any]:
    parts = row.replace(",", " ").split()
    if len(parts) > 3:
        raise forms.ValidationError(
            _("Item %(number)s: write the line, then the quantity and the reason.")
            % {"number": number}
        )
    quantity_text = parts[1] if len(parts) > 1 else "1"
    reason = parts[2] if len(parts) > 2 else ""
    if not quantity_text.isdigit() or not 1 <= int(quantity_text) <= 100_000:
        raise forms.ValidationError(
            _("Item %(number)s: the quantity must be a whole number from 1 to 100000.")
            % {"number": number}
        )
    if reason and not REASON_PATTERN.match(reason):
        raise forms.ValidationError(
            _("Item %(number)s: the reason must be a code such as too_small.") % {"number": number}
        )
    return {"line": parts[0][:120], "quantity": int(quantity_text), "reason": reason}


# --- return policy -----------------------------------------------------------------------------


@require_GET
@staff_view(permissions.CONFIGURE)
def policy(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """The policy in force in the editor, or an older version when `?from=<version>`."""
    source = request.GET.get("from", "")
    if source:
        loaded = _policy_version(staff.store, source)
        return _policy_page(
            request, staff, draft=_pretty(loaded.document), loaded_from=loaded.version
        )
    current = policy_selectors.policy_version_current(store=staff.store)
    document = current.document if current is not None else default_policy_document()
    return _policy_page(request, staff, draft=_pretty(document))


@require_GET
@staff_view(permissions.CONFIGURE)
def policy_version(request: HttpRequest, staff: StaffContext, number: int) -> HttpResponse:
    shown = _policy_version(staff.store, str(number))
    current = policy_selectors.policy_version_current(store=staff.store)
    return render_page(
        request,
        "backoffice/settings_policy_version.html",
        {
            "shown": shown,
            "in_force": current is not None and current.pk == shown.pk,
            "summary": policy_summary(shown.document),
            "document": _pretty(shown.document),
        },
        staff=staff,
        section="settings",
    )


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.policy_published", audit_fields=("note",))
def policy_publish(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = DocumentForm(request.POST)
    problems = form.problems()
    if form.is_valid():
        try:
            published = policy_services.policy_publish(
                store=staff.store,
                document=form.cleaned_data["document"],
                actor=staff.actor,
                note=form.cleaned_data["note"].strip(),
            )
        except Unprocessable as error:
            problems = _problems_of(error)
        else:
            messages.success(
                request,
                _("Return policy version %(version)s published.") % {"version": published.version},
            )
            return redirect("backoffice:settings_policy")
    return _policy_page(
        request,
        staff,
        draft=request.POST.get("document", ""),
        note=request.POST.get("note", ""),
        problems=problems,
        status=422,
    )


@require_POST
@staff_view(permissions.CONFIGURE)
def policy_try(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """Decide an order of this store under the draft. Writes nothing."""
    form = DocumentForm(request.POST)
    try_form = TryOrderForm(request.POST)
    problems = form.problems()
    if form.is_valid():
        problems += _policy_problems(form.cleaned_data["document"])
    try_problems = [str(m) for errors in try_form.errors.values() for m in errors]
    result: Eligibility | None = None
    status = 422 if problems or try_problems else 200
    if status == 200:
        try:
            result = _decide_under_draft(staff, form.cleaned_data["document"], try_form)
        except NotFound:
            try_problems, status = [_("No order with this number in this store.")], 404
        except Unprocessable as error:
            problems, status = _problems_of(error), 422
        except DomainError as error:
            try_problems, status = [str(error)], 422
    return _policy_page(
        request,
        staff,
        draft=request.POST.get("document", ""),
        note=request.POST.get("note", ""),
        problems=problems,
        try_form=try_form,
        try_problems=try_problems,
        result=result,
        status=status,
    )


def _decide_under_draft(
    staff: StaffContext, document: dict[str, Any], try_form: TryOrderForm
) -> Eligibility:
    order_id = order_external_id(staff.store, try_form.cleaned_data["order"])
    return order_eligibility_for_store(
        store=staff.store,
        external_id=order_id,
        now=timezone.now(),
        policy_document=document,
        items=try_form.cleaned_data["items"] or None,
        resolution=try_form.cleaned_data["resolution"] or None,
    )


def _policy_page(
    request: HttpRequest,
    staff: StaffContext,
    *,
    draft: str,
    note: str = "",
    problems: list[FieldProblem] | None = None,
    try_form: TryOrderForm | None = None,
    try_problems: list[str] | None = None,
    result: Eligibility | None = None,
    loaded_from: int | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = policy_selectors.policy_version_list_for_store(store=staff.store)
    current = versions[0] if versions else None
    return render_page(
        request,
        "backoffice/settings_policy.html",
        {
            "current": current,
            "summary": policy_summary(current.document if current else default_policy_document()),
            "versions": versions,
            "draft": draft,
            "note": note[:500],
            "problems": problems or [],
            "try_form": try_form or TryOrderForm(),
            "try_problems": try_problems or [],
            "result": result,
            "decision": policy_decision_view(result) if result is not None else None,
            "loaded_from": loaded_from,
        },
        staff=staff,
        section="settings",
        status=status,
    )


def _policy_version(store: Store, number: str) -> PolicyVersion:
    """One of the store's policy versions; another store's or an unknown one is not found."""
    wanted = int(number) if number.isdigit() else -1
    for version in policy_selectors.policy_version_list_for_store(store=store):
        if version.version == wanted:
            return version
    raise NotFound("No such policy version in this store.", code="policy_version_not_found")


def order_external_id(store: Store, typed: str) -> str:
    """The store's order by its number (with or without "#") or its external id."""
    typed = typed.strip()
    if not typed.lstrip("#").strip():
        raise NotFound("No order number given.", code="order_not_found")
    found = order_find_by_typed(store=store, typed=typed)
    if found is None:
        raise NotFound(f"No order {typed!r} in this store.", code="order_not_found")
    return found.external_id


def _policy_problems(document: dict[str, Any]) -> list[FieldProblem]:
    try:
        parse_policy(document)
    except PolicyDocumentError as error:
        return [
            FieldProblem(e["field"], e["message"]) for e in policy_services.policy_errors(error)
        ]
    return []


def policy_decision_view(result: Eligibility) -> dict[str, Any]:
    """The decision in words, each line's decision next to the order line it is about."""
    decision = result.decision
    lines = {line.external_id: line for line in result.lines}
    return {
        "outcome_label": labels.label("outcome", decision.outcome.value),
        "keep_item_label": labels.label("keep_item", decision.keep_item.code),
        "lines": [
            {
                "decision": line_decision,
                "line": lines.get(line_decision.line_id),
                "resolutions": ", ".join(
                    labels.label("resolution", r) for r in line_decision.allowed_resolutions
                ),
                "refund_timing": labels.label("refund_timing", line_decision.refund_timing),
            }
            for line_decision in decision.lines
        ],
    }


def policy_summary(document: dict[str, Any]) -> dict[str, Any]:
    """The main settings of a policy's `base` in plain words, and the rules that change them."""
    base = complete_policy_document(document).get("base") or {}
    return {
        "window": _window_text(base),
        "exclusions": _exclusions_text(base),
        "resolutions": _resolutions_text(base),
        "fees": _fees_text(base),
        "review": _review_text(base),
        "refund_timing": _refund_timing_text(base),
        "keep_item": _keep_item_text(base),
        "instant_exchange": _instant_exchange_text(base),
        "rules": [r for r in document.get("rules") or [] if isinstance(r, dict)],
    }


def _refund_timing_text(base: dict[str, Any]) -> str:
    timing = str(base.get("refund_timing", ""))
    return _("Refunds are issued %(when)s.") % {"when": labels.label("refund_timing", timing)}


def _window_text(base: dict[str, Any]) -> str:
    if base.get("window_starts") == "order":
        return _("%(days)s days from the order date.") % {"days": base.get("window_days")}
    return _("%(days)s days from delivery.") % {"days": base.get("window_days")}


def _exclusions_text(base: dict[str, Any]) -> str:
    parts = []
    if not base.get("final_sale_returnable"):
        parts.append(_("final-sale items"))
    if base.get("excluded_categories"):
        parts.append(_("categories %(names)s") % {"names": ", ".join(base["excluded_categories"])})
    if base.get("excluded_tags"):
        parts.append(_("tags %(names)s") % {"names": ", ".join(base["excluded_tags"])})
    if base.get("max_discount_percent") is not None:
        parts.append(
            _("items discounted by more than %(percent)s %%")
            % {"percent": base["max_discount_percent"]}
        )
    return ", ".join(parts) if parts else _("Nothing is excluded.")


def _resolutions_text(base: dict[str, Any]) -> str:
    names = []
    for code in base.get("resolutions") or []:
        name = labels.label("resolution", code)
        if code == "store_credit" and Decimal(str(base.get("store_credit_bonus_percent", "0"))):
            name = _("%(name)s with a %(percent)s %% bonus") % {
                "name": name,
                "percent": base["store_credit_bonus_percent"],
            }
        names.append(name)
    return ", ".join(names)


def _fees_text(base: dict[str, Any]) -> str:
    shipping = str(base.get("return_shipping_fee", "0"))
    restocking = str(base.get("restocking_fee_percent", "0"))
    parts = [
        _("Return shipping %(amount)s per return.") % {"amount": shipping}
        if Decimal(shipping)
        else _("Return shipping is free.")
    ]
    if Decimal(restocking):
        parts.append(_("Restocking fee %(percent)s %% of each item.") % {"percent": restocking})
    else:
        parts.append(_("No restocking fee."))
    waived = base.get("fee_waived_reasons") or []
    if waived and (Decimal(shipping) or Decimal(restocking)):
        parts.append(
            _("No fees when returned as: %(reasons)s.")
            % {"reasons": ", ".join(labels.label("reason", r) for r in waived)}
        )
    return " ".join(parts)


def _review_text(base: dict[str, Any]) -> str:
    if base.get("always_review"):
        return _("Every return is checked by a person.")
    parts = []
    if base.get("review_above_amount") is not None:
        parts.append(
            _("Returns worth more than %(amount)s are checked by a person.")
            % {"amount": base["review_above_amount"]}
        )
    else:
        parts.append(_("No value threshold: returns are approved at once."))
    if base.get("review_reasons"):
        parts.append(
            _("Also checked when returned as: %(reasons)s.")
            % {"reasons": ", ".join(labels.label("reason", r) for r in base["review_reasons"])}
        )
    return " ".join(parts)


def _keep_item_text(base: dict[str, Any]) -> str:
    if not base.get("keep_item"):
        return _("Off: items always come back.")
    text = _(
        "On: the shopper keeps the items when bringing them back (%(cost)s) costs more than "
        "the store would recover (%(percent)s %% of their value)."
    ) % {
        "cost": base.get("return_shipping_cost"),
        "percent": base.get("keep_item_recovery_percent"),
    }
    if base.get("keep_item_max_value") is not None:
        text += " " + _("Never for items worth more than %(amount)s.") % {
            "amount": base["keep_item_max_value"]
        }
    return text


def _instant_exchange_text(base: dict[str, Any]) -> str:
    if not base.get("instant_exchange"):
        return _("Off: the new item ships once the old one is back.")
    return _(
        "On: the new item ships at approval; the old one must come back within %(days)s days."
    ) % {"days": base.get("instant_exchange_return_days")}


# --- warehouse documents -----------------------------------------------------------------------


@require_GET
@staff_view(permissions.CONFIGURE)
def warehouse(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    return _warehouse_page(request, staff)


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.warehouse_published", audit_fields=("note",))
def warehouse_publish(request: HttpRequest, staff: StaffContext, kind: str) -> HttpResponse:
    if kind not in labels.WAREHOUSE_DOCUMENT:
        raise NotFound("No such warehouse document.", code="document_not_found")
    form = DocumentForm(request.POST)
    problems = form.problems()
    if form.is_valid():
        try:
            published = warehouse_services.document_publish(
                store=staff.store,
                kind=kind,
                document=form.cleaned_data["document"],
                actor=staff.actor,
                note=form.cleaned_data["note"].strip(),
            )
        except Unprocessable as error:
            problems = _problems_of(error)
        else:
            messages.success(
                request,
                _("%(document)s version %(version)s published.")
                % {"document": labels.WAREHOUSE_DOCUMENT[kind], "version": published.version},
            )
            return redirect("backoffice:settings_warehouse")
    edited = {
        "kind": kind,
        "draft": request.POST.get("document", ""),
        "note": request.POST.get("note", "")[:500],
        "problems": problems,
    }
    return _warehouse_page(request, staff, edited=edited, status=422)


@require_POST
@staff_view(permissions.CONFIGURE, audit="settings.supplier_saved")
def supplier_save(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    form = SupplierForm(request.POST)
    if form.is_valid():
        try:
            supplier = warehouse_services.supplier_save(store=staff.store, **form.cleaned_data)
        except Unprocessable as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request,
                _("%(supplier)s: %(days)s days to send goods back.")
                % {"supplier": supplier.name or supplier.code, "days": supplier.terms_days},
            )
            return redirect("backoffice:settings_warehouse")
    return _warehouse_page(request, staff, supplier_form=form, status=422)


def _warehouse_page(
    request: HttpRequest,
    staff: StaffContext,
    *,
    edited: dict[str, Any] | None = None,
    supplier_form: SupplierForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """One section per document kind; the section just sent keeps its draft and problems."""
    sections = []
    for kind, title in labels.WAREHOUSE_DOCUMENT.items():
        current = warehouse_selectors.document_current(store=staff.store, kind=kind)
        document = current.document if current else EMPTY_WAREHOUSE_DOCUMENTS[kind]
        section: dict[str, Any] = {
            "kind": kind,
            "title": title,
            "current": current,
            "draft": _pretty(document),
        }
        section.update({"note": "", "problems": []})
        if edited is not None and edited["kind"] == kind:
            section.update(edited)
        sections.append(section)
    rules = warehouse_selectors.disposition_rules_current(store=staff.store).rules
    return render_page(
        request,
        "backoffice/settings_warehouse.html",
        {
            "sections": sections,
            "checklists": warehouse_selectors.checklists_current(store=staff.store).checklists,
            "disposition_rules": [_disposition_rule_row(rule) for rule in rules.rules],
            "recycle_below": rules.defaults.damaged_recycle_below,
            "suppliers": warehouse_selectors.suppliers_for_store(store=staff.store),
            "vendors_without_terms": warehouse_selectors.vendors_without_terms(store=staff.store),
            "supplier_form": supplier_form
            or SupplierForm(initial={"terms_days": warehouse_selectors.DEFAULT_RTV_TERMS_DAYS}),
            "default_terms_days": warehouse_selectors.DEFAULT_RTV_TERMS_DAYS,
            "currency": staff.store.currency,
        },
        staff=staff,
        section="settings",
        status=status,
    )


def _disposition_rule_row(rule: DispositionRule) -> dict[str, Any]:
    conditions = []
    if rule.grade_in is not None:
        grades = ", ".join(labels.label("grade", g) for g in sorted(rule.grade_in))
        conditions.append(_("grade %(names)s") % {"names": grades})
    if rule.reason_in is not None:
        reasons = ", ".join(labels.label("reason", r) for r in sorted(rule.reason_in))
        conditions.append(_("reason %(names)s") % {"names": reasons})
    if rule.category_in is not None:
        conditions.append(_("category %(names)s") % {"names": ", ".join(sorted(rule.category_in))})
    if rule.value_gte is not None:
        conditions.append(_("value ≥ %(amount)s") % {"amount": rule.value_gte})
    if rule.value_lte is not None:
        conditions.append(_("value ≤ %(amount)s") % {"amount": rule.value_lte})
    return {
        "rule": rule,
        "when": " · ".join(conditions),
        "disposition": labels.label("disposition", rule.disposition),
    }


# --- helpers -----------------------------------------------------------------------------------


def _pretty(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _problems_of(error: RetornoError) -> list[FieldProblem]:
    listed = error.extra.get("errors") or []
    problems = [FieldProblem(str(e.get("field", "")), str(e.get("message", ""))) for e in listed]
    return problems or [FieldProblem("", error.detail)]
