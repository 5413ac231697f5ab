from __future__ import annotations

from retorno.core.errors import NotFound
from retorno.orders.models import Customer, Order
from retorno.stores.models import Store


def order_get_for_store(*, store: Store, external_id: str) -> Order:
    order = (
        Order.objects.select_related("customer")
        .prefetch_related("lines")
        .filter(store=store, external_id=external_id)
        .first()
    )
    if order is None:
        raise NotFound(f"No order {external_id!r} in this store.", code="order_not_found")
    return order


def customer_get_for_store(*, store: Store, customer_id: int) -> Customer:
    """The store's customer with this id; another store's is NotFound (customer_not_found)."""
    customer = Customer.objects.filter(store=store, id=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer {customer_id} in this store.", code="customer_not_found")
    return customer
