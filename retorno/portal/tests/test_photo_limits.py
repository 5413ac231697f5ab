"""The shopper's photos: a file declaring more pixels than a phone photo needs is refused with
a clear message before any pixel is decoded, and so is a submission whose photos together are
too much work. Nothing is stored."""

from __future__ import annotations

import io
import pathlib
from unittest import mock

from django.test import Client
from PIL import Image, ImageFile

from retorno.core import images
from retorno.portal.tests.test_claims import report
from retorno.portal.tests.test_portal import choose, lookup


def png(size: tuple[int, int], name: str = "photo.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    out.name = name
    return out


def _stored(settings) -> list[pathlib.Path]:
    return list(pathlib.Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_a_6300_square_png_is_refused_unread_on_the_items_page(
    client: Client, shop, order, settings
):
    lookup(client, shop)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    bomb = png((6300, 6300), "bomb.png")
    with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")):
        response = choose(client, shop, order, reason="defective", photos=bomb)
    assert response.status_code == 422
    body = response.content.decode()
    assert "«bomb.png» mide 6300 × 6300 píxeles (39,7 megapíxeles)" in body
    assert _stored(settings) == []


def test_a_submission_over_the_pixel_budget_is_refused_before_any_photo(
    client: Client, shop, order, settings, monkeypatch
):
    monkeypatch.setattr(images, "MAX_PIXELS_PER_SUBMISSION", 2_000_000)
    lookup(client, shop)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with mock.patch.object(images, "reencoded") as reencoded:
        response = choose(client, shop, order, reason="defective", photos=png((2000, 1200)))
    assert response.status_code == 422
    assert "These photos are 2.4 megapixels together; up to 2.0 can be sent at once." in (
        response.content.decode()
    )
    assert not reencoded.called
    assert _stored(settings) == []


def test_a_claim_with_a_bomb_is_refused(client: Client, shop, order, settings):
    lookup(client, shop)
    response = report(client, shop, order, photos=png((6300, 6300), "bomb.png"))
    assert response.status_code == 422
    assert "6300 × 6300" in response.content.decode()
    assert _stored(settings) == []


def test_a_png_header_with_no_pixels_is_a_message_not_a_500(client: Client, shop, order, settings):
    from retorno.core.tests.test_images_crafted import png_header

    lookup(client, shop)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    crafted = io.BytesIO(png_header(4000, 3000))
    crafted.name = "empty.png"
    response = choose(client, shop, order, reason="defective", photos=crafted)
    assert response.status_code == 422
    assert "“empty.png” is not a photo." in response.content.decode()
    assert _stored(settings) == []
