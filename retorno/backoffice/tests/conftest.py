"""Back-office fixtures: staff of every role in "shop", an agent of "other", and returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retorno.accounts.services import membership_grant
from retorno.core.actors import SYSTEM
from retorno.money.tests.conftest import provider  # noqa: F401 (a fake payment provider)
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.services import ItemRequest, return_create
from retorno.stores.models import Store

PASSWORD = "correct-horse-battery"


@pytest.fixture
def staff(store: Store, other_store: Store) -> dict[str, Any]:
    """One user per role in "shop", and an agent of "other" (who must see nothing of "shop")."""
    users = {
        role: membership_grant(
            store=store,
            username=f"{role}.shop",
            email=f"{role}@shop.test",
            role=role,
            password=PASSWORD,
        ).user
        for role in ("owner", "admin", "manager", "agent", "warehouse", "finance", "analyst")
    }
    users["other_agent"] = membership_grant(
        store=other_store,
        username="agent.other",
        email="agent@other.test",
        role="agent",
        password=PASSWORD,
    ).user
    return users


@pytest.fixture
def signed_in(client: Client, staff: dict[str, Any]) -> Callable[[str], Client]:
    def sign_in(who: str) -> Client:
        client.force_login(staff[who])
        return client

    return sign_in


_counter = iter(range(5000, 100000))


def make_return(
    store: Store,
    *,
    price: str = "19.90",
    reason: str = "too_small",
    resolution: str = "refund",
    method: str = "pickup",
    email: str = "ana@example.com",
    tier: str = "",
    number: str | None = None,
) -> Return:
    """A return through the real service: worth more than 500 it waits for review."""
    external_id = number or str(next(_counter))
    make_order(
        store,
        external_id=external_id,
        email=email,
        tier=tier,
        lines=[line_payload(f"{external_id}-1", quantity=2, unit_price=price, tax="0.00")],
    )
    return return_create(
        store=store,
        order_external_id=external_id,
        items=[ItemRequest(line=f"{external_id}-1", quantity=1, reason=reason)],
        resolution=resolution,
        method=method,
        actor=SYSTEM,
    )


@pytest.fixture
def pending(store: Store) -> Return:
    return_request = make_return(store, price="600.00")
    assert return_request.status == "pending_review"
    return return_request


@pytest.fixture
def approved(store: Store) -> Return:
    return_request = make_return(store)
    assert return_request.status == "approved"
    return return_request


def snapshot() -> dict[str, Any]:
    """Everything a back-office action could change."""
    return {
        "returns": list(Return.objects.order_by("id").values_list("id", "status", "updated_at")),
        "items": list(
            ReturnItem.objects.order_by("id").values_list("id", "decision", "quantity_approved")
        ),
        "events": ReturnEvent.objects.count(),
    }
