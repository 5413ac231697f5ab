"""Finance exports the ledgers of a period as CSV: the store's own days, its rows only, cells a
spreadsheet cannot run, and a helpful page for a wrong period."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from retorno.money.models import MoneySettings, Refund
from retorno.money.tests.conftest import open_return, order_with, receive

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:finance_export")


@pytest.fixture
def refunds(store, other_store):
    MoneySettings.objects.update_or_create(store=store, defaults={"payment_adapter": "manual"})
    rows = []
    for price in ("20.00", "30.00"):
        ret = open_return(store, order_with(store, quantity=1, unit_price=price), quantity=1)
        receive(store, ret, 1)
        rows.append(Refund.objects.get(rma=ret.rma))
    theirs = open_return(
        other_store, order_with(other_store, quantity=1, unit_price="99.00"), quantity=1
    )
    receive(other_store, theirs, 1)
    return rows


def _csv(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_refunds_of_the_store_only_with_amounts_in_minor_units(signed_in, store, refunds):
    rows = _csv(signed_in("finance").get(URL, {"download": "1", "ledger": "refunds"}))
    assert sorted(r["amount"] for r in rows) == ["15.00", "25.00"]  # minus the 5.00 fee
    assert {r["rma"] for r in rows} == {r.rma for r in refunds}
    assert all(r["state"] == "pending" and r["kind"] == "return" for r in rows)


def test_the_period_is_in_the_stores_days(signed_in, store, refunds):
    store.timezone = "Pacific/Kiritimati"  # UTC+14: late UTC evening is already tomorrow there
    store.save(update_fields=["timezone"])
    first, second = refunds
    local_day = datetime(2026, 3, 10, tzinfo=ZoneInfo(store.timezone))
    Refund.objects.filter(id=first.id).update(created_at=local_day + timedelta(hours=1))
    Refund.objects.filter(id=second.id).update(created_at=local_day - timedelta(minutes=1))
    client = signed_in("finance")
    only_tenth = {"download": "1", "ledger": "refunds", "start": "2026-03-10", "end": "2026-03-10"}
    assert [r["rma"] for r in _csv(client.get(URL, only_tenth))] == [first.rma]
    from_ninth = {**only_tenth, "start": "2026-03-09"}
    assert [r["rma"] for r in _csv(client.get(URL, from_ninth))] == [second.rma, first.rma]


def test_text_cells_cannot_run_as_formulas(signed_in, store, refunds):
    Refund.objects.filter(id=refunds[0].id).update(created_by='=HYPERLINK("http://x")')
    rows = _csv(signed_in("admin").get(URL, {"download": "1", "ledger": "refunds"}))
    assert '\'=HYPERLINK("http://x")' in {r["created_by"] for r in rows}


def test_a_wrong_period_gets_the_form_back_with_why(signed_in, refunds):
    bad = {"download": "1", "ledger": "refunds", "start": "2026-03-10", "end": "2026-03-01"}
    response = signed_in("finance").get(URL, bad)
    assert response.status_code == 422
    assert "The last day is before the first one." in response.content.decode()
    nonsense = signed_in("finance").get(URL, {"download": "1", "ledger": "wallets"})
    assert nonsense.status_code == 422


def test_charges_export_has_its_own_columns(signed_in, refunds):
    response = signed_in("finance").get(URL, {"download": "1", "ledger": "charges"})
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].startswith("created_at,succeeded_at,failed_at,state,kind,rma")
    assert len(text.splitlines()) == 1  # no charges yet, just the header


@pytest.mark.parametrize(
    ("role", "status"), [("finance", 200), ("analyst", 200), ("warehouse", 403), ("agent", 403)]
)
def test_who_may_export(signed_in, refunds, role, status):
    assert signed_in(role).get(URL).status_code == status
    assert signed_in(role).get(URL, {"download": "1", "ledger": "refunds"}).status_code == status


@pytest.mark.parametrize(
    ("field", "day"),
    [
        ("end", "9999-12-31"),
        ("start", "0001-01-01"),
        ("start", "1999-12-31"),
        ("end", "2101-01-01"),
    ],
)
def test_a_day_outside_any_ledger_gets_the_form_back_naming_it(signed_in, refunds, field, day):
    """The last day of the period is followed by one more: 9999-12-31 has none (it was a 500)."""
    query = {"download": "1", "ledger": "refunds", field: day}
    response = signed_in("finance").get(URL, query, headers={"Accept-Language": "es"})
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert "Escribe un día entre el 1 de enero de 2000 y el 31 de diciembre de 2100." in (
        response.content.decode()
    )
