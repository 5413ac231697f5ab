"""Two receipts of the last unit at the same moment: one wins, on every engine."""

from __future__ import annotations

import pytest

from retorno.core.errors import Conflict
from retorno.core.tests.threads import run_together
from retorno.returns.models import ReturnEvent, ReturnItem
from retorno.returns.workflows import receiving
from retorno.stores.tests.factories import StoreFactory
from retorno.warehouse.tests.factories import STAFF, approved_return, line_of


@pytest.mark.django_db(transaction=True)
def test_two_receipts_of_the_last_unit_count_it_once() -> None:
    store = StoreFactory(slug="race", name="Race")
    ret = approved_return(store, quantity=2)
    line = line_of(ret)
    receiving.return_receive_items(store=store, rma=ret.rma, quantities={line: 1}, actor=STAFF)

    def receive(_: int) -> str:
        try:
            receiving.return_receive_items(
                store=store, rma=ret.rma, quantities={line: 1}, actor=STAFF
            )
        except Conflict as exc:
            return exc.code
        return "ok"

    results = run_together(receive, 4)
    assert sorted(map(str, results)) == ["ok", "over_received", "over_received", "over_received"]
    assert ReturnItem.objects.get().quantity_received == 2
    assert ReturnEvent.objects.filter(return_request=ret, kind="received").count() == 2
