"""Supplier signals through the real services: the inspector's "confirms the reason" flag in
the defect figures, per-supplier thresholds, alerts e-mailed once through a real SMTP server on
127.0.0.1, and the evidence pack as PDF."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from retorno.accounts.services import membership_grant
from retorno.analytics import evidence, supplier_alerts, suppliers
from retorno.analytics.models import SupplierAlert
from retorno.analytics.scope import Scope
from retorno.analytics.tests.factories import WAREHOUSE, give_back, sale
from retorno.core.outbox import outbox_deliver_one, outbox_due_ids
from retorno.domain.analytics.periods import last_days
from retorno.domain.days import local_day
from retorno.returns.workflows import inspection, receiving
from retorno.warehouse import services as warehouse
from retorno.warehouse.models import Inspection
from retorno.warehouse.services.photos import store_photos

pytestmark = pytest.mark.django_db


def scope_of(store, days=30) -> Scope:
    return Scope(store, last_days(local_day(timezone.now(), store.timezone), days))


def inspect(store, ret, *, grade: str, confirmed: bool = False, notes: str = "", photos=()):
    item = ret.items.get()
    line = item.order_line.external_id
    receiving.return_receive(
        store=store, rma=ret.rma, quantities={line: item.quantity_requested}, actor=WAREHOUSE
    )
    inspection.return_inspect_items(
        store=store,
        rma=ret.rma,
        inspections=[
            warehouse.InspectionInput(
                line=line,
                grade=grade,
                notes=notes,
                photos=tuple(photos),
                reason_confirmed=confirmed,
            )
        ],
        actor=WAREHOUSE,
    )


@pytest.fixture
def volt(store):
    """Volt sold 40 chargers: 3 came back defective and the inspector confirmed 2 of them
    without grading them damaged; 1 came back too small, flagged by mistake."""
    orders = [
        sale(store, quantity=10, vendor="Volt", sku=f"CHG-{n}", title="Charger") for n in range(4)
    ]
    confirmed = give_back(store, orders[0], quantity=2, reason="defective")
    inspect(
        store,
        confirmed,
        grade="used",
        confirmed=True,
        notes="Does not charge",
        photos=["inspections/1/a.jpg"],
    )
    doubted = give_back(store, orders[1], quantity=1, reason="defective")
    inspect(store, doubted, grade="used")
    wrong = give_back(store, orders[2], quantity=1, reason="too_small")
    inspect(store, wrong, grade="used", confirmed=True)
    return confirmed


def test_the_flag_is_stored_and_counted_only_for_defect_reasons(store, volt):
    assert Inspection.objects.filter(reason_confirmed=True).count() == 2
    report = suppliers.supplier_report(scope_of(store), now=timezone.now())
    (row,) = report.suppliers
    assert (row.units_sold, row.units_returned, row.defects) == (40, 4, 2)
    assert row.defect_rate.value == Decimal("0.05")
    assert row.over_threshold  # over the 2 % default
    assert row.return_rate.value == Decimal("0.1")
    assert not row.over_return_threshold  # no return-rate threshold set
    table = suppliers.supplier_evidence(scope_of(store), "Volt")
    assert [r[0] for r in table.rows] == [volt.rma]
    assert table.rows[0][table.columns.index("reason_confirmed")] is True


def test_thresholds_per_supplier(store, volt):
    warehouse.supplier_thresholds_set(
        store=store, code="volt", return_rate=Decimal("0.08"), defect_rate=Decimal("0.06")
    )
    (row,) = suppliers.supplier_report(scope_of(store), now=timezone.now()).suppliers
    assert row.threshold == Decimal("0.06")
    assert not row.over_threshold
    assert row.over_return_threshold
    assert [k.value for k in row.over] == ["return_rate"]
    with pytest.raises(Exception, match="threshold"):
        warehouse.supplier_thresholds_set(
            store=store, code="Volt", return_rate=Decimal("1.5"), defect_rate=None
        )


def staff_mail(server):
    """What reached the staff (the shoppers get their own messages about their returns)."""
    return [m for m in server.arrivals if any(to.endswith("@shop.test") for to in m.rcpt_tos)]


def deliver_all():
    for message_id in outbox_due_ids():
        outbox_deliver_one(message_id)


def test_an_alert_is_emailed_once_per_crossing(store, volt, smtp_server):
    store.default_language = "es"
    store.save()
    for role in ("admin", "analyst", "agent"):
        membership_grant(
            store=store, username=role, email=f"{role}@shop.test", role=role, password="x" * 12
        )
    now = timezone.now()
    opened = supplier_alerts.supplier_alerts_check(store=store, now=now)
    assert [(a.supplier, a.kind) for a in opened] == [("Volt", "defect_rate")]
    # The hourly job runs again, and a retry of it: nothing new is opened or sent.
    assert supplier_alerts.supplier_alerts_check(store=store, now=now) == []
    deliver_all()
    deliver_all()
    assert supplier_alerts.supplier_alerts_check_all(now=now) == 0
    deliver_all()
    (mail,) = staff_mail(smtp_server)
    assert sorted(mail.rcpt_tos) == ["admin@shop.test", "analyst@shop.test"]
    assert mail.subject == "Volt supera su umbral de tasa de defectos confirmados"
    body = mail.message.get_body().get_content()
    assert "5.0 %" in body
    assert "2.0 %" in body
    assert "/staff/analytics/suppliers" in body or "/analytics/suppliers" in body
    # Back under a higher threshold: the alert closes; over again, a new alert and e-mail.
    warehouse.supplier_thresholds_set(
        store=store, code="Volt", return_rate=None, defect_rate=Decimal("0.10")
    )
    assert supplier_alerts.supplier_alerts_check(store=store, now=now) == []
    assert SupplierAlert.objects.get().closed_at == now
    warehouse.supplier_thresholds_set(
        store=store, code="Volt", return_rate=Decimal("0.05"), defect_rate=None
    )
    reopened = supplier_alerts.supplier_alerts_check(store=store, now=now)
    assert sorted(a.kind for a in reopened) == ["defect_rate", "return_rate"]
    deliver_all()
    assert len(staff_mail(smtp_server)) == 3


def test_the_evidence_pdf_lists_returns_reasons_notes_photos_and_totals(store, volt):
    pack = evidence.evidence_pack(scope_of(store), "Volt", now=timezone.now())
    assert pack.reasons == [("defective", 3), ("too_small", 1)]
    assert pack.photos == [(volt.rma, "inspections/1/a.jpg")]
    for language, words in (
        ("en", ("Evidence pack: Volt", "Units sold", "Defective", "Does not charge")),
        ("es", ("Expediente de pruebas: Volt", "Unidades vendidas", "Fotos")),
    ):
        pdf = evidence.render_evidence_pdf(pack, language=language)
        assert pdf.startswith(b"%PDF")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        text = " ".join(text.split())
        for word in (*words, volt.rma, "inspections/1/a.jpg", "5.0 %", "10.0 %"):
            assert word in text or word in "".join(text.split()), (language, word)
        assert evidence.render_evidence_pdf(pack, language=language) == pdf  # deterministic


def jpeg(colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, format="JPEG")
    return out.getvalue()


def test_the_evidence_pack_shows_the_photos_in_the_pdf_and_links_them_in_the_csv(
    store, settings, tmp_path
):
    """The store's own stored photo is drawn as a thumbnail with its grade, reason, comment and
    notes, and linked in the CSV; another store's photo name, or an address a client sent, is
    never read: named in the PDF, kept as it is in the CSV."""
    settings.MEDIA_ROOT = tmp_path
    settings.RETORNO_PUBLIC_URL = "https://returns.example"
    own = store_photos(store.id, [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")])[
        0
    ]
    other = store_photos(
        store.id + 1000, [SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg")]
    )[0]
    order = sale(store, quantity=10, vendor="Volt", sku="CHG", title="Charger")
    returned = give_back(store, order, quantity=1, reason="defective", comment="Dead on arrival")
    inspect(
        store,
        returned,
        grade="damaged",
        notes="Burnt smell, does not charge",
        photos=[own, other, "https://client.example/p.jpg"],
    )
    scope = scope_of(store)
    rows = list(csv.DictReader(io.StringIO(suppliers.supplier_evidence(scope, "Volt").csv())))
    assert rows[0]["photo_links"].split() == [
        f"https://returns.example/staff/photos/{own}",
        other,
        "https://client.example/p.jpg",
    ]
    pack = evidence.evidence_pack(scope, "Volt", now=timezone.now())
    assert [d.photos for d in pack.defect_photos] == [(own, other, "https://client.example/p.jpg")]
    for language, words in (
        ("en", ("Grade: Damaged", "Shopper: “Dead on arrival”", "Inspector: Burnt smell")),
        ("es", ("Estado: Dañado", "Cliente: “Dead on arrival”", "Inspección: Burnt smell")),
    ):
        pdf = evidence.render_evidence_pdf(pack, language=language)
        reader = PdfReader(io.BytesIO(pdf))
        images = [image for page in reader.pages for image in page.images]
        assert len(images) == 1  # only the store's own photo is read from storage
        assert images[0].image.size[0] <= evidence.THUMB_PIXELS
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        for word in (*words, returned.rma, other, "https://client.example/p.jpg"):
            assert word in text or word in "".join(text.split()), (language, word)
        assert evidence.render_evidence_pdf(pack, language=language) == pdf
