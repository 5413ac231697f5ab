"""Evidence photos open for staff of the photo's store only, and show on the pages that cite them."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from retorno.backoffice.tests.conftest import make_return
from retorno.core import images
from retorno.returns.models import ReturnItem
from retorno.stores.models import Store


def _stored_photo(store: Store) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    limits = images.PhotoLimits(folder="portal", max_count=3, max_bytes=5_000_000, max_side=800)
    return images.store_photos(store.id, [upload], limits)[0]


def test_staff_of_the_store_see_the_photo_on_the_return_page(signed_in: Any, store: Store) -> None:
    name = _stored_photo(store)
    return_request = make_return(store)
    ReturnItem.objects.filter(return_request=return_request).update(photos=[name])
    client = signed_in("warehouse")

    page = client.get(reverse("backoffice:return", args=[return_request.rma])).content.decode()
    url = reverse("backoffice:photo", args=[name])
    assert f'src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8"  # a JPEG, re-encoded


def test_another_store_and_made_up_names_get_404(
    signed_in: Any, store: Store, other_store: Store
) -> None:
    ours = _stored_photo(store)
    theirs = _stored_photo(other_store)
    client = signed_in("agent")
    assert client.get(reverse("backoffice:photo", args=[theirs])).status_code == 404
    for name in (
        "../settings.py",
        f"portal/{store.id}/../../x.jpg",
        f"portal/{store.id}/nope.jpg",
        ours.replace(".jpg", ".png"),
    ):
        assert client.get(reverse("backoffice:photo", args=[name])).status_code == 404, name
    assert client.get(reverse("backoffice:photo", args=[ours])).status_code == 200


def test_anonymous_is_sent_to_sign_in(client: Any, store: Store) -> None:
    name = _stored_photo(store)
    response = client.get(reverse("backoffice:photo", args=[name]))
    assert response.status_code == 302
