"""The supplier panel's signals on the staff pages: the inspector's "confirms the reason" box,
thresholds set by admins (not analysts), the open alerts and the evidence PDF, in Spanish and
English."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from retorno.analytics import supplier_alerts
from retorno.analytics.tests.factories import WAREHOUSE, give_back, sale
from retorno.returns.workflows import receiving
from retorno.warehouse.models import Inspection, Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(store):
    orders = [
        sale(store, quantity=10, vendor="Volt", sku=f"C-{n}", title="Charger") for n in range(4)
    ]
    ret = give_back(store, orders[0], quantity=2, reason="defective")
    line = ret.items.get().order_line.external_id
    receiving.return_receive(store=store, rma=ret.rma, quantities={line: 2}, actor=WAREHOUSE)
    return ret, line


def test_the_inspector_confirms_the_shoppers_reason(signed_in, received):
    ret, line = received
    client = signed_in("warehouse")
    page = client.get(reverse("backoffice:inspection", args=[ret.rma]))
    assert b'name="reason_confirmed"' in page.content
    response = client.post(
        reverse("backoffice:inspection_save", args=[ret.rma, line]),
        {"grade": "used", "quantity": "2", "notes": "No enciende", "reason_confirmed": "yes"},
    )
    assert response.status_code == 302, response.content[:400]
    (row,) = Inspection.objects.all()
    assert row.reason_confirmed
    assert row.grade == "used"
    page = client.get(reverse("backoffice:inspection", args=[ret.rma]))
    assert 'class="badge warn">confirms the shopper' in page.content.decode()


def test_an_admin_sets_thresholds_and_the_panel_shows_the_alert(signed_in, store, received):
    _ret, _line = received
    client = signed_in("admin")
    url = reverse("backoffice:analytics_thresholds_save")
    bad = client.post(url, {"supplier": "Volt", "return_rate": "150"}, follow=True)
    assert "A threshold is a percentage above 0 and at most 100." in bad.content.decode()
    response = client.post(
        url, {"supplier": "Volt", "return_rate": "4", "defect_rate": "", "period": "days=30"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?days=30#thresholds")
    saved = Supplier.objects.get(code="Volt")
    assert (saved.return_rate_threshold, saved.defect_rate_threshold) == (Decimal("0.0400"), None)
    supplier_alerts.supplier_alerts_check(store=store, now=timezone.now())
    page = client.get(reverse("backoffice:analytics_suppliers"), {"days": "30"})
    text = page.content.decode()
    assert 'id="supplier-alerts"' in text
    assert 'data-kind="return_rate"' in text
    assert "over return-rate threshold" in text
    assert 'id="thresholds"' in text
    spanish = client.get(
        reverse("backoffice:analytics_suppliers"), {"days": "30"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Proveedores por encima de sus umbrales" in spanish.content.decode()


def test_analysts_read_the_panel_but_do_not_set_thresholds(signed_in, received):
    client = signed_in("analyst")
    page = client.get(reverse("backoffice:analytics_suppliers"), {"days": "30"})
    assert page.status_code == 200
    assert 'id="thresholds"' not in page.content.decode()
    response = client.post(
        reverse("backoffice:analytics_thresholds_save"), {"supplier": "Volt", "return_rate": "4"}
    )
    assert response.status_code == 403
    assert not Supplier.objects.exists()


def test_the_evidence_pdf_downloads_from_the_panel(signed_in, received):
    client = signed_in("analyst")
    page = client.get(reverse("backoffice:analytics_suppliers"), {"days": "30"}).content.decode()
    assert "evidence.pdf?days=30&amp;supplier=Volt" in page
    response = client.get(
        reverse("backoffice:analytics_evidence_pdf"), {"days": "30", "supplier": "Volt"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Evidence pack: Volt" in text
    missing = client.get(
        reverse("backoffice:analytics_evidence_pdf"), {"days": "30", "supplier": "Nobody"}
    )
    assert missing.status_code == 404
    nameless = client.get(reverse("backoffice:analytics_evidence_pdf"), {"days": "30"})
    assert nameless.status_code == 404
