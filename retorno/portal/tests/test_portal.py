"""Portal and tracking page: lookups, limits, item choice, uploads, confirm, tracking actions."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from retorno.core.models import IdempotencyRecord
from retorno.orders.models import Order
from retorno.portal.tests.conftest import make_shop_order
from retorno.returns.models import Return, ReturnEvent
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
NOT_FOUND_TEXT = "We could not find an order with these details"


def png(size: tuple[int, int] = (40, 30), name: str = "photo.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    out.name = name
    return out


def lookup(
    client: Client,
    store: Store,
    number: str = "#5001",
    email: str = "ana@example.com",
    address: str = "127.0.0.1",
):
    return client.post(
        reverse("portal:store", args=[store.slug]),
        {"number": number, "email": email},
        REMOTE_ADDR=address,
    )


def choose(client: Client, store: Store, order: Order, **fields: Any):
    line = order.lines.get(external_id=f"{order.external_id}-1")
    data = {
        f"l{line.id}-selected": "on",
        f"l{line.id}-quantity": "1",
        f"l{line.id}-reason": "too_small",
        f"l{line.id}-comment": "",
    }
    data.update({f"l{line.id}-{k}": v for k, v in fields.items()})
    return client.post(reverse("portal:order", args=[store.slug]), data)


def options(client: Client, store: Store, resolution: str = "refund", **extra: Any):
    data = {
        "resolution": resolution,
        "method": "pickup",
        "a-name": "Ana",
        "a-line1": "Calle Mayor 1",
        "a-postal_code": "28013",
        "a-city": "Madrid",
        "a-country": "ES",
    }
    page = client.get(reverse("portal:resolution", args=[store.slug]))
    data["pickup_date"] = page.context["form"].fields["pickup_date"].choices[1][0]
    data.update(extra)
    return client.post(reverse("portal:resolution", args=[store.slug]), data)


def confirm(client: Client, store: Store):
    page = client.get(reverse("portal:review", args=[store.slug]))
    assert page.status_code == 200
    token = page.context["submission"]
    return page, token


# --- lookup -------------------------------------------------------------------------------------


def test_store_page_is_branded_and_shows_the_policy(client: Client, shop: Store) -> None:
    response = client.get(reverse("portal:store", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert shop.primary_colour in body
    assert "30 days from delivery" in body
    assert '<label for="id_number">' in body


def test_lookup_by_email(client: Client, shop: Store, order: Order) -> None:
    response = lookup(client, shop, email=" Ana@Example.com ")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order", args=[shop.slug])
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Organic T-shirt" in page.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_postal_code_no_longer_opens_an_order(shop: Store, order: Order, language) -> None:
    """Order numbers are sequential and a postal code is printed on the parcel: with both, anyone
    could open anyone's order. Only the e-mail does."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = lookup(client, shop, number="5001", email="28013")
    assert response.status_code == 200
    assert "portal" not in client.session
    errors = response.context["form"].errors["email"]
    assert errors == [
        {
            "en": "Enter a valid email address.",
            "es": "Introduzca una dirección de correo electrónico válida.",
        }[language]
    ]
    label = {"en": "Your email", "es": "Tu email"}[language]
    assert f'<label for="id_email">{label}' in response.content.decode()


def test_wrong_email_and_unknown_order_get_the_same_message(
    client: Client, shop: Store, order: Order
) -> None:
    wrong = lookup(client, shop, email="eve@example.com")
    unknown = lookup(client, shop, number="#9999")
    assert wrong.status_code == unknown.status_code == 404
    assert NOT_FOUND_TEXT in wrong.content.decode()
    assert NOT_FOUND_TEXT in unknown.content.decode()
    assert "portal" not in client.session


