"""Supplier signals in the API: thresholds per supplier, open alerts, the evidence pack as PDF,
the inspector's "confirms the reason" flag."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from retorno.analytics import supplier_alerts
from retorno.analytics.tests.factories import WAREHOUSE, give_back, sale
from retorno.api.tests.client import ApiClient, problem
from retorno.returns.workflows import receiving

pytestmark = pytest.mark.django_db


@pytest.fixture
def volt(store):
    orders = [
        sale(store, quantity=10, vendor="Volt", sku=f"C-{n}", title="Charger") for n in range(4)
    ]
    ret = give_back(store, orders[0], quantity=2, reason="defective")
    line = ret.items.get().order_line.external_id
    receiving.return_receive(store=store, rma=ret.rma, quantities={line: 2}, actor=WAREHOUSE)
    return ret, line


def test_the_inspection_flag_and_the_defect_figures(api, volt):
    ret, line = volt
    response = api.post(
        f"/returns/{ret.rma}/inspect",
        {"items": [{"line": line, "grade": "used", "reason_confirmed": True}]},
    )
    assert response.status_code == 200, response.content
    (inspection,) = response.json()["inspections"]
    assert inspection["reason_confirmed"] is True
    (supplier,) = api.get("/analytics/suppliers", {"days": 30}).json()["suppliers"]
    assert supplier["defects"] == 2
    assert supplier["defect_rate"]["value"] == 0.05
    assert supplier["return_rate"]["value"] == 0.05
    assert supplier["return_rate_threshold"] is None


def test_thresholds_and_alerts(api, read_key, store, volt):
    problem(
        api.put("/analytics/suppliers/Volt/thresholds", {"return_rate": 2}), 422, "validation_error"
    )
    problem(
        ApiClient(read_key).put("/analytics/suppliers/Volt/thresholds", {"return_rate": 0.01}),
        403,
        "insufficient_scope",
    )
    response = api.put("/analytics/suppliers/Volt/thresholds", {"return_rate": 0.04})
    assert response.status_code == 200, response.content
    assert response.json() == {"supplier": "Volt", "return_rate": 0.04, "defect_rate": None}
    (supplier,) = api.get("/analytics/suppliers", {"days": 30}).json()["suppliers"]
    assert supplier["over_return_rate_threshold"] is True
    assert api.get("/analytics/supplier-alerts").json() == []
    supplier_alerts.supplier_alerts_check(store=store, now=timezone.now())
    (alert,) = ApiClient(read_key).get("/analytics/supplier-alerts").json()
    assert (alert["supplier"], alert["kind"], alert["rate"], alert["threshold"]) == (
        "Volt",
        "return_rate",
        0.05,
        0.04,
    )


def test_the_evidence_pack_as_pdf(api, volt, store):
    store.default_language = "es"
    store.save()
    response = api.get("/analytics/suppliers/Volt/evidence", {"days": 30, "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Expediente de pruebas: Volt" in text
    english = api.get(
        "/analytics/suppliers/Volt/evidence", {"days": 30, "format": "pdf", "lang": "en"}
    )
    assert "Evidence pack: Volt" in PdfReader(io.BytesIO(english.content)).pages[0].extract_text()
    problem(
        api.get("/analytics/suppliers/Nobody/evidence", {"days": 30, "format": "pdf"}),
        404,
        "supplier_not_found",
    )
    assert api.get("/analytics/suppliers/Volt/evidence", {"days": 30}).status_code == 200  # CSV
