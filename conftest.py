"""Shared fixtures: two stores, keys with each scope set, an authenticated API client, orders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from retorno.accounts import keycache
from retorno.accounts.tests.factories import ALL, READ, READ_WRITE, IssuedKey, issue_key
from retorno.api.tests.client import ApiClient
from retorno.core import storecache
from retorno.orders.models import Order
from retorno.orders.tests.factories import make_order
from retorno.policies.selectors import compiled_policy_cache_clear
from retorno.returns.workflows.signals import quote_signals_forget
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory


@pytest.fixture(autouse=True)
def fresh_policy_cache() -> Iterator[None]:
    """The policy cache is keyed by PolicyVersion id, and SQLite reuses the ids of rows whose
    transaction rolled back (every non-transactional test): a version compiled by an earlier
    test could otherwise stand in for this test's default policy and change the amounts."""
    compiled_policy_cache_clear()
    keycache.clear()  # the same reason: key digests recur between tests, rows do not
    storecache.clear()  # and store ids: a store's settings kept by an earlier test
    quote_signals_forget()  # and customer and order ids
    yield
    compiled_policy_cache_clear()
    keycache.clear()
    storecache.clear()


@pytest.fixture
def store(db: None) -> Store:
    return StoreFactory(slug="shop", name="Shop")


@pytest.fixture
def other_store(db: None) -> Store:
    return StoreFactory(slug="other", name="Other shop")


@pytest.fixture
def admin_key(store: Store) -> IssuedKey:
    return issue_key(store, ALL, name="admin")


@pytest.fixture
def write_key(store: Store) -> IssuedKey:
    return issue_key(store, READ_WRITE, name="integration")


@pytest.fixture
def read_key(store: Store) -> IssuedKey:
    return issue_key(store, READ, name="read-only")


@pytest.fixture
def other_key(other_store: Store) -> IssuedKey:
    return issue_key(other_store, ALL, name="other")


@pytest.fixture
def api(admin_key: IssuedKey) -> ApiClient:
    """A client holding the store's all-scopes key."""
    return ApiClient(admin_key)


@pytest.fixture
def client_for() -> Callable[..., ApiClient]:
    return ApiClient


@pytest.fixture
def order_factory(store: Store) -> Callable[..., Order]:
    """make an order in `store` (or `store=other`) from the order payload builder's options."""

    def make(target: Store | None = None, **kwargs: Any) -> Order:
        return make_order(target or store, **kwargs)

    return make