def test_lookups_are_rate_limited_per_order_and_address(
    client: Client, shop: Store, order: Order, settings
) -> None:
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ORDER = 3
    for _ in range(3):
        assert lookup(client, shop, email="eve@example.com", address="10.0.0.1").status_code == 404
    blocked = lookup(Client(), shop, email="ana@example.com", number="5001", address="10.0.0.1")
    assert blocked.status_code == 429
    assert "try again in 15 minutes" in blocked.content.decode()
    # The real shopper, elsewhere, is not locked out of their order by someone else's guesses.
    shopper = Client()
    assert lookup(shopper, shop, number="5001", address="10.0.0.2").status_code == 302
    # Nor is the guessing address from another order.
    other = make_shop_order(shop, external_id="5002")
    assert lookup(Client(), shop, number=other.number, address="10.0.0.1").status_code == 302


def test_lookups_are_rate_limited_per_ip(
    client: Client, shop: Store, order: Order, settings
) -> None:
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = 2
    lookup(client, shop, number="#1")
    lookup(client, shop, number="#2")
    response = lookup(client, shop)
    assert response.status_code == 429
    assert "minutes" in response.content.decode()


# --- items --------------------------------------------------------------------------------------


def test_forbidden_item_shows_its_reason_in_plain_words(
    client: Client, shop: Store, order: Order
) -> None:
    lookup(client, shop)
    body = client.get(
        reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Items in the category “Gift cards” cannot be returned." in body
    assert "You can return up to 2 units." in body


def test_quantity_above_returnable_is_refused_and_nothing_written(
    client: Client, shop: Store, order: Order
) -> None:
    lookup(client, shop)
    response = choose(client, shop, order, quantity="3")
    assert response.status_code == 422
    assert "You can return at most 2 of this item." in response.content.decode()
    assert Return.objects.count() == 0
    assert "items" not in client.session["portal"][str(shop.id)]


def test_photos_are_required_for_defective_items(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    response = choose(client, shop, order, reason="defective")
    assert response.status_code == 422
    assert "Add at least one photo" in response.content.decode()


def test_non_image_upload_is_refused(client: Client, shop: Store, order: Order, settings) -> None:
    lookup(client, shop)
    fake = io.BytesIO(b"%PDF-1.4 not a photo")
    fake.name = "photo.jpg"
    response = choose(client, shop, order, reason="defective", photos=fake)
    assert response.status_code == 422
    assert "is not a photo" in response.content.decode()
    assert not (
        settings.MEDIA_ROOT and __import__("os").path.exists(settings.MEDIA_ROOT + "/portal")
    )


def test_oversized_upload_is_refused(client: Client, shop: Store, order: Order, settings) -> None:
    settings.PORTAL_PHOTO_MAX_BYTES = 1024
    lookup(client, shop)
    response = choose(client, shop, order, reason="defective", photos=png((400, 400)))
    assert response.status_code == 422
    assert "is larger than" in response.content.decode()


def test_photo_is_reencoded_and_stored(client: Client, shop: Store, order: Order, settings) -> None:
    import pathlib

    lookup(client, shop)
    response = choose(client, shop, order, reason="defective", photos=png())
    assert response.status_code == 302
    stored = list(pathlib.Path(settings.MEDIA_ROOT, "portal").rglob("*.jpg"))
    assert len(stored) == 1
    assert Image.open(stored[0]).format == "JPEG"


# --- resolution, amounts, confirm -----------------------------------------------------------------


def test_size_exchange_proposes_the_next_size_up(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    choose(client, shop, order, reason="too_small")
    page = client.get(reverse("portal:resolution", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    [name] = form.exchange_names
    from retorno.orders.models import Variant

    assert Variant.objects.get(id=form.fields[name].initial).sku == "TEE-L"


def test_amounts_are_shown_before_confirming(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    choose(client, shop, order)
    assert options(client, shop, resolution="store_credit").status_code == 302
    page, _token = confirm(client, shop)
    quote = page.context["quote"]
    # 2 × 19.90 + 3.45 tax = 43.25 for the line: one unit 21.62 or 21.63, minus 5.00 shipping.
    assert quote.return_shipping_fee_amount == 5
    assert quote.store_credit_bonus_amount > 0
    body = page.content.decode()
    assert "Store credit you receive" in body


def test_double_confirm_creates_one_return(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    choose(client, shop, order)
    options(client, shop)
    _page, token = confirm(client, shop)
    first = client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    second = client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Return.objects.count() == 1
    created = Return.objects.get()
    assert created.source == "portal"
    assert created.language == "en"
    assert created.pickup_date is not None
    assert IdempotencyRecord.objects.filter(key=token).count() == 1


def test_double_confirm_with_a_stale_session_creates_one_return(
    client: Client, shop: Store, order: Order
) -> None:
    """Two tabs / a resubmit racing the first response: both carry the draft and the token."""
    lookup(client, shop)
    choose(client, shop, order)
    options(client, shop)
    _page, token = confirm(client, shop)
    twin = Client()
    twin.cookies = client.cookies  # same session, as a concurrent request would see it
    snapshot = dict(client.session)
    client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    session = twin.session
    session.update(snapshot)
    session.save()
    response = twin.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    assert response.status_code == 302
    assert Return.objects.count() == 1


def test_forged_post_without_csrf_token_is_refused(shop: Store, order: Order) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("portal:store", args=[shop.slug]), {"number": "#5001", "email": "ana@example.com"}
    )
    assert response.status_code == 403
    assert "portal" not in client.session


def test_forged_confirm_is_refused_and_writes_nothing(shop: Store, order: Order) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("portal:store", args=[shop.slug]))
    csrf = page.context["csrf_token"]
    client.post(
        reverse("portal:store", args=[shop.slug]),
        {"number": "#5001", "email": "ana@example.com", "csrfmiddlewaretoken": str(csrf)},
    )
    forged = client.post(reverse("portal:review", args=[shop.slug]), {"submission": "x"})
    assert forged.status_code == 403
    assert Return.objects.count() == 0


# --- tracking page ----------------------------------------------------------------------------------


def _created(client: Client, shop: Store, order: Order) -> Return:
    lookup(client, shop)
    choose(client, shop, order)
    options(client, shop)
    _page, token = confirm(client, shop)
    client.post(reverse("portal:review", args=[shop.slug]), {"submission": token})
    return Return.objects.get()


def test_tracking_page_shows_timeline_pickup_and_recommendations(
    client: Client, shop: Store, order: Order
) -> None:
    created = _created(client, shop, order)
    response = client.get(f"/r/{created.tracking_token}", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert created.rma in body
    assert "Return requested" in body
    assert "Return approved" in body
    assert "Pickup date" in body
    assert "Expected by" in body
    recommendations = response.context["recommendations"]
    assert recommendations[0].variant.sku == "TEE-L"
    assert recommendations[0].right_size
    assert all(r.variant.sku != "TEE-M" for r in recommendations)
    assert "Download the label" not in body


def test_tampered_token_is_404(client: Client, shop: Store, order: Order) -> None:
    created = _created(client, shop, order)
    tampered = created.tracking_token[:-1] + ("A" if created.tracking_token[-1] != "A" else "B")
    response = client.get(f"/r/{tampered}")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode() or response.status_code == 404
    assert client.post(f"/r/{tampered}/cancel").status_code == 404


def test_cancel_from_the_tracking_page(client: Client, shop: Store, order: Order) -> None:
    created = _created(client, shop, order)
    assert client.get(f"/r/{created.tracking_token}/cancel").status_code == 200
    response = client.post(f"/r/{created.tracking_token}/cancel")
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == "cancelled"
    page = client.get(f"/r/{created.tracking_token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Return cancelled" in page
    assert "Cancel this return" not in page
    again = client.post(f"/r/{created.tracking_token}/cancel")
    assert again.status_code == 409


def test_change_pickup_from_the_tracking_page(client: Client, shop: Store, order: Order) -> None:
    created = _created(client, shop, order)
    page = client.get(f"/r/{created.tracking_token}/pickup")
    day = page.context["form"].fields["pickup_date"].choices[-1][0]
    response = client.post(
        f"/r/{created.tracking_token}/pickup",
        {
            "name": "Ana",
            "line1": "Gran Vía 2",
            "postal_code": "28013",
            "city": "Madrid",
            "country": "es",
            "pickup_date": day,
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.pickup_address["line1"] == "Gran Vía 2"
    assert ReturnEvent.objects.filter(kind="pickup_changed", data__pickup_date=day).exists()


# --- languages ------------------------------------------------------------------------------------


def test_spanish_from_accept_language_and_english_from_the_switcher(
    client: Client, shop: Store, order: Order
) -> None:
    es = client.get(
        reverse("portal:store", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9"
    )
    body = es.content.decode()
    assert '<html lang="es">' in body
    assert "Buscar mi pedido" in body
    assert "30 días desde la entrega" in body
    assert "5,00\u00a0€" in body
    client.post(reverse("portal:language"), {"language": "en", "next": "/s/shop/"})
    en = client.get(reverse("portal:store", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Find my order" in en.content.decode()
    assert "€5.00" in en.content.decode()


def test_spanish_reasons_for_forbidden_items(client: Client, shop: Store, order: Order) -> None:
    lookup(client, shop)
    body = client.get(
        reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Los artículos de la categoría «Tarjetas regalo» no se pueden devolver." in body


def test_language_switcher_refuses_foreign_redirects(client: Client) -> None:
    response = client.post(
        reverse("portal:language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_only_the_methods_the_store_offers_are_shown(
    client: Client, shop: Store, order: Order
) -> None:
    shop.return_methods = ["drop_off"]
    shop.save(update_fields=["return_methods"])
    lookup(client, shop)
    choose(client, shop, order)
    page = client.get(reverse("portal:resolution", args=[shop.slug]))
    choices = [value for value, _label in page.context["form"].fields["method"].choices]
    assert choices == ["drop_off"]


def test_a_return_the_policy_lets_the_shopper_keep(
    client: Client, shop: Store, order: Order
) -> None:
    from retorno.core.actors import SYSTEM
    from retorno.domain.policies import default_policy_document
    from retorno.policies.services import policy_publish

    document = default_policy_document()
    document["base"].update({"keep_item": True, "return_shipping_cost": "30.00"})
    policy_publish(store=shop, document=document, actor=SYSTEM)
    lookup(client, shop)
    choose(client, shop, order)
    options(client, shop)
    page, token = confirm(client, shop)
    quote = page.context["quote"]
    assert quote.keeps_items
    assert quote.return_shipping_fee_amount == 0
    assert quote.refund_amount == quote.items_amount  # no fee: nothing travels
    assert 'id="keep-items"' in page.content.decode()

    done = client.post(
        reverse("portal:review", args=[shop.slug]), {"submission": token}, follow=True
    )
    created = Return.objects.get()
    assert (created.status, created.method) == ("resolved", "keep")
    assert "Keep the items: nothing to send back" in done.content.decode()
    tracking = client.get(reverse("portal:tracking", args=[created.tracking_token]))
    assert 'id="keep-items"' in tracking.content.decode()


def test_the_policy_says_which_reasons_need_a_photo(
    client: Client, shop: Store, order: Order
) -> None:
    from retorno.core.actors import SYSTEM
    from retorno.domain.policies import default_policy_document
    from retorno.policies.services import policy_publish

    document = default_policy_document()
    document["base"]["photo_required_reasons"] = ["too_small"]
    policy_publish(store=shop, document=document, actor=SYSTEM)
    lookup(client, shop)
    page = client.get(reverse("portal:order", args=[shop.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "A photo is required for these reasons: Too small." in page.content.decode()

    too_small = choose(client, shop, order, reason="too_small")
    assert too_small.status_code == 422
    assert "Add at least one photo" in too_small.content.decode()
    defective = choose(client, shop, order, reason="defective")
    assert defective.status_code == 302  # no longer needs one under this policy
