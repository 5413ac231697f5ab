"""The warehouse systems' API: the advance notice of approved returns' units (JSON, CSV, X12
180 read back by an independent parser) and the per-SKU reconciliation with its flags."""

from __future__ import annotations

import csv
import io
import json

import pytest

from retorno.accounts.tests.factories import IssuedKey
from retorno.api.tests.client import ApiClient, problem
from retorno.domain.tests.test_advance_notice import parse_interchange, read_returns
from retorno.returns.workflows import inspection, receiving
from retorno.stores.models import Store
from retorno.warehouse import services as warehouse
from retorno.warehouse.tests.factories import STAFF, approved_return, line_of

pytestmark = pytest.mark.django_db


def _body(response) -> dict:
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def test_an_approved_return_is_announced_with_the_units_still_to_come(
    store: Store, other_store: Store, read_key: IssuedKey
) -> None:
    api = ApiClient(read_key)
    first = approved_return(store, sku="TEE-M", quantity=3, price="20.00")
    second = approved_return(store, sku="MUG", quantity=1)
    approved_return(other_store, sku="TEE-M")  # another store's: never shown
    receiving.return_receive_items(
        store=store, rma=first.rma, quantities={line_of(first): 1}, actor=STAFF
    )

    body = _body(api.get("/warehouse/advance-notice"))
    assert [(r["rma"], r["units"]) for r in body["returns"]] == [(first.rma, 2), (second.rma, 1)]
    assert body["units"] == 3
    line = body["returns"][0]["lines"][0]
    assert (line["sku"], line["quantity"], line["unit_value"], line["reason"]) == (
        "TEE-M",
        2,
        "20.00",
        "too_small",
    )

    response = api.get("/warehouse/advance-notice", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["rma"], r["sku"], r["quantity"]) for r in rows] == [
        (first.rma, "TEE-M", "2"),
        (second.rma, "MUG", "1"),
    ]

    response = api.get("/warehouse/advance-notice", {"format": "x12", "receiver": "ACME WMS"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/edi-x12"
    interchange = parse_interchange(response.content.decode())
    assert interchange["isa"][8].strip() == "ACME WMS"
    assert interchange["isa"][6].strip() == store.slug.upper()
    announced = read_returns(interchange)
    assert [(r["rma"], [(x["sku"], x["quantity"]) for x in r["lines"]]) for r in announced] == [
        (first.rma, [("TEE-M", 2)]),
        (second.rma, [("MUG", 1)]),
    ]

    only = _body(api.get("/warehouse/advance-notice", {"rma": second.rma.lower()}))
    assert [r["rma"] for r in only["returns"]] == [second.rma]


def test_nothing_expected_and_bad_periods(store: Store, read_key: IssuedKey) -> None:
    api = ApiClient(read_key)
    assert api.get("/warehouse/advance-notice", {"format": "x12"}).status_code == 204
    assert _body(api.get("/warehouse/advance-notice"))["returns"] == []
    problem(
        api.get("/warehouse/advance-notice", {"from": "2026-03-02", "to": "2026-03-01"}),
        422,
        "invalid_period",
    )
    problem(
        api.get("/warehouse/reconciliation", {"from": "2024-01-01", "to": "2026-01-01"}),
        422,
        "period_too_large",
    )
    assert api.get("/warehouse/advance-notice", {"format": "edi"}).status_code == 422
    assert api.get("/warehouse/advance-notice", {"receiver": "A*B~"}).status_code == 422
    assert ApiClient().get("/warehouse/reconciliation").status_code == 401


def test_the_reconciliation_counts_each_sku_and_flags_what_does_not_add_up(
    store: Store, read_key: IssuedKey
) -> None:
    api = ApiClient(read_key)
    done = approved_return(store, sku="TEE-M", quantity=2, stock=5)
    receiving.return_receive_items(
        store=store,
        rma=done.rma,
        quantities={line_of(done): 2},
        unexpected=[receiving.UnexpectedInput("SOCK", 1)],
        actor=STAFF,
    )
    inspection.return_inspect_items(
        store=store,
        rma=done.rma,
        inspections=[warehouse.InspectionInput(line=line_of(done), grade="new")],
        actor=STAFF,
    )
    inspection.return_item_disposition_set(
        store=store, rma=done.rma, line=line_of(done), actor=STAFF
    )
    approved_return(store, sku="MUG", quantity=1)  # on its way

    body = _body(api.get("/warehouse/reconciliation"))
    rows = {row["sku"]: row for row in body["skus"]}
    assert set(rows) == {"MUG", "SOCK", "TEE-M"}
    tee = rows["TEE-M"]
    assert (tee["expected"], tee["received"], tee["inspected"], tee["disposed"]) == (2, 2, 2, 2)
    assert (tee["restocked"], tee["stock_moved"], tee["outstanding"], tee["flags"]) == (
        2,
        2,
        0,
        [],
    )
    assert (rows["MUG"]["outstanding"], rows["MUG"]["flags"]) == (1, ["in_transit"])
    assert rows["SOCK"]["flags"] == ["unexpected"]
    assert body["flagged"] == 2

    flagged = _body(api.get("/warehouse/reconciliation", {"flagged": "true"}))
    assert [row["sku"] for row in flagged["skus"]] == ["MUG", "SOCK"]
    response = api.get("/warehouse/reconciliation", {"format": "csv"})
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["sku"], r["restocked"], r["flags"]) for r in table] == [
        ("MUG", "0", "in_transit"),
        ("SOCK", "0", "unexpected"),
        ("TEE-M", "2", ""),
    ]


