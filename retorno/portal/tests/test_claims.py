"""Claims from the portal: a problem with items the shopper keeps, reported with photos."""

from __future__ import annotations

import io
import pathlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from retorno.money.models import Claim, ClaimReason
from retorno.orders.models import Order
from retorno.portal.tests.conftest import make_catalog, make_shop_order
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def png(name: str = "photo.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    out.name = name
    return out


def lookup(client: Client, store: Store, number: str = "#5001") -> None:
    response = client.post(
        reverse("portal:store", args=[store.slug]),
        {"number": number, "email": "ana@example.com"},
    )
    assert response.status_code == 302


def claim_page(client: Client, store: Store, **headers: Any):
    return client.get(reverse("portal:claim", args=[store.slug]), **headers)


def report(client: Client, store: Store, order: Order, *, token: str | None = None, **fields: Any):
    """Post the claim form for the T-shirt line; `fields` override or add form fields."""
    if token is None:
        token = claim_page(client, store).context["submission"]
    line = order.lines.get(external_id=f"{order.external_id}-1")
    data: dict[str, Any] = {
        "submission": token,
        f"c{line.id}-selected": "on",
        f"c{line.id}-units": "1",
        "reason": "damaged_in_transit",
        "description": "The box was crushed.",
        "photos": png(),
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("portal:claim", args=[store.slug]), data)


# --- the way in ---------------------------------------------------------------------------------


def test_order_page_offers_to_report_a_problem(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    page = client.get(reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert "Report a problem with an item (damaged, missing, wrong item)" in body
    assert reverse("portal:claim", args=[shop.slug]) in body


def test_claim_page_needs_a_looked_up_order(client: Client, shop: Store, order: Order) -> None:
    response = claim_page(client, shop)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:store", args=[shop.slug])


def test_claim_page_lists_every_item_and_the_claim_reasons(
    client: Client, shop: Store, order: Order
) -> None:
    lookup(client, shop)
    page = claim_page(client, shop, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Organic T-shirt" in body
    assert "Gift card" in body
    assert "It arrived damaged" in body
    offered = [code for code, _label in page.context["form"].fields["reason"].choices]
    assert offered == list(ClaimReason.values)


def test_claim_page_in_spanish(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    page = claim_page(client, shop, HTTP_ACCEPT_LANGUAGE="es")
    body = page.content.decode()
    assert "Informar de un problema con un artículo" in body
    assert "Llegó dañado" in body
    assert "Mi paquete nunca llegó" in body


# --- reporting ----------------------------------------------------------------------------------


def test_damaged_item_with_a_photo_opens_a_claim(
    client: Client, shop: Store, order: Order, settings: Any
) -> None:
    lookup(client, shop)
    response = report(client, shop, order)
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert response["Location"] == reverse("portal:claim_done", args=[shop.slug, claim.number])
    assert claim.store_id == shop.id
    assert claim.order_id == order.id
    assert claim.reason == "damaged_in_transit"
    assert claim.description == "The box was crushed."
    assert claim.created_by == "ana@example.com"
    [line] = claim.lines.select_related("order_line")
    assert (line.order_line.external_id, line.units) == ("5001-1", 1)
    [photo] = claim.photos.all()
    stored = pathlib.Path(settings.MEDIA_ROOT, photo.path)
    assert stored.exists()
    assert Image.open(stored).format == "JPEG"

    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    body = done.content.decode()
    assert claim.number in body
    assert "What happens next" in body
    assert "You do not need to send anything back" in body


def test_missing_item_needs_no_photo_and_can_cover_several_items(
    client: Client, shop: Store, order: Order
) -> None:
    lookup(client, shop)
    gift = order.lines.get(external_id="5001-2")
    response = report(
        client,
        shop,
        order,
        reason="missing_item",
        photos=None,
        **{f"c{gift.id}-selected": "on", f"c{gift.id}-units": "1"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert sorted(claim.lines.values_list("order_line__external_id", "units")) == [
        ("5001-1", 1),
        ("5001-2", 1),
    ]
    assert claim.photos.count() == 0


def test_spanish_confirmation(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    response = report(client, shop, order)
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="es")
    body = done.content.decode()
    assert "Número de reclamación" in body
    assert "Qué pasa ahora" in body


# --- bad input: a helpful message, nothing written ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"c_selected": None}, "Choose at least one item that has a problem."),
        ({"units": "3"}, "You bought 2 of this item, so you can report at most 2."),
        ({"units": "0"}, "Please correct what is marked below."),
        ({"reason": "changed_mind"}, "Choose what went wrong."),
        ({"reason": ""}, "Choose what went wrong."),
        ({"photos": None}, "Add at least one photo showing the problem for this reason."),
    ],
)
def test_bad_input_is_explained_and_writes_nothing(
    client: Client, shop: Store, order: Order, settings: Any, fields: dict[str, Any], message: str
) -> None:
    lookup(client, shop)
    line = order.lines.get(external_id="5001-1")
    overrides: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "c_selected":
            overrides[f"c{line.id}-selected"] = value
        elif name == "units":
            overrides[f"c{line.id}-units"] = value
        else:
            overrides[name] = value
    response = report(client, shop, order, **overrides)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Claim.objects.count() == 0
    assert not pathlib.Path(settings.MEDIA_ROOT, "portal").exists()


def test_a_file_that_is_not_a_photo_is_refused(
    client: Client, shop: Store, order: Order, settings: Any
) -> None:
    lookup(client, shop)
    fake = io.BytesIO(b"%PDF-1.4 not a photo")
    fake.name = "photo.jpg"
    response = report(client, shop, order, photos=fake)
    assert response.status_code == 422
    assert "“photo.jpg” is not a photo." in response.content.decode()
    assert Claim.objects.count() == 0
    assert not pathlib.Path(settings.MEDIA_ROOT, "portal").exists()


def test_too_many_photos_are_refused(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    response = report(client, shop, order, photos=[png(f"p{i}.png") for i in range(4)])
    assert response.status_code == 422
    assert "At most 3 photos." in response.content.decode()
    assert Claim.objects.count() == 0


def test_oversized_photo_is_refused(client: Client, shop: Store, order: Order, settings) -> None:
    settings.PORTAL_PHOTO_MAX_BYTES = 50
    lookup(client, shop)
    response = report(client, shop, order)
    assert response.status_code == 422
    assert "is larger than" in response.content.decode()
    assert Claim.objects.count() == 0


def test_a_line_of_another_order_is_ignored(client: Client, shop: Store, order: Order) -> None:
    """Only the looked-up order's lines have fields; a forged one adds nothing."""
    other = make_shop_order(shop, external_id="5002")
    lookup(client, shop)
    foreign = other.lines.get(external_id="5002-1")
    line = order.lines.get(external_id="5001-1")
    response = report(
        client,
        shop,
        order,
        **{
            f"c{line.id}-selected": None,
            f"c{foreign.id}-selected": "on",
            f"c{foreign.id}-units": "1",
        },
    )
    assert response.status_code == 422
    assert Claim.objects.count() == 0


# --- double submit -------------------------------------------------------------------------------


def test_double_submit_opens_one_claim(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    token = claim_page(client, shop).context["submission"]
    first = report(client, shop, order, token=token)
    second = report(client, shop, order, token=token)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Claim.objects.count() == 1


def test_double_submit_with_a_stale_session_opens_one_claim(
    client: Client, shop: Store, order: Order, settings: Any
) -> None:
    """Two tabs, or a resubmit racing the first response: both carry the same token."""
    lookup(client, shop)
    token = claim_page(client, shop).context["submission"]
    snapshot = dict(client.session)
    first = report(client, shop, order, token=token)
    twin = Client()
    twin.cookies = client.cookies
    session = twin.session
    session.update(snapshot)
    session.save()
    second = report(twin, shop, order, token=token)
    assert second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Claim.objects.count() == 1
    assert len(list(pathlib.Path(settings.MEDIA_ROOT, "portal").rglob("*.jpg"))) == 1


def test_an_out_of_date_form_is_refused(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    claim_page(client, shop)
    response = report(client, shop, order, token="forged")
    assert response.status_code == 409
    assert "This page was out of date" in response.content.decode()
    assert Claim.objects.count() == 0


def test_a_second_claim_gets_a_new_token(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    report(client, shop, order)
    report(client, shop, order, reason="missing_item", photos=None)
    assert Claim.objects.count() == 2


def test_claims_per_order_are_rate_limited(
    client: Client, shop: Store, order: Order, settings: Any
) -> None:
    settings.PORTAL_CLAIM_LIMIT = (2, 3600)
    lookup(client, shop)
    for _ in range(2):
        assert report(client, shop, order, reason="missing_item", photos=None).status_code == 302
    response = report(client, shop, order, reason="missing_item", photos=None)
    assert response.status_code == 429
    assert Claim.objects.count() == 2


# --- tenancy -------------------------------------------------------------------------------------


@pytest.fixture
def other_shop_order(other_store: Store) -> Order:
    make_catalog(other_store)
    return make_shop_order(other_store, external_id="9001")


def test_a_shopper_of_one_store_cannot_claim_on_another_stores_order(
    client: Client, shop: Store, order: Order, other_store: Store, other_shop_order: Order
) -> None:
    lookup(client, shop)  # the session knows order 5001 of "shop" only
    response = claim_page(client, other_store)
    assert response.status_code == 302  # back to the other store's lookup
    assert response["Location"] == reverse("portal:store", args=[other_store.slug])
    foreign = other_shop_order.lines.get(external_id="9001-1")
    posted = client.post(
        reverse("portal:claim", args=[other_store.slug]),
        {
            "submission": "x",
            f"c{foreign.id}-selected": "on",
            f"c{foreign.id}-units": "1",
            "reason": "missing_item",
        },
    )
    assert posted.status_code == 302
    assert Claim.objects.count() == 0


def test_the_confirmation_is_only_for_the_claims_order(
    client: Client, shop: Store, order: Order, other_store: Store, other_shop_order: Order
) -> None:
    lookup(client, shop)
    done = report(client, shop, order)["Location"]
    claim = Claim.objects.get()
    # Another store's slug, the same number: not found.
    assert client.get(reverse("portal:claim_done", args=["other", claim.number])).status_code == 404
    # Another shopper (a session without the lookup) cannot read it.
    assert Client().get(done).status_code == 404
    # The same shopper after looking up another order of the store cannot either.
    make_shop_order(shop, external_id="5003")
    lookup(client, shop, number="#5003")
    assert client.get(done).status_code == 404


def test_the_shopper_gets_one_email_for_the_claim(
    client: Client, shop: Store, order: Order
) -> None:
    from retorno.notifications.models import Message

    lookup(client, shop)
    token = claim_page(client, shop).context["submission"]
    assert report(client, shop, order, token=token).status_code == 302
    assert report(client, shop, order, token=token).status_code == 302  # pressed twice
    claim = Claim.objects.get()
    [message] = Message.objects.filter(kind="claim_opened")
    assert (message.claim_number, message.recipient, message.channel) == (
        claim.number,
        "ana@example.com",
        "email",
    )


def test_units_already_claimed_are_refused(client: Client, shop: Store, order: Order) -> None:
    from retorno.notifications.models import Message

    lookup(client, shop)
    line = order.lines.get(external_id=f"{order.external_id}-1")
    assert report(client, shop, order, **{f"c{line.id}-units": "2"}).status_code == 302
    response = report(client, shop, order)
    assert response.status_code == 422
    assert "already part of another claim" in response.content.decode()
    assert Claim.objects.count() == 1
    assert Message.objects.filter(kind="claim_opened").count() == 1
