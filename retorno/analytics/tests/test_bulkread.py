"""bulkread.rows gives what the queryset gives, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from retorno.analytics.tests.factories import give_back, sale
from retorno.core.bulkread import rows
from retorno.returns.models import Return

pytestmark = pytest.mark.django_db


def test_rows_are_the_querysets_rows(store):
    give_back(store, sale(store, quantity=3), quantity=2)
    give_back(store, sale(store, quantity=4, tier="gold"), quantity=1, reason="too_small")
    queryset = (
        Return.objects.filter(store=store)
        .order_by("id")
        .values_list("id", "rma", "created_at", "items_amount", "decision__outcome", "decision")
    )
    found = rows(queryset)
    assert found == list(queryset)
    assert len(found) == 2
    assert isinstance(found[0][4], str)  # a JSON key as the field reads it, not its JSON text
