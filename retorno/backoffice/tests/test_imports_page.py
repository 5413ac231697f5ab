"""Settings → Imports: an admin checks a CSV file (every bad row named by line and field),
corrects the mapping, imports in the background and sees the progress; other roles and stores
get nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retorno.orders.models import CsvImport, Order

pytestmark = pytest.mark.django_db

GOOD = (
    "order_id,placed_at,currency,customer_email,sku,quantity,unit_price\n"
    "1001,2026-11-01T10:00:00Z,EUR,ana@example.com,TEE-M,2,20.00\n"
    "1002,2026-11-01T10:00:00Z,EUR,bo@example.com,MUG,1,20.005\n"
)


def upload(client, text: str, kind: str = "orders"):
    return client.post(
        "/staff/settings/imports",
        {"kind": kind, "file": SimpleUploadedFile("orders.csv", text.encode(), "text/csv")},
    )


def test_an_admin_checks_imports_and_sees_it_done(
    signed_in, store, django_capture_on_commit_callbacks
):
    admin = signed_in("admin")
    checked = upload(admin, GOOD)
    assert checked.status_code == 302
    job = CsvImport.objects.get(store=store)
    page = admin.get(checked["Location"]).content.decode()
    assert re.search(r"<td>3</td><td><code>unit_price</code></td>", page)
    assert "Not an amount in the currency" in page
    assert Order.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        started = admin.post(f"/staff/settings/imports/{job.id}/start")
    assert started.status_code == 302
    done = admin.get(started["Location"]).content.decode()
    assert 'id="import-progress" max="100" value="100"' in done
    assert "1 of 1 written, 1 new" in done
    assert list(Order.objects.values_list("external_id", flat=True)) == ["1001"]
    listing = admin.get("/staff/settings/imports").content.decode()
    assert f'data-import="{job.id}"' in listing


def test_the_page_speaks_spanish(signed_in, store):
    admin = signed_in("admin")
    checked = upload(admin, GOOD)
    page = admin.get(checked["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No es un importe en la moneda" in page


def test_a_mapping_is_corrected_on_the_page(signed_in, store):
    admin = signed_in("admin")
    text = "id,date,currency,mail,sku,qty,price\n9,2026-11-01T10:00:00Z,EUR,a@b.es,X,1,2.00\n"
    refused = upload(admin, text)
    assert refused.status_code == 422
    assert "customer_email" in refused.content.decode()
    text = text.replace("mail", "email")
    job_page = upload(admin, text)
    job = CsvImport.objects.get(store=store)
    form = {f"map-{name}": "" for name in ("number", "customer_id")}
    form.update({"map-order_id": "id", "map-placed_at": "date", "map-currency": "currency"})
    form.update({"map-customer_email": "email", "map-sku": "sku", "map-quantity": "qty"})
    form.update({"map-unit_price": "price"})
    assert admin.post(job_page["Location"], form).status_code == 302
    job.refresh_from_db()
    assert job.mapping["unit_price"] == "price"
    assert job.records == 1
    form["map-sku"] = ""
    response = admin.post(job_page["Location"], form)
    assert response.status_code == 422
    assert "sku" in response.content.decode()


def test_a_file_that_is_not_utf8_is_refused_with_a_message(signed_in):
    response = signed_in("admin").post(
        "/staff/settings/imports",
        {"kind": "orders", "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00a", "text/csv")},
    )
    assert response.status_code == 422
    assert "UTF-8" in response.content.decode()
    assert CsvImport.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_are_refused(signed_in, role):
    response = upload(signed_in(role), GOOD)
    assert response.status_code == 403
    assert CsvImport.objects.count() == 0


def test_another_stores_import_is_not_found(signed_in, store, other_store):
    from retorno.orders.services.csv_import import csv_check

    job = csv_check(store=other_store, kind="orders", data=GOOD.encode())
    admin = signed_in("admin")
    assert admin.get(f"/staff/settings/imports/{job.id}").status_code == 404
    assert admin.post(f"/staff/settings/imports/{job.id}/start").status_code == 404
