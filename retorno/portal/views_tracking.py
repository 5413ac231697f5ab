"""The tracking page (/r/<token>) and what the shopper may still change from it: cancel the
return, or move the pickup, while the parcel has not left."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from retorno.analytics.sizing import sizes_kept_for_return
from retorno.core import labels
from retorno.core.actors import Actor
from retorno.core.errors import RetornoError
from retorno.core.pictures import line_picture
from retorno.domain.errors import DomainError
from retorno.domain.money.charges import instant_return_days
from retorno.domain.returns.amounts import store_credit_total
from retorno.portal import display, tracking
from retorno.portal.exchanges import exchange_view, instant_terms
from retorno.portal.forms import PickupForm
from retorno.portal.methods import locations_for
from retorno.portal.next_step import next_step
from retorno.portal.pages import page, pickup_dates, return_or_404
from retorno.portal.qr import qr_svg
from retorno.portal.shop_now import BasketView, basket_view
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.selectors.exchange_quotes import exchange_quote_for_return
from retorno.returns.selectors.recommendations import return_recommendations

DAYS = "instant_exchange_return_days"


def tracking_page(request: HttpRequest, token: str) -> HttpResponse:
    found = return_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    return _tracking(request, found)


def _tracking(
    request: HttpRequest, return_request: Return, *, notice: str = "", status: int = 200
) -> HttpResponse:
    events = list(return_request.events.all())
    store = return_request.store
    items = [
        {
            "item": item,
            "line": item.order_line,
            "picture": line_picture(item.order_line),
            "options": display.options_text(item.order_line.options),
            "reason": display.reason_label(item.reason),
            "exchange": display.options_text(
                item.exchange_variant.options if item.exchange_variant else None
            ),
        }
        for item in return_request.items.all()
    ]
    money_status = tracking.money_status(return_request, events)
    parcel = tracking.parcel_for(return_request)
    changeable = tracking.can_change(return_request)
    swap_quote = (
        exchange_quote_for_return(return_request)
        if return_request.resolution == "exchange"
        else None
    )
    decision = return_request.decision or {}
    credit_total = store_credit_total(
        return_request.refund_estimate_amount,
        return_request.store_credit_bonus_amount,
        return_request.currency,
    )
    return page(
        request,
        "portal/tracking.html",
        {
            "return": return_request,
            "items": items,
            "status": labels.shopper_label("status", return_request.status),
            "timeline": tracking.timeline(events),
            # The money card says when the money comes: the next step does not repeat it.
            "next": next_step(return_request, parcel=parcel, money=None, events=events),
            "method_label": labels.shopper_label("method", return_request.method),
            "resolution_label": labels.shopper_label("resolution", return_request.resolution),
            "credit_total": credit_total,
            "shop_basket": shop_now_basket(return_request, credit_total),
            "exchange": exchange_view(swap_quote),
            "instant": instant_terms(swap_quote, instant_return_days(decision.get(DAYS)))
            if swap_quote is not None and decision.get("instant_exchange")
            else "",
            "address": display.address_lines(return_request.pickup_address),
            "store_address": display.address_lines(store.return_address),
            "locations": locations_for(store) if return_request.method == "in_store" else [],
            "pickup_date": (parcel.pickup_date if parcel else None) or return_request.pickup_date,
            "parcel": parcel,
            "drop_off_qr": qr_svg(parcel.drop_off_code, title=_("Drop-off code"))
            if parcel and parcel.drop_off_code
            else "",
            "label_url": tracking.label_url_for(return_request),
            "money": money_status,
            "can_cancel": changeable,
            "can_change_pickup": changeable and return_request.method == "pickup",
            "recommendations": return_recommendations(
                return_request=return_request,
                kept_sizes=sizes_kept_for_return(return_request=return_request, now=timezone.now()),
            ),
            "notice": notice,
            "parcel_problem": tracking.parcel_problem(return_request),
        },
        store=store,
        status=status,
    )


@require_http_methods(["GET", "POST"])
def tracking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    found = return_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    return_request = found
    if request.method == "POST":
        if not tracking.can_change(return_request):
            return _tracking(
                request,
                return_request,
                notice=_("This return can no longer be cancelled."),
                status=409,
            )
        try:
            services.return_cancel(
                store=return_request.store,
                rma=return_request.rma,
                actor=Actor(
                    kind="shopper",
                    id=str(return_request.customer_id),
                    label=return_request.customer.email,
                ),
                note="Cancelled by the shopper on the tracking page.",
            )
        except (RetornoError, DomainError):
            return _tracking(
                request,
                return_request,
                notice=_("This return can no longer be cancelled."),
                status=409,
            )
        return redirect("portal:tracking", token=return_request.tracking_token)
    if not tracking.can_change(return_request):
        return redirect("portal:tracking", token=return_request.tracking_token)
    return page(
        request, "portal/cancel.html", {"return": return_request}, store=return_request.store
    )


@require_http_methods(["GET", "POST"])
def tracking_pickup(request: HttpRequest, token: str) -> HttpResponse:
    found = return_or_404(request, token)
    if isinstance(found, HttpResponse):
        return found
    return_request = found
    store = return_request.store
    if not (tracking.can_change(return_request) and return_request.method == "pickup"):
        return redirect("portal:tracking", token=return_request.tracking_token)
    current = return_request.pickup_date
    initial = {k: v for k, v in (return_request.pickup_address or {}).items() if v}
    if current:
        initial["pickup_date"] = current.isoformat()
    form = PickupForm(request.POST or None, initial=initial, dates=pickup_dates(store))
    if request.method == "POST" and form.is_valid():
        try:
            services.return_change_pickup(
                store=store,
                rma=return_request.rma,
                address=form.address(),
                pickup_date=form.cleaned_data["pickup_date"],
                actor=Actor(
                    kind="shopper",
                    id=str(return_request.customer_id),
                    label=return_request.customer.email,
                ),
            )
        except (RetornoError, DomainError):
            return redirect("portal:tracking", token=return_request.tracking_token)
        return redirect("portal:tracking", token=return_request.tracking_token)
    return page(
        request,
        "portal/pickup.html",
        {"return": return_request, "form": form},
        store=store,
        status=422 if request.method == "POST" else 200,
    )


def shop_now_basket(return_request: Return, credit: Decimal) -> BasketView | None:
    """What the shopper chose to buy with this return's store credit, as the review showed it."""
    if not return_request.shop_now or return_request.resolution != "store_credit":
        return None
    basket = {int(entry["variant"]): int(entry["units"]) for entry in return_request.shop_now}
    view = basket_view(
        store_id=return_request.store_id,
        basket=basket,
        credit=credit,
        currency=return_request.currency,
    )
    return view if view.rows else None
