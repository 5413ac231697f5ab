"""Shopper pages: the returns portal per store (/s/<slug>/), from the order lookup to the
return made. The tracking page is views_tracking, claims views_claims, a failed pickup's
choices views_recovery.

Thin views: parse the form, call one selector or service, render. The steps of a return live
in the session draft (portal/wizard.py) until the confirm button creates the return.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from retorno.analytics import sizing
from retorno.core import labels
from retorno.core.clientip import client_address
from retorno.core.errors import NotFound, RetornoError
from retorno.core.money_timing import when_money_arrives
from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.money.timing import RefundTiming
from retorno.domain.policies import default_policy_document
from retorno.domain.returns.amounts import line_paid_total, paid_per_unit
from retorno.domain.returns.offers import offer_order
from retorno.orders.models import Order
from retorno.orders.selectors import line_pictures, variants_by_id
from retorno.orders.selectors.links import order_from_return_token
from retorno.policies.selectors import policy_version_current
from retorno.portal import display, ratelimit, tracking, wizard
from retorno.portal.exchange_picker import picker_for_line
from retorno.portal.exchanges import exchange_view, instant_terms
from retorno.portal.forms import (
    AddressForm,
    ItemForm,
    LookupForm,
    ResolutionForm,
)
from retorno.portal.methods import locations_for, method_cards, methods_offered
from retorno.portal.next_step import next_step
from retorno.portal.pages import (
    NOT_COLLECTED,
    not_found,
    page,
    pickup_dates,
    restart,
    store_or_404,
)
from retorno.portal.photos import PhotoError, check_submission, store_photos
from retorno.portal.shop_now import shop_summary
from retorno.portal.wizard import draft_of, draft_save, order_for_draft
from retorno.returns import selectors
from retorno.returns.selectors.exchange_quotes import exchange_quote_for_request
from retorno.returns.selectors.links import tracking_url
from retorno.returns.workflows import parcels
from retorno.stores.models import Store
from retorno.stores.selectors import store_slugs_first

# --- the store's front page: policy and order lookup ---------------------------------------------


@require_http_methods(["GET", "POST"])
def store_home(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    form = LookupForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip().lstrip("#").strip().upper()
        address = client_address(request)
        # Wrong tries count per order *and* address: one address guessing at an order is
        # stopped without locking the order's real shopper out from theirs.
        attempt = ratelimit.LOOKUP.begin(
            subject=f"{store.id}:{number}:{address}", address=address, now=timezone.now()
        )
        if attempt.blocked_minutes is not None:
            context = {"minutes": attempt.blocked_minutes}
            return page(request, "portal/too_many.html", context, store=store, status=429)
        order = selectors.order_find_for_shopper(
            store=store,
            number=form.cleaned_data["number"],
            email=form.cleaned_data["email"],
        )
        if order is not None:
            ratelimit.LOOKUP.succeeded(attempt)
            request.session.cycle_key()  # a new session id once the shopper proves who they are
            draft_save(request, store, {"order": order.external_id})
            return redirect("portal:order", slug=store.slug)
        error = _(
            "We could not find an order with these details. Check the order number and the "
            "email address and try again."
        )
    status = 200 if not error else 404
    return page(
        request,
        "portal/home.html",
        {"form": form, "error": error, "policy": _policy(store)},
        store=store,
        status=status,
    )


@require_http_methods(["GET"])
def order_link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The signed link of the order e-mail (retorno.orders.selectors.links): it proves what the e-mail
    would, so it opens the order as a lookup does. One that does not verify shows the lookup
    form, saying so, and counts as nothing."""
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    order = order_from_return_token(store=store, token=token)
    if order is not None:
        request.session.cycle_key()
        draft_save(request, store, {"order": order.external_id})
        return redirect("portal:order", slug=store.slug)
    error = _(
        "This link no longer opens an order. Enter the order number and the email address "
        "from your order confirmation."
    )
    context = {"form": LookupForm(), "error": error, "policy": _policy(store)}
    return page(request, "portal/home.html", context, store=store, status=404)


def _policy(store: Store) -> dict[str, Any]:
    current = policy_version_current(store=store)
    document = current.document if current is not None else default_policy_document()
    return display.policy_page(document, store.currency)


def policy_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    return page(request, "portal/policy.html", {"policy": _policy(store)}, store=store)


# --- step 1: the order's items --------------------------------------------------------------------


