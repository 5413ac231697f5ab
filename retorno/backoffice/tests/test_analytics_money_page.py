"""Analytics page "Costs and recovery": the bars and tables carry the numbers the API gives,
in Spanish and English, and the CSV exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from retorno.analytics.tests.factories import WAREHOUSE, give_back, receive_and_grade, sale
from retorno.api.tests.client import ApiClient
from retorno.returns.workflows import inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(store):
    for index in range(3):
        order = sale(store, quantity=4, sku=f"TEE-{index}", unit_price="25.00")
        ret = give_back(store, order, quantity=2, reason="defective")
        receive_and_grade(store, ret, "damaged" if index else "new")
        line = ret.items.get().order_line.external_id
        inspection.return_item_disposition_set(store=store, rma=ret.rma, line=line, actor=WAREHOUSE)


def _values(html: str, chart: str) -> dict[str, str]:
    block = html.split(f'id="{chart}"', 1)[1].split("</figure>", 1)[0]
    return dict(re.findall(r'data-key="([^"]*)" data-value="([^"]*)"', block))


def test_bars_show_the_apis_numbers(signed_in, history, api: ApiClient):
    html = signed_in("analyst").get(reverse("backoffice:analytics_money"), {"days": "30"})
    assert html.status_code == 200
    page = html.content.decode()
    costs = api.get("/analytics/costs", {"days": 30}).json()
    shown = _values(page, "cost-chart")
    for line in costs["lines"]:
        amount = float(line["amount"]) * (-1 if line["key"] == "fees" else 1)
        assert float(shown[line["key"]]) == amount
    recovery = api.get("/analytics/recovery", {"days": 30}).json()
    assert recovery["units"] == 6
    assert {row["key"] for row in recovery["grade"]} == {"new", "damaged"}
    bars = _values(page, "recovery-grade-chart")
    for row in recovery["grade"]:
        value = row["recovery_rate"]["value"]
        assert bars[row["key"]] == ("" if value is None else repr(float(value)))


def test_the_page_speaks_spanish(signed_in, history):
    client = signed_in("admin")
    client.cookies["django_language"] = "es"
    page = client.get(reverse("backoffice:analytics_money"), {"days": "30"}).content.decode()
    assert "Coste por devolución" in page
    assert "Valor recuperado" in page


def test_tables_export_as_csv(signed_in, history, api: ApiClient):
    client = signed_in("analyst")
    response = client.get(reverse("backoffice:analytics_export", args=["costs"]), {"days": "30"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["cost"] for r in rows] == ["labels", "refunds_gross", "shipping", "fees", "net"]
    recovery = client.get(reverse("backoffice:analytics_export", args=["recovery"]), {"days": "30"})
    rows = list(csv.DictReader(io.StringIO(recovery.content.decode())))
    assert sum(int(r["units"]) for r in rows if r["dimension"] == "disposition") == 6
    api_csv = api.get("/analytics/recovery", {"days": 30, "format": "csv"})
    assert api_csv.content.decode() == recovery.content.decode()
