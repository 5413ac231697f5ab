"""Warehouse pages: scanning, counting in, inspecting, dispositions; who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from retorno.orders.models import Variant
from retorno.returns.models import ReturnEvent, ReturnItem
from retorno.stores.models import Store
from retorno.warehouse.models import Inspection, UnexpectedItem
from retorno.warehouse.tests.factories import approved_return, line_of

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]


def counts() -> tuple[Any, ...]:
    return (
        list(ReturnItem.objects.values_list("quantity_received", "quantity_missing")),
        ReturnEvent.objects.count(),
        Inspection.objects.count(),
        UnexpectedItem.objects.count(),
        list(Variant.objects.values_list("stock", flat=True)),
    )


def test_scanning_an_rma_opens_it_and_skus_are_counted_in(store: Store, signed_in: SignIn) -> None:
    client = signed_in("warehouse")
    ret = approved_return(store)
    page = client.get("/staff/receiving")
    assert page.status_code == 200
    assert b"autofocus" in page.content
    response = client.get("/staff/receiving", {"code": ret.rma.lower()})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/receiving/{ret.rma}")
    sku = ret.items.get().order_line.sku
    response = client.post(f"/staff/receiving/{ret.rma}/scan", {"code": sku, "quantity": "1"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "counted in; 1 still expected" in page.content.decode()
    client.post(f"/staff/receiving/{ret.rma}/scan", {"code": "MUG-9"})
    assert UnexpectedItem.objects.get().sku == "MUG-9"
    event = ReturnEvent.objects.filter(return_request=ret, kind="received").get()
    assert event.actor_kind == "staff"
    assert event.actor_label == "warehouse.shop"


def test_unknown_code_and_receiving_twice_show_a_message(store: Store, signed_in: SignIn) -> None:
    client = signed_in("warehouse")
    ret = approved_return(store)
    response = client.get("/staff/receiving", {"code": "NOTHING-HERE"})
    assert response.status_code == 404
    assert "Nothing matches" in response.content.decode()
    client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret), "quantity": "2"})
    before = counts()
    response = client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret)})
    assert response.status_code == 409
    assert "already counted in" in response.content.decode()
    assert counts() == before


def line_sku(ret: Any) -> str:
    return ret.items.get().order_line.sku


def test_inspection_with_photo_then_disposition(store: Store, signed_in: SignIn) -> None:
    import io

    from PIL import Image

    client = signed_in("warehouse")
    ret = approved_return(store, stock=1)
    client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret), "quantity": "2"})
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("box.png", buffer.getvalue(), content_type="image/png")
    response = client.post(
        f"/staff/inspection/{ret.rma}/items/{line_of(ret)}",
        {"grade": "new", "notes": "Sealed", "photos": photo},
    )
    assert response.status_code == 302, response.content[:2000]
    row = Inspection.objects.get()
    assert row.photos
    assert row.photos[0].endswith(".jpg")
    response = client.post(
        f"/staff/inspection/{ret.rma}/dispositions/{row.id}",
        {"disposition": "restock", "restock": "on"},
    )
    assert response.status_code == 302
    assert Variant.objects.get(sku=row.sku).stock == 3


def test_bad_photo_and_unreceived_item_change_nothing(store: Store, signed_in: SignIn) -> None:
    client = signed_in("warehouse")
    ret = approved_return(store)
    before = counts()
    response = client.post(f"/staff/inspection/{ret.rma}/items/{line_of(ret)}", {"grade": "new"})
    assert response.status_code == 422
    assert "has not been received" in response.content.decode()
    client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret), "quantity": "2"})
    before = counts()
    fake = SimpleUploadedFile("x.jpg", b"<script>", content_type="image/jpeg")
    response = client.post(
        f"/staff/inspection/{ret.rma}/items/{line_of(ret)}", {"grade": "new", "photos": fake}
    )
    assert response.status_code == 422
    assert "is not a photo" in response.content.decode()
    assert counts() == before


def test_override_without_note_is_refused(store: Store, signed_in: SignIn) -> None:
    client = signed_in("warehouse")
    ret = approved_return(store)
    client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret), "quantity": "2"})
    client.post(f"/staff/inspection/{ret.rma}/items/{line_of(ret)}", {"grade": "new"})
    row = Inspection.objects.get()
    before = counts()
    response = client.post(
        f"/staff/inspection/{ret.rma}/dispositions/{row.id}", {"disposition": "donate"}
    )
    assert response.status_code == 422
    assert "Write a note" in response.content.decode()
    assert counts() == before
    assert Inspection.objects.get().disposition == ""


@pytest.mark.parametrize("who", ["finance", "agent", "analyst"])
def test_other_roles_cannot_receive_or_inspect(store: Store, signed_in: SignIn, who: str) -> None:
    client = signed_in(who)
    ret = approved_return(store)
    before = counts()
    assert client.get("/staff/receiving").status_code == 403
    post = client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret)})
    assert post.status_code == 403
    post = client.post(f"/staff/inspection/{ret.rma}/items/{line_of(ret)}", {"grade": "new"})
    assert post.status_code == 403
    assert counts() == before


def test_other_stores_staff_get_404(store: Store, other_store: Store, signed_in: SignIn) -> None:
    from retorno.accounts.services import membership_grant

    user = membership_grant(
        store=other_store,
        username="wh.other",
        email="wh@other.test",
        role="warehouse",
        password="x-very-long-password",
    ).user
    client = signed_in("warehouse")
    client.force_login(user)
    ret = approved_return(store)
    before = counts()
    assert client.get(f"/staff/receiving/{ret.rma}").status_code == 404
    response = client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret)})
    assert response.status_code == 404
    assert client.get("/staff/receiving", {"code": ret.rma}).status_code == 404
    assert counts() == before


def test_rtv_page_and_csv(store: Store, signed_in: SignIn) -> None:
    client = signed_in("warehouse")
    ret = approved_return(store, reason="defective")
    client.post(f"/staff/receiving/{ret.rma}/scan", {"code": line_sku(ret), "quantity": "2"})
    client.post(f"/staff/inspection/{ret.rma}/items/{line_of(ret)}", {"grade": "damaged"})
    row = Inspection.objects.get()
    client.post(f"/staff/inspection/{ret.rma}/dispositions/{row.id}", {"disposition": ""})
    page = client.get("/staff/rtv")
    assert page.status_code == 200
    assert ret.rma in page.content.decode()
    batch_id = Inspection.objects.get().rtv_batch_id
    csv_response = client.get(f"/staff/rtv/{batch_id}.csv")
    assert csv_response.status_code == 200
    assert ret.rma in csv_response.content.decode()
    assert client.post(f"/staff/rtv/{batch_id}/ship").status_code == 302
    assert ReturnEvent.objects.filter(kind="returned_to_vendor").count() == 1
