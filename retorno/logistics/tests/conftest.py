from __future__ import annotations

from collections.abc import Iterator

import pytest

from retorno.logistics.gateways import gateways_overridden
from retorno.logistics.models import CarrierAccount
from retorno.logistics.tests.factories import FakeCarriers, make_carriers
from retorno.stores.models import Store


@pytest.fixture
def fake_carriers() -> Iterator[FakeCarriers]:
    carriers = FakeCarriers()
    with gateways_overridden(carriers):
        yield carriers


@pytest.fixture
def carriers(store: Store) -> dict[str, CarrierAccount]:
    return make_carriers(store)
