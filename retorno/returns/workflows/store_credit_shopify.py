"""Store credit of a store whose refunds are made in Shopify is issued in Shopify, once, and
leaves Retorno's wallet, so it can be spent in one place only (docs/adr/0017).

A store-credit refund is Retorno's as for any store: written, credited to the wallet (with the
policy's bonus) and *succeeded* at once; its `refunded` event queues `shopify.store_credit`.
The job then, in this order:

1. takes the credit and its bonus out of the wallet (a SPEND entry `shopify-credit-<refund>`,
   once); if the shopper already spent part of it in Retorno, nothing moves: the credit stays in
   Retorno and Shopify is not told;
2. issues the same amount as Shopify store credit on the order (`refundCreate` with a
   `storeCreditRefund` method, `@idempotent` with the refund's key), once;
3. if Shopify refuses for good, gives the amount back to the wallet (a CREDIT entry
   `shopify-credit-<refund>-back`, once). An unknown outcome (timeout, 5xx, throttled) is
   retried with the same key; the wallet stays emptied meanwhile, so the money is never in
   both places.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from retorno.connectors.shopify import sync
from retorno.connectors.shopify.client import ShopifyRejected, ShopifyThrottled, ShopifyUnavailable
from retorno.core.actors import Actor
from retorno.core.outbox import PermanentFailure, RetryAt, outbox_enqueue
from retorno.domain.money import quantize
from retorno.money.models import Refund
from retorno.money.services.store_credit import wallet_move_back, wallet_move_out
from retorno.stores.models import Store

SHOPIFY = Actor(kind="system", id="shopify", label="Shopify")


def store_credit_enqueue(store: Store, data: dict[str, Any]) -> None:
    """From a `refunded` event (in its transaction): queue the move of a store-credit refund to
    Shopify when the store's credit lives there."""
    if data.get("destination") != "store_credit" or not data.get("refund"):
        return
    if not sync.store_credit_in_shopify(store.id):
        return
    outbox_enqueue(
        store_id=store.id,
        kind=sync.STORE_CREDIT_KIND,
        dedupe_key=f"shopify-store-credit:{data['refund']}",
        payload={"refund": int(data["refund"])},
    )


def store_credit_deliver(message: Any) -> dict[str, Any]:
    """Outbox handler of `shopify.store_credit` (see the module's text)."""
    refund = (
        Refund.objects.select_related("store", "order", "customer")
        .filter(id=message.payload["refund"], store_id=message.store_id)
        .first()
    )
    if refund is None or refund.state != "succeeded":
        return {"skipped": "no succeeded refund"}
    order_id = refund.order.external_id
    if not order_id.isdigit():
        return {"skipped": "not a Shopify order"}
    currency = refund.currency
    amount = quantize(Decimal(refund.amount) + Decimal(refund.bonus_amount), currency)
    if amount <= 0:
        return {"skipped": "nothing to issue"}
    entry = f"shopify-credit-{refund.id}"
    now = timezone.now()
    wallet = {
        "store": refund.store,
        "customer": refund.customer,
        "currency": currency,
        "amount": amount,
        "actor": SHOPIFY,
        "now": now,
        "refund": refund,
    }
    if not wallet_move_out(**wallet, entry_id=entry, note="Issued as Shopify store credit."):
        return {"kept": "the shopper spent part of it in Retorno; it stays there"}
    try:
        shopify_id = sync.store_credit_issue(
            refund.store,
            order_id=order_id,
            amount=str(amount),
            currency=currency,
            note=f"Retorno {refund.rma} store credit".strip(),
            key=f"store-credit:{refund.idempotency_key}",
        )
    except ShopifyThrottled as throttled:
        raise RetryAt(now + timedelta(seconds=throttled.wait), throttled.message) from None
    except ShopifyUnavailable as unavailable:
        raise RuntimeError(unavailable.message) from None  # the outbox's backoff, same key
    except ShopifyRejected as refused:
        wallet_move_back(
            **wallet,
            entry_id=f"{entry}-back",
            note=f"Shopify refused the store credit: {refused.message}"[:300],
        )
        raise PermanentFailure(f"Shopify refused the store credit: {refused.message}") from None
    return {"issued": shopify_id}
