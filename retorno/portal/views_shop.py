"""Shop now: during a return, the shopper spends the store credit it will give on the store's
catalogue (a small browser with search and pictures), the basket kept in the return's draft.
The amounts shown are the ones the return will settle (retorno.returns.workflows.shop_now)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from retorno.core.errors import NotFound
from retorno.orders.selectors import variants_by_id
from retorno.orders.selectors.catalogue import catalogue_page
from retorno.portal.pages import not_found, page, restart, store_or_404
from retorno.portal.shop_now import (
    MAX_LINES,
    MAX_UNITS,
    basket_for_draft,
    basket_of,
    basket_view,
    product_cards,
    shopper_size,
)
from retorno.portal.wizard import draft_of, draft_save, order_for_draft
from retorno.returns import selectors

# Gift cards are not bought with store credit.
NOT_SOLD_FOR_CREDIT = frozenset({"gift-cards"})


class BasketForm(forms.Form):
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove"), ("use", "use")])
    variant = forms.IntegerField(required=False, min_value=1)
    units = forms.IntegerField(required=False, min_value=1, max_value=MAX_UNITS)
    q = forms.CharField(required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)


def _back(slug: str, q: str = "", number: int | None = None) -> str:
    query = urlencode({k: v for k, v in (("q", q), ("page", number)) if v})
    return reverse("portal:shop", args=[slug]) + (f"?{query}" if query else "")


@require_http_methods(["GET", "POST"])
def shop_now(request: HttpRequest, slug: str) -> HttpResponse:
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
    quote = selectors.return_quote_for_store(
        store=store,
        external_id=order.external_id,
        items=[{k: i[k] for k in ("line", "quantity", "reason")} for i in items],
        resolution="store_credit",
        now=timezone.now(),
    )
    offered = not any(d.reasons for d in quote.decision.lines)
    basket = basket_of(draft)
    error = ""
    if request.method == "POST" and offered:
        form = BasketForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            variant = data.get("variant")
            if data["action"] == "use":
                draft.update(resolution="store_credit", shop=basket_for_draft(basket))
                draft_save(request, store, draft)
                return redirect("portal:resolution", slug=store.slug)
            if data["action"] == "remove" and variant:
                basket.pop(variant, None)
            elif data["action"] == "add" and variant:
                error = _add(store.id, basket, variant, data.get("units") or 1)
            if not error:
                draft["shop"] = basket_for_draft(basket)
                draft_save(request, store, draft)
                return redirect(_back(store.slug, data.get("q") or "", data.get("page")))
        else:
            error = _("Choose a size and how many, from 1 to %(max)s.") % {"max": MAX_UNITS}
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    try:
        number = max(1, min(1000, int(request.GET.get("page") or 1)))
    except ValueError:
        number = 1
    size = shopper_size(store=store, order=order, items=items, now=timezone.now())
    found = catalogue_page(
        store=store, query=query, page=number, excluded_categories=NOT_SOLD_FOR_CREDIT
    )
    context: dict[str, Any] = {
        "order": order,
        "offered": offered,
        "credit": quote.store_credit_total_amount,
        "bonus": quote.store_credit_bonus_amount,
        "cards": product_cards(found.products, basket, order.currency, size),
        "size": size,
        "basket": basket_view(
            store_id=store.id,
            basket=basket,
            credit=quote.store_credit_total_amount,
            currency=order.currency,
        ),
        "query": query,
        "page_number": found.page,
        "previous_url": _back(store.slug, query, found.page - 1) if found.page > 1 else "",
        "next_url": _back(store.slug, query, found.page + 1) if found.has_next else "",
        "error": error,
        "step": 2,
    }
    return page(request, "portal/shop.html", context, store=store, status=422 if error else 200)


def _add(store_id: int, basket: dict[int, int], variant_id: int, units: int) -> str:
    """Put `units` of the variant in the basket (replacing what was there); an error to show
    when it cannot be bought."""
    variant = variants_by_id(store_id=store_id, ids=[variant_id]).get(variant_id)
    if variant is None or variant.product.category in NOT_SOLD_FOR_CREDIT or variant.price <= 0:
        return _("That item is not on sale here.")
    if variant.stock < units:
        return _("Only %(count)s of that item are left.") % {"count": max(variant.stock, 0)}
    if variant_id not in basket and len(basket) >= MAX_LINES:
        return _("At most %(count)s different items.") % {"count": MAX_LINES}
    basket[variant_id] = units
    return ""
