"""Opening a claim from the back office: by order number or from a return, who may, bad input,
double submit, and another store's order."""

from __future__ import annotations

import io
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from retorno.backoffice.tests.conftest import make_return
from retorno.money.models import Claim
from retorno.orders.models import Order
from retorno.orders.tests.factories import line_payload, make_order
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
OPEN_URL = reverse("backoffice:claim_open")
HANDLERS = {"admin", "agent", "finance"}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def order(store: Store) -> Order:
    return make_order(
        store,
        external_id="7001",
        lines=[
            line_payload("7001-1", title="Lamp", quantity=2),
            line_payload("7001-2", title="Bulb", quantity=4),
        ],
    )


def png(name: str = "photo.png") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(out, format="PNG")
    out.seek(0)
    out.name = name
    return out


def form_page(client: Client, number: str = "#7001", **params: str):
    return client.get(OPEN_URL, {"order": number, **params}, HTTP_ACCEPT_LANGUAGE="en")


def submit(client: Client, order: Order, *, token: str | None = None, **fields: Any):
    """Post the form for the lamp line (1 unit, arrived damaged); `fields` override."""
    if token is None:
        token = form_page(client, order.number).context["submission"]
    lamp = order.lines.get(external_id="7001-1")
    data: dict[str, Any] = {
        "submission": token,
        "order": order.external_id,
        f"l{lamp.id}-selected": "on",
        f"l{lamp.id}-units": "1",
        "reason": "damaged_in_transit",
        "note": "Customer called: the lamp shade is cracked.",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(OPEN_URL, data, HTTP_ACCEPT_LANGUAGE="en")


def test_lookup_page_then_the_orders_lines(
    signed_in: Callable[[str], Client], order: Order
) -> None:
    client = signed_in("agent")
    empty = client.get(OPEN_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 200
    assert 'id="order-form"' in empty.content.decode()
    for typed in ("#7001", "7001"):
        page = form_page(client, typed)
        assert page.status_code == 200
        body = page.content.decode()
        assert "Lamp" in body
        assert "Bulb" in body
        assert 'id="claim-form"' in body
        assert "Arrived damaged" in body


def test_agent_opens_a_claim_with_a_photo(
    signed_in: Callable[[str], Client], staff: dict[str, Any], order: Order, settings: Any
) -> None:
    client = signed_in("agent")
    response = submit(client, order, photos=png())
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:claim_opened", args=[claim.number])
    assert claim.order_id == order.id
    assert claim.reason == "damaged_in_transit"
    assert claim.description == "Customer called: the lamp shade is cracked."
    assert claim.created_by == staff["agent"].get_username()
    assert list(claim.lines.values_list("order_line__external_id", "units")) == [("7001-1", 1)]
    [photo] = claim.photos.all()
    assert photo.path.startswith("claims/")
    assert Image.open(pathlib.Path(settings.MEDIA_ROOT, photo.path)).format == "JPEG"
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert claim.number in done
    assert "Lamp × 1" in done


def test_spanish_page(signed_in: Callable[[str], Client], order: Order) -> None:
    client = signed_in("agent")
    body = client.get(OPEN_URL, {"order": "7001"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Abrir una reclamación" in body
    assert "Llegó dañado" in body


def test_link_from_the_return_page_fills_in_the_order(
    signed_in: Callable[[str], Client], store: Store
) -> None:
    ret = make_return(store)
    client = signed_in("agent")
    detail = client.get(reverse("backoffice:return", args=[ret.rma])).content.decode()
    assert 'id="open-claim"' in detail
    page = client.get(OPEN_URL, {"order": ret.order.number, "return": ret.rma})
    assert page.status_code == 200
    body = page.content.decode()
    assert page.context["order"].id == ret.order_id
    assert reverse("backoffice:return", args=[ret.rma]) in body  # the way back


def test_warehouse_sees_no_link_and_gets_403(
    signed_in: Callable[[str], Client], store: Store, order: Order
) -> None:
    ret = make_return(store)
    client = signed_in("warehouse")
    detail = client.get(reverse("backoffice:return", args=[ret.rma])).content.decode()
    assert 'id="open-claim"' not in detail
    assert client.get(OPEN_URL).status_code == 403
    assert form_page(client).status_code == 403
    lamp = order.lines.get(external_id="7001-1")
    posted = client.post(
        OPEN_URL,
        {
            "order": "7001",
            f"l{lamp.id}-selected": "on",
            f"l{lamp.id}-units": "1",
            "reason": "missing_item",
            "submission": "t",
        },
    )
    assert posted.status_code == 403
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("role", ["admin", "agent", "warehouse", "finance", "analyst"])
def test_who_may_open_claims(signed_in: Callable[[str], Client], order: Order, role: str) -> None:
    client = signed_in(role)
    allowed = role in HANDLERS
    assert form_page(client).status_code == (200 if allowed else 403)
    claims_page = client.get(reverse("backoffice:claims"))
    assert claims_page.status_code == (403 if role == "warehouse" else 200)
    assert (f'href="{OPEN_URL}"' in claims_page.content.decode()) == allowed
    response = submit(client, order, token="t-" + role) if allowed else None
    assert Claim.objects.count() == (1 if allowed else 0)
    if response is not None:
        assert response.status_code == 302


def test_anonymous_is_sent_to_sign_in(client: Client, order: Order) -> None:
    response = client.get(OPEN_URL)
    assert response.status_code == 302
    assert reverse("backoffice:login") in response["Location"]


# --- tenancy -------------------------------------------------------------------------------------


@pytest.fixture
def foreign_order(other_store: Store) -> Order:
    return make_order(other_store, external_id="9001", lines=[line_payload("9001-1")])


def test_another_stores_order_is_not_found(
    signed_in: Callable[[str], Client], order: Order, foreign_order: Order
) -> None:
    client = signed_in("agent")
    page = form_page(client, "#9001")
    assert page.status_code == 404
    assert "No order with this number in this store." in page.content.decode()
    line = foreign_order.lines.get()
    posted = client.post(
        OPEN_URL,
        {
            "order": "9001",
            "submission": "t",
            f"l{line.id}-selected": "on",
            f"l{line.id}-units": "1",
            "reason": "missing_item",
        },
    )
    assert posted.status_code == 404
    assert Claim.objects.count() == 0


def test_the_other_stores_agent_cannot_open_or_read_ours(
    signed_in: Callable[[str], Client], order: Order
) -> None:
    submit(signed_in("agent"), order)
    claim = Claim.objects.get()
    outsider = signed_in("other_agent")
    assert form_page(outsider).status_code == 404
    lamp = order.lines.get(external_id="7001-1")
    posted = outsider.post(
        OPEN_URL,
        {
            "order": "7001",
            "submission": "t2",
            f"l{lamp.id}-selected": "on",
            f"l{lamp.id}-units": "1",
            "reason": "missing_item",
        },
    )
    assert posted.status_code == 404
    assert outsider.get(reverse("backoffice:claim_opened", args=[claim.number])).status_code == 404
    assert Claim.objects.count() == 1


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lamp-selected": None}, "Tick at least one item. Nothing was opened."),
        ({"lamp-units": "3"}, "At most 2: the units bought."),
        ({"lamp-units": ""}, "Give the number of units."),
        ({"reason": "changed_mind"}, "Choose a reason from the list."),
        ({"reason": ""}, "Correct the fields marked below. Nothing was opened."),
        ({"photos": "not a file"}, None),
    ],
)
def test_bad_input_is_explained_and_opens_nothing(
    signed_in: Callable[[str], Client],
    order: Order,
    settings: Any,
    fields: dict[str, Any],
    message: str | None,
) -> None:
    client = signed_in("agent")
    lamp = order.lines.get(external_id="7001-1")
    overrides = {k.replace("lamp-", f"l{lamp.id}-"): v for k, v in fields.items()}
    if "photos" in overrides:
        fake = io.BytesIO(b"GIF89a but not really")
        fake.name = "evidence.gif"
        overrides["photos"] = fake
        message = "“evidence.gif” is not a photo."
    response = submit(client, order, **overrides)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Claim.objects.count() == 0
    assert not pathlib.Path(settings.MEDIA_ROOT, "claims").exists()


def test_too_many_photos(signed_in: Callable[[str], Client], order: Order) -> None:
    response = submit(signed_in("agent"), order, photos=[png(f"{i}.png") for i in range(7)])
    assert response.status_code == 422
    assert "At most 6 photos." in response.content.decode()
    assert Claim.objects.count() == 0


def test_double_submit_opens_one_claim(
    signed_in: Callable[[str], Client], order: Order, settings: Any
) -> None:
    client = signed_in("agent")
    token = form_page(client).context["submission"]
    first = submit(client, order, token=token, photos=png())
    second = submit(client, order, token=token, photos=png())
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Claim.objects.count() == 1
    assert len(list(pathlib.Path(settings.MEDIA_ROOT, "claims").rglob("*.jpg"))) == 1


def test_open_claims_on_the_order_are_shown(
    signed_in: Callable[[str], Client], order: Order
) -> None:
    client = signed_in("agent")
    submit(client, order)
    claim = Claim.objects.get()
    body = form_page(client).content.decode()
    assert 'id="open-claims"' in body
    assert claim.number in body


def test_the_shopper_is_told_once_even_when_the_form_is_sent_twice(
    signed_in: Callable[[str], Client], order: Order
) -> None:
    from retorno.notifications.models import Message

    client = signed_in("agent")
    token = form_page(client).context["submission"]
    submit(client, order, token=token)
    submit(client, order, token=token)
    claim = Claim.objects.get()
    [message] = Message.objects.filter(kind="claim_opened")
    assert (message.claim_number, message.recipient) == (claim.number, order.customer.email)


def test_units_already_claimed_are_explained_and_nothing_is_opened(
    signed_in: Callable[[str], Client], order: Order
) -> None:
    from retorno.notifications.models import Message

    client = signed_in("agent")
    lamp = order.lines.get(external_id="7001-1")
    assert submit(client, order, **{f"l{lamp.id}-units": "2"}).status_code == 302
    response = submit(client, order)  # the lamp's two units are in the first claim
    assert response.status_code == 422
    assert "already covered by another open or resolved claim" in response.content.decode()
    assert Claim.objects.count() == 1
    assert Message.objects.filter(kind="claim_opened").count() == 1
