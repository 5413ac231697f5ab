"""A shopper's return in a real browser, in Spanish and in English, on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from retorno.orders.models import Order
from retorno.portal.tests.conftest import make_catalog, make_shop_order
from retorno.returns.models import Return
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop_order(transactional_db: None, settings: Any, tmp_path: Any) -> Order:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    store = StoreFactory(
        slug="moda",
        name="Moda Norte",
        primary_colour="#0f4c5c",
        accent_colour="#e36414",
        support_email="ayuda@moda.example.com",
        timezone="Europe/Madrid",
    )
    make_catalog(store)
    return make_shop_order(store, external_id="7001")


def _full_return(page: Page, base: str, shoot: Any, lang: str, texts: dict[str, str]) -> None:
    page.goto(f"{base}/s/moda/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shoot(page, f"{lang}-1-home")
    page.get_by_label(texts["number"]).fill("#7001")
    page.get_by_label(texts["contact"]).fill("ana@example.com")
    page.get_by_role("button", name=texts["find"]).click()

    expect(page.get_by_role("heading", name=texts["order"])).to_be_visible()
    expect(page.get_by_text(texts["forbidden"])).to_be_visible()
    shoot(page, f"{lang}-2-order")
    tee = page.locator("li.line").filter(has_text="Organic T-shirt")
    tee.get_by_label(texts["return_item"]).check()
    tee.get_by_label(texts["quantity"]).fill("1")
    tee.get_by_label(texts["reason"]).select_option("too_small")
    tee.get_by_label(texts["comment"]).fill(texts["comment_text"])
    page.get_by_role("button", name=texts["continue"]).click()

    expect(page.get_by_role("heading", name=texts["options_h"])).to_be_visible()
    page.get_by_label(texts["exchange"]).check()
    page.get_by_label(texts["pickup"]).check()
    page.get_by_label(texts["pickup_date"]).select_option(index=1)
    shoot(page, f"{lang}-3-options")
    page.get_by_role("button", name=texts["continue"]).click()

    expect(page.get_by_role("heading", name=texts["review_h"])).to_be_visible()
    expect(page.get_by_text(texts["value"])).to_be_visible()
    shoot(page, f"{lang}-4-review")
    page.get_by_role("button", name=texts["confirm"]).click()

    expect(page.locator("#rma")).to_be_visible()
    expect(page.get_by_role("heading", name=texts["approved"])).to_be_visible()
    shoot(page, f"{lang}-5-done")
    rma = page.locator("#rma").inner_text()
    page.locator("#tracking-link").click()

    expect(page.get_by_role("heading", name=rma)).to_be_visible()
    expect(page.get_by_text(texts["requested"])).to_be_visible()
    expect(page.locator("#next-step")).to_contain_text(texts["approved"])
    # The exchange card shows the size the shopper gets, not an amount.
    expect(page.locator(".new-variant")).to_have_text(texts["new_size"])
    shoot(page, f"{lang}-6-tracking")
    created = Return.objects.get(rma=rma)
    assert created.source == "portal"
    assert created.resolution == "exchange"


def test_full_return_in_spanish(
    page: Page, live_server: Any, shop_order: Order, shoot: Any
) -> None:
    page.set_extra_http_headers({"Accept-Language": "es-ES,es;q=0.9"})
    _full_return(
        page,
        live_server.url,
        shoot,
        "es",
        {
            "number": "Número de pedido",
            "contact": "Tu email",
            "find": "Buscar mi pedido",
            "order": "Pedido #7001",
            "forbidden": "Los artículos de la categoría «Tarjetas regalo» no se pueden devolver.",
            "return_item": "Devolver este artículo",
            "quantity": "Cantidad",
            "reason": "Motivo",
            "comment": "Comentario (opcional)",
            "comment_text": "Me queda pequeña",
            "continue": "Continuar",
            "options_h": "¿Reembolso, saldo o cambio?",
            "exchange": "Cambio por otra talla o color",
            "pickup": "Recogida por mensajero en tu dirección",
            "pickup_date": "Fecha de recogida",
            "review_h": "Revisa y confirma tu devolución",
            "value": "Recibes",
            "confirm": "Confirmar la devolución",
            "requested": "Devolución solicitada",
            "approved": "Tu devolución está aprobada",
            "new_size": "Talla: L · Color: navy",
        },
    )


def test_full_return_in_english_via_the_switcher(
    page: Page, live_server: Any, shop_order: Order, shoot: Any
) -> None:
    page.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(f"{live_server.url}/s/moda/")
    page.get_by_role("button", name="English").click()
    _full_return(
        page,
        live_server.url,
        shoot,
        "en",
        {
            "number": "Order number",
            "contact": "Your email",
            "find": "Find my order",
            "order": "Order #7001",
            "forbidden": "Items in the category “Gift cards” cannot be returned.",
            "return_item": "Return this item",
            "quantity": "Quantity",
            "reason": "Reason",
            "comment": "Comment (optional)",
            "comment_text": "Too tight",
            "continue": "Continue",
            "options_h": "Refund, credit or exchange?",
            "exchange": "Exchange for another size or colour",
            "pickup": "Carrier pickup at your address",
            "pickup_date": "Pickup date",
            "review_h": "Check and confirm your return",
            "value": "You get",
            "confirm": "Confirm return",
            "requested": "Return requested",
            "approved": "Your return is approved",
            "new_size": "Size: L · Colour: navy",
        },
    )


def test_wrong_email_lookup(page: Page, live_server: Any, shop_order: Order, shoot: Any) -> None:
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server.url}/s/moda/")
    page.get_by_label("Order number").fill("#7001")
    page.get_by_label("Your email").fill("someone@example.com")
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "We could not find an order with these details"
    )
    shoot(page, "en-wrong-email")


def test_forbidden_item_cannot_be_chosen(
    page: Page, live_server: Any, shop_order: Order, shoot: Any
) -> None:
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server.url}/s/moda/")
    page.get_by_label("Order number").fill("7001")
    page.get_by_label("Your email").fill("ana@example.com")
    page.get_by_role("button", name="Find my order").click()
    card = page.locator("li.line").filter(has_text="Gift card")
    expect(card).to_contain_text("This item cannot be returned")
    expect(card.get_by_label("Return this item")).to_have_count(0)
    # Continuing with nothing chosen explains itself and writes nothing.
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one item to return.")
    shoot(page, "en-forbidden-item")
    assert Return.objects.count() == 0