def test_units_sent_back_to_the_supplier_are_counted_once_their_batch_ships(
    store: Store, read_key: IssuedKey, write_key: IssuedKey
) -> None:
    """End to end through the API: a defective pair inspected as damaged goes to the supplier's
    return-to-vendor batch (the rules' proposal), a good pair of the same SKU back to stock; the
    reconciliation counts the supplier's units only once the batch has shipped."""
    api, reader = ApiClient(write_key), ApiClient(read_key)
    sku = "BOOT-42"
    bad = approved_return(store, sku=sku, quantity=2, reason="defective")
    good = approved_return(store, sku=sku, quantity=1)
    for ret, grade in ((bad, "damaged"), (good, "new")):
        line = line_of(ret)
        units = 2 if ret is bad else 1
        assert (
            api.post(
                f"/returns/{ret.rma}/receive", {"items": [{"line": line, "quantity": units}]}
            ).status_code
            == 200
        )
        assert (
            api.post(
                f"/returns/{ret.rma}/inspect", {"items": [{"line": line, "grade": grade}]}
            ).status_code
            == 200
        )
        disposed = _body(api.post(f"/returns/{ret.rma}/items/{line}/disposition", {}))
        [unit] = disposed["inspections"]
        assert unit["disposition"] == ("return_to_vendor" if ret is bad else "restock"), unit

    def boots() -> dict:
        [row] = [
            r for r in _body(reader.get("/warehouse/reconciliation"))["skus"] if r["sku"] == sku
        ]
        return row

    before = boots()
    assert (before["expected"], before["inspected"], before["disposed"]) == (3, 3, 3)
    assert (before["restocked"], before["stock_moved"], before["sent_to_vendor"]) == (1, 1, 0)
    assert before["flags"] == []

    [batch] = _body(reader.get("/warehouse/rtv-batches"))
    assert [u["rma"] for u in batch["units"]] == [bad.rma]
    shipped = _body(api.post(f"/warehouse/rtv-batches/{batch['id']}/ship", {}))
    assert shipped["status"] == "shipped"

    after = boots()
    assert (after["restocked"], after["sent_to_vendor"], after["flags"]) == (1, 2, [])
    response = reader.get("/warehouse/reconciliation", {"format": "csv"})
    [row] = [r for r in csv.DictReader(io.StringIO(response.content.decode())) if r["sku"] == sku]
    assert row["sent_to_vendor"] == "2"
    # Shipping the batch again changes nothing.
    api.post(f"/warehouse/rtv-batches/{batch['id']}/ship", {})
    assert boots()["sent_to_vendor"] == 2
