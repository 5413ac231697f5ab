"""CSV import of orders and the catalogue: the dry run names every bad row by line and field,
the job writes the rest in chunks with its progress, and importing twice changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.core.models import OutboxMessage, OutboxStatus
from retorno.core.outbox import claim_timeout, outbox_deliver_one, outbox_due_ids
from retorno.orders.models import CsvImport, ImportState, Order, OrderLine, Product, Variant
from retorno.orders.services import csv_import
from retorno.orders.services.csv_import import csv_check, csv_import_run, csv_import_start

pytestmark = pytest.mark.django_db

HEADER = (
    "order_id,placed_at,currency,customer_email,customer_name,order_discount,sku,title,"
    "quantity,unit_price,line_tax\n"
)
GOOD = (
    HEADER
    + "1001,2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,10.00,TEE-M,T-shirt,2,20.00,4.20\n"
    + "1001,2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,10.00,MUG,Mug,1,10.00,2.10\n"
    + "1002,2026-11-02T10:00:00+01:00,EUR,bo@example.com,Bo,,SOCK,Socks,3,5.00,\n"
)


def snapshot():
    return (
        list(Order.objects.order_by("id").values()),
        list(OrderLine.objects.order_by("id").values()),
        list(Product.objects.order_by("id").values()),
        list(Variant.objects.order_by("id").values()),
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Check a file and start its import; the job runs from the outbox after commit."""

    def checked_and_started(store, text: str, kind: str = "orders", **kwargs) -> CsvImport:
        job = csv_check(store=store, kind=kind, data=text.encode(), **kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            csv_import_start(store=store, import_id=job.id)
        job.refresh_from_db()
        return job

    return checked_and_started


def test_orders_are_imported_with_their_lines_and_discount(store, run):
    job = run(store, GOOD)
    assert (job.state, job.rows, job.records, job.written, job.created) == ("done", 3, 2, 2, 2)
    order = Order.objects.get(store=store, external_id="1001")
    assert order.discount_amount == Decimal("10.00")
    shares = list(order.lines.values_list("external_id", "order_discount_amount"))
    assert shares == [("1001-1", Decimal("8.00")), ("1001-2", Decimal("2.00"))]
    assert order.customer.email == "ana@example.com"
    assert job.content == ""  # not kept once imported


def test_importing_the_same_file_twice_changes_nothing(store, run):
    run(store, GOOD)
    before = snapshot()
    again = run(store, GOOD)
    assert (again.state, again.written, again.created) == ("done", 2, 0)
    assert snapshot() == before


def test_the_dry_run_reports_every_bad_row_with_line_and_field_and_imports_nothing(store):
    text = (
        HEADER
        + "1,2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,,A,A,0,20.00,\n"  # line 2: quantity
        + "2,2026-11-01T10:00:00,EUR,ana@example.com,Ana,,B,B,1,20.005,\n"  # 3: time, price
        + "3,2026-11-01T10:00:00Z,XXX,not-an-email,Ana,,C,C,1,1.00,\n"  # 4: currency, email
        + "4,2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,30.01,D,D,1,30.00,\n"  # 5: discount
        + "5,2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,,E,E,1,3.00,\n"  # good
        + "5,2026-11-02T10:00:00Z,EUR,ana@example.com,Ana,,F,F,1,3.00,\n"  # 7: mismatch
        + ",2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,,G,G,1,3.00,\n"  # 8: no order id
    )
    job = csv_check(store=store, kind="orders", data=text.encode())
    found = [(p["line"], p["field"], p["code"]) for p in job.problems]
    assert found == [
        (2, "quantity", "invalid_number"),
        (3, "placed_at", "time_without_offset"),
        (3, "unit_price", "invalid_amount"),
        (4, "currency", "unknown_currency"),
        (4, "customer_email", "invalid_email"),
        (5, "order_discount", "discount_exceeds_lines"),
        (7, "placed_at", "order_mismatch"),
        (8, "order_id", "required"),
    ]
    # Line 6 is good, but its order is refused whole with line 7.
    assert (job.rows, job.records, job.refused) == (7, 0, 6)
    assert Order.objects.count() == 0
    with pytest.raises(Conflict) as caught:
        csv_import_start(store=store, import_id=job.id)
    assert caught.value.code == "nothing_to_import"


def test_a_mapping_reads_other_headers_and_a_missing_required_column_is_refused(store, run):
    text = "Order,Date,Cur,Mail,Item,Qty,Price\n9,2026-11-01T10:00:00Z,EUR,a@b.es,X,1,2.00\n"
    with pytest.raises(Unprocessable) as caught:
        csv_check(store=store, kind="orders", data=text.encode())
    assert caught.value.code == "required_column_missing"
    mapping = {
        "order_id": "Order",
        "placed_at": "Date",
        "currency": "Cur",
        "customer_email": "Mail",
        "sku": "Item",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    job = run(store, text, mapping=mapping)
    assert job.state == "done"
    assert Order.objects.get(external_id="9").lines.get().sku == "X"
    with pytest.raises(Unprocessable) as caught:
        csv_check(
            store=store, kind="orders", data=text.encode(), mapping={**mapping, "sku": "Nope"}
        )
    assert caught.value.code == "header_not_found"


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty_file"), (b"\xff\xfe\x00a", "not_utf8")],
)
def test_an_unreadable_file_is_refused_with_a_code(store, data, code):
    with pytest.raises(Unprocessable) as caught:
        csv_check(store=store, kind="orders", data=data)
    assert caught.value.code == code


CATALOG = (
    "product_id;title;category;sku;price;stock;options\n"
    "P1;Tee;Apparel;TEE-S;19.90;5;size=S\n"
    "P1;Tee;Apparel;TEE-M;19.90;3;size=M\n"
    "P2;Mug;Home;MUG;9.50;;\n"
)


def test_the_catalogue_is_imported_and_twice_changes_nothing(store, run):
    job = run(store, CATALOG, kind="catalog")
    assert (job.state, job.records, job.created) == ("done", 2, 2)
    tee = Product.objects.get(store=store, external_id="P1")
    assert tee.category == "apparel"
    assert sorted(tee.variants.values_list("sku", "stock")) == [("TEE-M", 3), ("TEE-S", 5)]
    assert Variant.objects.get(sku="TEE-S").options == {"size": "S"}
    before = snapshot()
    run(store, CATALOG, kind="catalog")
    assert snapshot() == before
    run(store, CATALOG.replace("TEE-M;19.90;3", "TEE-M;21.00;7"), kind="catalog")
    assert Variant.objects.get(sku="TEE-M").price == Decimal("21.00")


def test_a_sku_of_another_product_and_a_bad_catalogue_row_are_named(store, run):
    run(store, CATALOG, kind="catalog")
    text = (
        "product_id,title,sku,price,stock,url\n"
        "P3,Cap,MUG,5.00,1,\n"  # MUG is P2's
        "P4,Hat,HAT,-1.00,1,\n"
        "P5,Bag,BAG,5.00,x,ftp://x\n"
        "P6,Pin,PIN,1.00,1,\n"
    )
    job = csv_check(store=store, kind="catalog", data=text.encode())
    assert [(p["line"], p["field"], p["code"]) for p in job.problems] == [
        (2, "sku", "sku_taken"),
        (3, "price", "invalid_amount"),
        (4, "stock", "invalid_number"),
        (4, "url", "invalid_url"),
    ]
    assert job.records == 1


def test_an_interrupted_import_goes_on_from_its_last_chunk(store, monkeypatch):
    monkeypatch.setattr(csv_import, "CHUNK", 1)
    job = csv_check(store=store, kind="orders", data=GOOD.encode())
    CsvImport.objects.filter(id=job.id).update(state=ImportState.QUEUED)
    calls = []

    def stop_after_first(progress):
        calls.append(progress.written)
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        csv_import_run(job.id, on_progress=stop_after_first)
    assert Order.objects.count() == 1
    done = csv_import_run(job.id)
    assert (done.state, done.written, done.created) == ("done", 2, 2)
    assert Order.objects.count() == 2


def test_another_store_cannot_start_or_read_an_import(store, other_store):
    job = csv_check(store=store, kind="orders", data=GOOD.encode())
    with pytest.raises(NotFound) as caught:
        csv_import_start(store=other_store, import_id=job.id)
    assert caught.value.code == "import_not_found"
    assert CsvImport.objects.get(id=job.id).state == ImportState.CHECKED


def test_the_command_line_dry_run_lists_problems_and_the_import_shows_progress(store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1,2026-11-01T10:00:00Z,EUR,ana@example.com,Ana,,A,A,0,2.00,\n")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_csv", "orders", str(bad), store=store.slug, stdout=out)
    assert "line 2, quantity:" in out.getvalue()
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    out = io.StringIO()
    call_command("import_csv", "orders", str(good), store=store.slug, dry_run=True, stdout=out)
    assert Order.objects.count() == 0
    call_command("import_csv", "orders", str(good), store=store.slug, stdout=out)
    assert "Imported 2 orders (2 new)" in out.getvalue()
    assert Order.objects.count() == 2


def _big_file(orders: int) -> str:
    rows = [HEADER]
    for n in range(orders):
        for k, (sku, price) in enumerate((("TEE-M", "20.00"), ("MUG", "10.00"))):
            rows.append(
                f"B{n},2026-11-01T10:{n % 60:02d}:00Z,EUR,c{n}@example.com,Cliente {n},"
                f'{n % 3}.00,{sku},Item {k} "quoted" \\ tab\t,{1 + n % 2},{price},1.05\n'
            )
    return "".join(rows)


def _written(store):
    """The store's orders and lines, without ids and times (compared across stores)."""
    orders = {
        o.external_id: (o.number, o.currency, o.placed_at, o.discount_amount, o.customer.email)
        for o in Order.objects.filter(store=store).select_related("customer")
    }
    lines = sorted(
        OrderLine.objects.filter(order__store=store).values_list(
            "order__external_id",
            "external_id",
            "sku",
            "title",
            "quantity",
            "unit_price",
            "order_discount_amount",
            "tax_amount",
        )
    )
    return orders, lines


def test_a_large_import_writes_what_row_by_row_writes_and_twice_changes_nothing(
    store, other_store, run, monkeypatch
):
    """Chunks of many rows reach PostgreSQL by COPY into a temporary table; the rows written
    are the ones the statement-bound upsert writes, and a second import changes nothing."""
    text = _big_file(300)  # 600 rows: chunks far above the COPY threshold
    job = run(store, text)
    assert (job.state, job.created, job.refused) == ("done", 300, 0)
    before = snapshot()
    again = run(store, text)
    assert (again.state, again.created) == ("done", 0)
    assert snapshot() == before

    monkeypatch.setattr("retorno.orders.upserts.COPY_FROM", 10**9)  # the bound-array path
    run(other_store, text)
    assert _written(other_store) == _written(store)
    assert len(_written(store)[1]) == 600


def _queued_import(store, monkeypatch) -> tuple[CsvImport, OutboxMessage]:
    """An import of GOOD started (its outbox message pending, not yet delivered), written one
    order a chunk."""
    monkeypatch.setattr(csv_import, "CHUNK", 1)
    job = csv_check(store=store, kind="orders", data=GOOD.encode())
    csv_import_start(store=store, import_id=job.id)  # delivery would follow the commit
    return job, OutboxMessage.objects.get(kind=csv_import.IMPORT_KIND)


def test_an_import_longer_than_the_claim_timeout_is_not_taken_by_a_second_worker(
    store, monkeypatch
):
    """The worker claimed the import long ago (more than the claim timeout): without its
    heartbeat the sweeper would take it for a dead worker's and a second worker would run it
    again. After each chunk the claim is renewed, so neither happens."""
    job, message = _queued_import(store, monkeypatch)
    long_ago = timezone.now() - 3 * claim_timeout()
    OutboxMessage.objects.filter(id=message.id).update(next_attempt_at=long_ago)
    seen: list[tuple[bool, str]] = []
    renew = csv_import.outbox_heartbeat

    def heartbeat_then_a_second_worker(held, **kwargs):
        renew(held, **kwargs)
        seen.append((message.id in outbox_due_ids(), outbox_deliver_one(message.id)))

    monkeypatch.setattr(csv_import, "outbox_heartbeat", heartbeat_then_a_second_worker)
    assert outbox_deliver_one(message.id, now=long_ago) == OutboxStatus.DELIVERED
    assert seen == [(False, "skipped"), (False, "skipped")]  # after each of the two chunks
    job.refresh_from_db()
    assert (job.state, job.written, job.created) == ("done", 2, 2)
    assert Order.objects.filter(store=store).count() == 2


def test_an_import_whose_claim_was_taken_stops_and_leaves_the_message_to_the_other_worker(
    store, monkeypatch
):
    job, message = _queued_import(store, monkeypatch)
    renew = csv_import.outbox_heartbeat

    def claim_taken_first(held, **kwargs):
        # The sweeper handed the message to another worker while this one was stalled.
        OutboxMessage.objects.filter(id=held.id).update(claimed_at=timezone.now())
        renew(held, **kwargs)

    monkeypatch.setattr(csv_import, "outbox_heartbeat", claim_taken_first)
    assert outbox_deliver_one(message.id) == "skipped"
    message.refresh_from_db()
    assert message.status == OutboxStatus.PROCESSING  # the other worker's, untouched
    job.refresh_from_db()
    assert (job.state, job.written) == ("running", 1)  # stopped after its first chunk
    monkeypatch.setattr(csv_import, "outbox_heartbeat", renew)
    done = csv_import_run(job.id)  # the other worker goes on from there
    assert (done.state, done.written, done.created) == ("done", 2, 2)
