"""A return and the store's WooCommerce store (retorno.connectors.woocommerce,
docs/integrations.md): connecting chooses where refunds are made; restocked units are told to
the store (outbox `woocommerce.sync`, written in the command's transaction, sent after commit).
Refunds go through the `woocommerce` payment adapter; exchange orders are queued by
`publishing` when an exchange is released."""

from __future__ import annotations

from typing import Any

from retorno.connectors.woocommerce import services as woo
from retorno.connectors.woocommerce import sync
from retorno.connectors.woocommerce.models import WooConnection
from retorno.connectors.woocommerce.payments import WooCommerceGateway
from retorno.domain.returns.events import EventKind
from retorno.returns.events import Recorded, run_memo
from retorno.returns.workflows.connectors import adapter_choose, adapter_release
from retorno.stores.models import Store


def woocommerce_connect(
    *, store: Store, refunds_in_woocommerce: bool, **values: Any
) -> WooConnection:
    """Connect the store to its WooCommerce site and choose where refunds are made: through
    WooCommerce (the store's payment adapter becomes `woocommerce`) or as the store had it."""
    connection = woo.connection_save(
        store=store, refunds_in_woocommerce=refunds_in_woocommerce, **values
    )
    adapter_choose(
        store=store,
        adapter=WooCommerceGateway.name,
        wanted=refunds_in_woocommerce,
        fallback=connection.fallback_payment_adapter,
        remember=lambda current: woo.connection_fallback_set(connection, current),
    )
    return connection


def woocommerce_disconnect(*, store: Store) -> None:
    """Disconnect; refunds go back to the adapter the store had before."""
    fallback = woo.connection_get(store=store).fallback_payment_adapter
    woo.connection_delete(store=store)
    adapter_release(store=store, adapter=WooCommerceGateway.name, fallback=fallback)


def on_event(recorded: Recorded) -> None:
    """Event-kernel handler: restocked units and a resolved or closed return, as outbox messages
    for the store's WooCommerce (the connection is read once per command; the message's key is
    the event's, so it is sent once however often the event is handled, and the note's marker
    makes the second of `resolved` and `closed` write nothing)."""
    if recorded.kind not in (EventKind.RESTOCKED, EventKind.RESOLVED, EventKind.CLOSED):
        return
    return_request = recorded.return_request
    memo = run_memo()
    key = f"woocommerce-connected:{return_request.store_id}"
    if key not in memo:
        memo[key] = sync.store_connected(return_request.store_id)
    if not memo[key]:
        return
    if recorded.kind != EventKind.RESTOCKED:
        sync.sync_enqueue(
            store=return_request.store,
            key=f"return-event:{recorded.event.id}",
            facts={
                "step": "close",
                "rma": return_request.rma,
                "order": return_request.order.external_id,
                "note": (recorded.event.note or "")[:500],
            },
        )
        return
    data = recorded.event.data or {}
    sync.sync_enqueue(
        store=return_request.store,
        key=f"return-event:{recorded.event.id}",
        facts={
            "step": "restock",
            "rma": return_request.rma,
            "order": return_request.order.external_id,
            "line": data.get("line"),
            "sku": data.get("sku"),
            "quantity": data.get("quantity"),
        },
    )