def _line_rows(store: Store, order: Order, draft: dict[str, Any], data: Any, files: Any):
    eligibility = selectors.order_eligibility_for_store(
        store=store, external_id=order.external_id, now=timezone.now(), order=order
    )
    decisions = {d.line_id: d for d in eligibility.decision.lines}
    chosen = {item["line"]: item for item in draft.get("items", [])}
    pictures = line_pictures(order_id=order.id)
    rows = []
    for line in eligibility.lines:  # read with the decision, in the order's order
        decision = decisions.get(line.external_id)
        returnable = decision.returnable_quantity if decision else 0
        paid_total = quantize(
            line_paid_total(line.unit_price, line.quantity, line.discount_total, line.tax_amount),
            order.currency,
        )
        row: dict[str, Any] = {
            "line": line,
            "picture": pictures.get(line.id, ""),
            # What the shopper paid, tax and discounts included: what a refund gives back.
            "paid_total": paid_total,
            "order_discount": quantize(line.order_discount_amount, order.currency),
            "paid_unit": paid_per_unit(
                paid_total=paid_total, quantity=line.quantity, currency=order.currency
            ),
            "options": display.options_text(line.options),
            "returnable": returnable,
            "why_not": display.reasons_text(decision.reasons) if decision else [],
            "window_ends_at": decision.window_ends_at if decision else None,
            "form": None,
        }
        if returnable > 0:
            before = chosen.get(line.external_id)
            initial = (
                {
                    "selected": True,
                    "quantity": before["quantity"],
                    "reason": before["reason"],
                    "comment": before.get("comment", ""),
                }
                if before
                else {"quantity": 1}
            )
            row["form"] = ItemForm(
                data,
                files,
                prefix=f"l{line.id}",
                returnable=returnable,
                has_photos=bool(before and before.get("photos")),
                photo_reasons=frozenset(decision.photo_required_reasons)
                if decision
                else frozenset(),
                initial=initial,
            )
            row["photos_kept"] = len(before.get("photos", [])) if before else 0
            row["photo_reasons"] = (
                [display.reason_label(code) for code in sorted(decision.photo_required_reasons)]
                if decision
                else []
            )
        rows.append(row)
    return eligibility, rows


