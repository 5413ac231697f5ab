"""The hand-written reads of return creation give what the ORM would."""

from __future__ import annotations

import pytest

from retorno.core.actors import SYSTEM
from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.models import PolicyVersion
from retorno.policies.services import policy_ensure_default
from retorno.returns import adapters
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _values(instance, names):
    return {name: getattr(instance, name) for name in names}


def test_order_to_decide_reads_the_order_its_customer_and_the_current_policy_version():
    store = StoreFactory(slug="reads")
    make_order(store, external_id="1001", lines=[line_payload("1001-1", quantity=2)])
    policy_ensure_default(store=store, actor=SYSTEM)

    order, version = adapters.order_to_decide(store.id, "1001")

    expected = Order.objects.select_related("customer").get(store=store, external_id="1001")
    order_fields = [f.attname for f in Order._meta.concrete_fields]
    assert order is not None
    assert version is not None
    assert _values(order, order_fields) == _values(expected, order_fields)
    customer_fields = [f.attname for f in type(expected.customer)._meta.concrete_fields]
    assert _values(order.customer, customer_fields) == _values(expected.customer, customer_fields)
    current = PolicyVersion.objects.filter(store=store).order_by("-version").first()
    assert current is not None
    assert (version.id, version.version, version.created_at) == (
        current.id,
        current.version,
        current.created_at,
    )
    assert version.document == current.document  # loaded on demand


def test_order_to_decide_without_a_policy_or_an_order():
    store = StoreFactory(slug="reads")
    make_order(store, external_id="1001", lines=[line_payload("1001-1")])
    PolicyVersion.objects.filter(store=store).delete()

    order, version = adapters.order_to_decide(store.id, "1001")
    assert order is not None
    assert version is None
    assert adapters.order_to_decide(store.id, "nope") == (None, None)
    assert adapters.order_to_decide(StoreFactory(slug="other").id, "1001") == (None, None)
