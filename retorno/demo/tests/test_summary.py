"""The summary `make run` ends with: the orders it names can be returned right now with the
e-mail it names, through the portal (one simple, one exchange, one that goes to review),
whatever day the demo was built; and it says where the e-mails and the logs go."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from retorno.demo import data
from retorno.demo.generator import DEMO_API_KEY, demo_create
from retorno.demo.showcase import showcase_orders, showcase_orders_ensure
from retorno.demo.summary import demo_summary, summary_lines
from retorno.orders.models import Order
from retorno.returns.models import Return
from retorno.stores.models import Store

TINY = {"customers": 20, "orders": 40}


@pytest.fixture
def demo(db: None) -> Store:
    return demo_create(**TINY).store


def named(store: Store) -> dict[str, tuple[str, str]]:
    """kind -> (order number, e-mail) as the summary prints them, read back from its text."""
    summary = demo_summary(store, now=timezone.now())
    text = "\n".join(summary_lines(summary))
    found = {}
    for order in summary.orders:
        assert f"{order.number}  {order.email}" in text
        found[order.kind] = (order.number, order.email)
    return found


def start(client: Client, number: str, email: str) -> Order:
    """Open the order in the portal as the shopper would, with the number and e-mail given."""
    response = client.post(
        reverse("portal:store", args=["demo"]), {"number": number, "email": email}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == reverse("portal:order", args=["demo"])
    return Order.objects.get(store__slug="demo", number=number)


def pick_every_item(client: Client, order: Order, reason: str) -> None:
    page = client.get(reverse("portal:order", args=["demo"]))
    assert page.status_code == 200
    data = {}
    for row in page.context["rows"]:
        assert row["returnable"] >= 1, row["line"].title  # every item can go back now
        prefix = f"l{row['line'].id}"
        data |= {f"{prefix}-selected": "on", f"{prefix}-quantity": "1", f"{prefix}-reason": reason}
    response = client.post(reverse("portal:order", args=["demo"]), data)
    assert response.status_code == 302, page.context


def choose(client: Client, resolution: str, method: str, **extra: str) -> Any:
    page = client.get(reverse("portal:resolution", args=["demo"]))
    form = page.context["form"]
    data = {"resolution": resolution, "method": method, **extra}
    if method == "pickup":
        data["pickup_date"] = form.fields["pickup_date"].choices[1][0]
        data |= {"a-name": "Emma Clarke", "a-line1": "Calle de Fuencarral, 45"}
        data |= {"a-postal_code": "28004", "a-city": "Madrid", "a-country": "ES"}
    response = client.post(reverse("portal:resolution", args=["demo"]), data)
    assert response.status_code == 302, response.context["form"].errors
    return form


def confirm(client: Client) -> tuple[Any, Return]:
    page = client.get(reverse("portal:review", args=["demo"]))
    assert page.status_code == 200
    done = client.post(
        reverse("portal:review", args=["demo"]), {"submission": page.context["submission"]}
    )
    assert done.status_code == 302
    return page, Return.objects.get(tracking_token=done["Location"].rstrip("/").split("/")[-1])


def test_the_named_orders_are_one_of_each_kind_and_returnable_with_the_named_email(
    demo: Store,
) -> None:
    orders = named(demo)
    assert list(orders) == ["simple", "exchange", "review"]
    assert len({email for _, email in orders.values()}) == 3
    for number, email in orders.values():
        client = Client()
        start(client, number, email)
        # The e-mail is what opens it: another's does not.
        other = next(e for _, e in orders.values() if e != email)
        wrong = Client().post(
            reverse("portal:store", args=["demo"]), {"number": number, "email": other}
        )
        assert wrong.status_code == 404


def test_the_simple_order_is_approved_at_once_and_books_a_label(demo: Store) -> None:
    number, email = named(demo)["simple"]
    client = Client()
    order = start(client, number, email)
    pick_every_item(client, order, "changed_mind")
    choose(client, "refund", "self_ship")
    page, created = confirm(client)
    assert not page.context["review_reasons"]
    assert created.status == "approved"
    assert created.method == "self_ship"
    assert created.items.count() == order.lines.count() == 2


def test_the_exchange_order_offers_the_next_size_and_is_approved(demo: Store) -> None:
    number, email = named(demo)["exchange"]
    client = Client()
    order = start(client, number, email)
    pick_every_item(client, order, "too_small")
    page = client.get(reverse("portal:resolution", args=["demo"]))
    form = page.context["form"]
    assert "exchange" in [value for value, _ in form.fields["resolution"].choices]
    [name] = form.exchange_names
    proposed = form.fields[name].initial
    line = order.lines.get()
    bigger = line.variant.product.variants.get(id=proposed)
    sizes = list(data.SHOE_SIZES)
    assert sizes.index(bigger.options["size"]) == sizes.index(line.options["size"]) + 1
    assert bigger.stock > 0
    choose(client, "exchange", "pickup", **{name: str(proposed)})
    _, created = confirm(client)
    assert created.resolution == "exchange"
    assert created.status == "approved"
    assert created.items.get().exchange_variant_id == int(proposed)


def test_the_review_order_goes_to_an_agent(demo: Store) -> None:
    number, email = named(demo)["review"]
    client = Client()
    order = start(client, number, email)
    pick_every_item(client, order, "not_as_described")
    choose(client, "refund", "drop_off")
    page, created = confirm(client)
    assert page.context["review_reasons"]
    assert created.status == "pending_review"
    assert created.requires_review


def test_whatever_day_the_demo_was_built_the_next_run_names_orders_returnable_today(
    db: None,
) -> None:
    built = timezone.now().date() - timedelta(days=75)
    store = demo_create(today=built, **TINY).store
    old = {order.number for order in Order.objects.filter(store=store, number__startswith="TD-9")}
    assert len(old) == 3
    summary = demo_summary(store, now=timezone.now())
    assert summary.orders == []  # their windows closed long ago: none is named
    assert "run `retorno demo`" in "\n".join(summary_lines(summary))

    demo_create(**TINY)
    orders = named(store)
    assert list(orders) == ["simple", "exchange", "review"]
    assert not {number for number, _ in orders.values()} & old
    for number, email in orders.values():
        start(Client(), number, email)


def test_an_order_already_returned_is_replaced_on_the_next_run(demo: Store) -> None:
    number, email = named(demo)["simple"]
    client = Client()
    order = start(client, number, email)
    pick_every_item(client, order, "changed_mind")
    choose(client, "refund", "self_ship")
    confirm(client)
    assert "simple" not in dict(showcase_orders(demo, now=timezone.now()))

    again = showcase_orders_ensure(demo, now=timezone.now())
    assert again[0].number != number
    assert again[0].customer.email == email
    assert named(demo)["simple"] == (again[0].number, email)


def test_the_summary_has_the_portal_logins_key_and_where_mail_and_logs_go(
    demo: Store, settings: Any, tmp_path: Any
) -> None:
    settings.RETORNO_PUBLIC_URL = "http://127.0.0.1:8300"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.LOG_FILE = str(tmp_path / "log" / "retorno.log")
    settings.LOG_LEVEL = "INFO"
    text = "\n".join(summary_lines(demo_summary(demo, now=timezone.now())))
    assert "http://127.0.0.1:8300/s/demo/" in text
    assert "http://127.0.0.1:8300/staff/" in text
    assert "lucia.admin (admin)" in text
    assert "carlos.agent (agent)" in text
    assert "password retorno-demo" in text
    assert max(len(line) for line in text.splitlines() if str(tmp_path) not in line) <= 100
    assert "admin / retorno-demo" in text
    assert f"http://127.0.0.1:8300/api/v1/docs  key {DEMO_API_KEY}" in text
    assert f"written to {tmp_path / 'mail'}/" in text
    assert f"{tmp_path / 'log' / 'retorno.log'} at INFO" in text
    assert len(text.splitlines()) <= 25  # short enough to stay on one screen

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.LOG_FILE = ""
    text = "\n".join(summary_lines(demo_summary(demo, now=timezone.now(), api_key="rtn_nope")))
    assert "printed in this terminal" in text
    assert "Logs          this terminal" in text
    assert "rtn_nope" not in text
    assert "--api-key" in text


def test_retorno_demo_ends_with_the_summary_unless_told_not_to(db: None) -> None:
    out = StringIO()
    call_command("demo", "--customers", "20", "--orders", "40", stdout=out)
    text = out.getvalue()
    numbers = [o.number for o in Order.objects.filter(number__startswith="TD-9")]
    assert text.rstrip().endswith("─" * 78)
    assert all(number in text for number in numbers)
    out = StringIO()
    call_command("demo", "--customers", "20", "--orders", "40", "--no-summary", stdout=out)
    assert not any(number in out.getvalue() for number in numbers)


def test_demo_summary_waits_for_the_server_then_prints(
    live_server: Any, transactional_db: None
) -> None:
    demo_create(**TINY)
    out = StringIO()
    call_command("demo_summary", "--wait-for", f"{live_server.url}/health", stdout=out)
    assert "TD-900001  ana.martin@example.com" in out.getvalue()


def test_demo_summary_gives_up_on_a_server_that_stopped_or_never_answers(db: None) -> None:
    with pytest.raises(CommandError, match="did not answer within 1 s"):
        call_command("demo_summary", "--wait-for", "http://127.0.0.1:9/health", "--timeout", "1")
    with pytest.raises(CommandError, match="a server on this machine"):
        call_command("demo_summary", "--wait-for", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(CommandError, match="The server stopped"):
        call_command(
            "demo_summary", "--wait-for", "http://127.0.0.1:9/", "--server-pid", str(2**22 + 7)
        )