@require_http_methods(["GET", "POST"])
def order_items(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    draft = draft_of(request, store)
    order = order_for_draft(store, draft)
    if order is None:
        return restart(store)
    post = request.method == "POST"
    errors: list[str] = []
    if post:
        try:
            check_submission(request.FILES)
        except PhotoError as exc:
            errors.append(str(exc))  # shown above the items; no photo is decoded
    files = request.FILES if post and not errors else None
    _eligibility, rows = _line_rows(store, order, draft, request.POST if post else None, files)
    if post and not errors:
        forms = [row for row in rows if row["form"] is not None]
        valid = all(row["form"].is_valid() for row in forms)
        picked = [
            row for row in forms if row["form"].is_valid() and row["form"].cleaned_data["selected"]
        ]
        if valid and not picked:
            errors.append(_("Choose at least one item to return."))
        if valid and picked:
            items = [
                {
                    "line": row["line"].external_id,
                    "quantity": row["form"].cleaned_data["quantity"],
                    "reason": row["form"].cleaned_data["reason"],
                }
                for row in picked
            ]
            quote = selectors.return_quote_for_store(
                store=store,
                external_id=order.external_id,
                items=items,
                resolution=None,
                now=timezone.now(),
            )
            blocked = [d for d in quote.decision.lines if d.reasons]
            if blocked:
                for decision in blocked:
                    errors.extend(display.reasons_text(decision.reasons))
            else:
                kept = {i["line"]: i.get("photos", []) for i in draft.get("items", [])}
                for item, row in zip(items, picked, strict=True):
                    new_photos = row["form"].cleaned_data["photos"]
                    item["comment"] = row["form"].cleaned_data["comment"]
                    item["photos"] = (
                        store_photos(store.id, new_photos)
                        if new_photos
                        else kept.get(item["line"], [])
                    )
                draft = {"order": order.external_id, "items": items}
                draft_save(request, store, draft)
                return redirect("portal:resolution", slug=store.slug)
        if not valid:
            errors.append(_("Please correct the items marked below."))
    return page(
        request,
        "portal/order.html",
        {"order": order, "rows": rows, "errors": errors, "step": 1},
        store=store,
        status=422 if errors else 200,
    )


# --- step 2: resolution and return method ---------------------------------------------------------


def _exchange_pickers(store: Store, order: Order, items: list[dict[str, Any]]):
    """One picker per returned line, or None when a line has no variant in stock to swap to."""
    lines = {
        line.external_id: line
        for line in order.lines.select_related("variant__product").filter(
            external_id__in=[i["line"] for i in items]
        )
    }
    pickers = []
    for item in items:
        line = lines[item["line"]]
        options = selectors.exchange_options_for_line(store=store, line=line, reason=item["reason"])
        options = sizing.options_with_kept_size(
            store=store, line=line, options=options, now=timezone.now()
        )
        if not options.variants:
            return None  # an item without an alternative in stock cannot be exchanged
        pickers.append(picker_for_line(line, options, item["reason"], order.currency))
    return pickers


def _money_hints(quotes: dict[str, Any]) -> list[str]:
    """When each resolution on offer pays, as every page says it (and the store credit bonus)."""
    hints = []
    for resolution, quote in quotes.items():  # in the order they are offered
        if resolution not in ("refund", "store_credit"):
            continue
        if resolution == "store_credit" and quote.store_credit_bonus_percent:
            hints.append(
                _("Store credit adds a %(percent)s bonus.")
                % {"percent": display.percent(quote.store_credit_bonus_percent)}
            )
        hints.append(when_money_arrives(resolution, quote.refund_timing))
    return hints


def _quotes(store: Store, order: Order, items: list[dict[str, Any]]) -> dict[str, Any]:
    request_items = [{k: i[k] for k in ("line", "quantity", "reason")} for i in items]
    every = selectors.return_quotes_for_store(
        store=store,
        external_id=order.external_id,
        items=request_items,
        resolutions=["exchange", "store_credit", "refund"],
        now=timezone.now(),
        order=order,
    )
    quotes = {
        str(name): quote
        for name, quote in every.items()
        if not any(d.reasons for d in quote.decision.lines)
    }
    if not quotes:
        return quotes
    # As the store's policy orders them (every line is decided by the same policy version).
    policy_order = next(iter(quotes.values())).decision.lines[0].allowed_resolutions
    return {name: quotes[name] for name in offer_order(quotes, policy_order)}


def _resolution_choices(quotes: dict[str, Any], exchange_ok: bool, currency: str):
    choices = []
    for resolution, quote in quotes.items():
        if resolution == "exchange" and not exchange_ok:
            continue
        name = labels.shopper_label("resolution", resolution)
        if resolution == "refund":
            text = _("%(name)s: %(amount)s") % {
                "name": name,
                "amount": display.money(quote.refund_amount, currency),
            }
        elif resolution == "store_credit":
            text = _("%(name)s: %(amount)s (includes a %(bonus)s bonus)") % {
                "name": name,
                "amount": display.money(quote.store_credit_total_amount, currency),
                "bonus": display.money(quote.store_credit_bonus_amount, currency),
            }
        else:
            text = name
        choices.append((resolution, text))
    return choices


@require_http_methods(["GET", "POST"])
def resolution_step(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    draft = draft_of(request, store)
    order = order_for_draft(store, draft)
    if order is None:
        return restart(store)
    items = draft.get("items") or []
    if not items:
        return redirect("portal:order", slug=store.slug)
    quotes = _quotes(store, order, items)
    if not quotes:
        return redirect("portal:order", slug=store.slug)
    offered = methods_offered(store, order, items, next(iter(quotes.values())).items_amount)
    post = request.method == "POST"
    initial_method = draft["method"] if draft.get("method") in offered else next(iter(offered), "")
    # The amounts beside each resolution are those of the method chosen (or about to be).
    posted_method = request.POST.get("method") if post else None
    shown_method = posted_method if posted_method in offered else initial_method
    shown = {
        name: selectors.quote_for_method(quote, store=store, method=shown_method or None)
        for name, quote in quotes.items()
    }
    pickers = _exchange_pickers(store, order, items) if "exchange" in quotes else None
    resolutions = _resolution_choices(shown, pickers is not None, order.currency)
    if not resolutions:
        return redirect("portal:order", slug=store.slug)
    items_amount = next(iter(quotes.values())).items_amount
    methods = [(m, labels.shopper_label("method", m)) for m in offered]
    days = pickup_dates(store)
    dates = [("", _("Choose a date")), *days]
    saved_exchange = draft.get("exchange", {})
    initial = {
        "resolution": draft.get("resolution", resolutions[0][0]),
        "method": initial_method,
        "pickup_date": draft.get("pickup_date", ""),
        **{p.name: saved_exchange.get(p.name, p.proposed) for p in pickers or []},
    }
    form = ResolutionForm(
        request.POST if post else None,
        initial=initial,
        resolutions=resolutions,
        methods=methods,
        dates=dates,
        exchange_fields=[(p.name, p.title, p.choices, p.proposed) for p in pickers or []],
    )
    address = draft.get("address") or order.shipping_address or {}
    address_initial = {
        "name": order.customer.name,
        "country": order.country,
        **{k: v for k, v in address.items() if v},
    }
    address_form = AddressForm(request.POST if post else None, initial=address_initial, prefix="a")
    if post and form.is_valid():
        method = form.cleaned_data["method"]
        if method == "pickup" and address_form.is_valid():
            _check_pickup_address(order, items, items_amount, address_form)
        if method != "pickup" or address_form.is_valid():
            draft.update(
                resolution=form.cleaned_data["resolution"],
                method=method,
                pickup_date=form.cleaned_data.get("pickup_date", "") if method == "pickup" else "",
                address=address_form.address() if method == "pickup" else {},
                exchange={
                    name: form.cleaned_data[name]
                    for name in form.exchange_names
                    if form.cleaned_data["resolution"] == "exchange"
                },
            )
            draft_save(request, store, draft)
            return redirect("portal:review", slug=store.slug)
    return page(
        request,
        "portal/resolution.html",
        {
            "order": order,
            "form": form,
            "address_form": address_form,
            "quotes": quotes,
            "pickers": [(p, form[p.name]) for p in pickers or []],
            "method_cards": method_cards(
                store=store,
                order=order,
                offered=offered,
                quotes=quotes,
                first_pickup=parse_iso(days[0][0]) if days else None,
            ),
            "instant_days": quotes["exchange"].decision.instant_exchange_return_days
            if "exchange" in quotes and quotes["exchange"].decision.instant_exchange
            else None,
            "money_hints": _money_hints(quotes),
            "shop": shop_summary(
                store_id=store.id,
                draft=draft,
                quote=shown.get("store_credit"),
                currency=order.currency,
            ),
            "step": 2,
            "pickup_selected": (form["method"].value() or initial["method"]) == "pickup",
            "unserved": None if offered else _unserved(store, order),
        },
        store=store,
        status=422 if post else 200,
    )


def _check_pickup_address(
    order: Order, items: list[dict[str, Any]], items_amount: Any, address_form: AddressForm
) -> None:
    """A pickup address no carrier collects at is an error on the form, not a booking that
    fails after the return is made."""
    served = parcels.methods_served_for_order(
        order=order,
        items=items,
        methods=["pickup"],
        declared_value=items_amount,
        pickup_address=address_form.address(),
    )
    if not served:
        address_form.add_error("postal_code", NOT_COLLECTED)


def _unserved(store: Store, order: Order) -> dict[str, str]:
    """What the page says when no carrier can take the parcel from where the order went."""
    address = order.shipping_address or {}
    place = ", ".join(
        str(part) for part in (address.get("postal_code"), address.get("country")) if part
    )
    contact = " · ".join(c for c in (store.support_email, store.support_phone) if c)
    return {
        "place": place or _("your address"),
        "contact": contact or store.name,
    }


# --- step 3: review the amounts and confirm --------------------------------------------------------


def _review_context(store: Store, order: Order, draft: dict[str, Any]) -> dict[str, Any]:
    items = draft["items"]
    quote = selectors.return_quote_for_store(
        store=store,
        external_id=order.external_id,
        items=[{k: i[k] for k in ("line", "quantity", "reason")} for i in items],
        resolution=draft["resolution"],
        now=timezone.now(),
        method=draft.get("method") or None,
    )
    lines = {
        line.external_id: line
        for line in order.lines.filter(external_id__in=[i["line"] for i in items])
    }
    pictures = line_pictures(order_id=order.id)
    chosen = [int(x) for x in draft.get("exchange", {}).values() if x]
    variants = {str(key): v for key, v in variants_by_id(store_id=store.id, ids=chosen).items()}
    rows = []
    swaps = []
    for item in items:
        line = lines[item["line"]]
        new_variant = variants.get(draft.get("exchange", {}).get(f"exchange_{line.id}", ""))
        if new_variant is not None:
            swaps.append((line, new_variant, item["quantity"]))
        rows.append(
            {
                "line": line,
                "picture": pictures.get(line.id, ""),
                "options": display.options_text(line.options),
                "quantity": item["quantity"],
                "reason": display.reason_label(item["reason"]),
                "comment": item.get("comment", ""),
                "photos": len(item.get("photos", [])),
            }
        )
    pickup = parse_iso(draft.get("pickup_date"))
    is_exchange = draft["resolution"] == "exchange"
    swap_quote = (
        exchange_quote_for_request(currency=order.currency, swaps=swaps) if is_exchange else None
    )
    exchange = exchange_view(swap_quote)
    return {
        "order": order,
        "rows": rows,
        "quote": quote,
        "exchange": exchange,
        "instant": instant_terms(swap_quote, quote.decision.instant_exchange_return_days)
        if is_exchange and quote.decision.instant_exchange
        else "",
        "money_when": when_money_arrives(
            draft["resolution"],
            RefundTiming.ON_APPROVAL if quote.keeps_items else quote.refund_timing,
            instant_exchange=quote.decision.instant_exchange,
        ),
        "blocked": [text for d in quote.decision.lines for text in display.reasons_text(d.reasons)],
        "review_reasons": display.reasons_text(quote.decision.review_reasons),
        "resolution": draft["resolution"],
        "resolution_label": labels.shopper_label("resolution", draft["resolution"]),
        "method": draft["method"],
        "method_label": labels.shopper_label("method", draft["method"]),
        "locations": locations_for(store) if draft["method"] == "in_store" else [],
        "address": display.address_lines(draft.get("address")),
        "pickup_date": pickup,
        "shop": shop_summary(store_id=store.id, draft=draft, quote=quote, currency=order.currency)
        if draft["resolution"] == "store_credit"
        else None,
        "step": 3,
    }


def parse_iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
    except NotFound:
        return not_found(request)
    draft = draft_of(request, store)
    posted_token = request.POST.get("submission", "") if request.method == "POST" else ""
    step = wizard.review_step(store, draft, posted_token)
    if step.go == "done":
        return redirect("portal:done", slug=store.slug, token=step.tracking_token)
    if step.go == "restart" or step.order is None:
        return restart(store)
    if step.go in ("order", "resolution"):
        return redirect(f"portal:{step.go}", slug=store.slug)
    context = _review_context(store, step.order, draft)
    if step.go == "show":
        context["submission"] = wizard.submission_token(draft)
        draft_save(request, store, draft)
        return page(request, "portal/review.html", context, store=store)
    if step.go == "out_of_date":
        context["submission"] = draft.get("submission", "")
        context["error"] = _("This page was out of date. Check the details and confirm again.")
        return page(request, "portal/review.html", context, store=store, status=409)
    try:
        draft = wizard.return_confirm(store, step.order, draft, posted_token)
    except (RetornoError, DomainError, ValidationError) as exc:
        context["submission"] = posted_token
        context["error"] = _("We could not create your return: %(why)s") % {
            "why": "; ".join(context["blocked"]) or getattr(exc, "detail", str(exc))
        }
        return page(request, "portal/review.html", context, store=store, status=422)
    draft_save(request, store, draft)
    return redirect("portal:done", slug=store.slug, token=draft["done"][posted_token])


def done(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    try:
        store = store_or_404(slug)
        return_request = selectors.return_get_by_token(token=token)
    except NotFound:
        return not_found(request)
    if return_request.store_id != store.id:
        return not_found(request, store)
    events = list(return_request.events.all())
    parcel = tracking.parcel_for(return_request)
    return page(
        request,
        "portal/done.html",
        {
            "return": return_request,
            "tracking_url": tracking_url(return_request),
            "status": labels.shopper_label("status", return_request.status),
            "next": next_step(
                return_request,
                parcel=parcel,
                money=tracking.money_status(return_request, events),
                events=events,
            ),
            "label_url": tracking.label_url_for(return_request),
        },
        store=store,
    )


# --- language switcher -------------------------------------------------------------------------------


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the shopper's language in a cookie (read by LocaleMiddleware) and go back."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def site_home(request: HttpRequest) -> HttpResponse:
    """The site's root. An install with one store sends visitors to its returns portal; with
    several there is no one portal to choose, so it leads to the staff sign-in."""
    slugs = store_slugs_first(2)
    if len(slugs) == 1:
        return redirect("portal:store", slugs[0])
    return redirect("backoffice:dashboard")
