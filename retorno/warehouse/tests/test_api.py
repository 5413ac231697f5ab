"""The warehouse API: flows, problem+json codes, and who may call it (nothing changes on refusal)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from retorno.accounts.tests.factories import IssuedKey
from retorno.api.tests.client import ApiClient, problem
from retorno.orders.models import Variant
from retorno.returns.models import ReturnEvent, ReturnItem
from retorno.stores.models import Store
from retorno.warehouse.models import Inspection, InventoryEvent, Supplier
from retorno.warehouse.tests.factories import CHECKLISTS, approved_return, line_of

pytestmark = pytest.mark.django_db


def state() -> tuple[Any, ...]:
    return (
        list(ReturnItem.objects.values_list("quantity_received", "quantity_missing")),
        ReturnEvent.objects.count(),
        list(Inspection.objects.values_list("disposition", flat=True)),
        list(Variant.objects.values_list("stock", flat=True)),
    )


def test_receive_inspect_restock_through_the_api(store: Store, write_key: IssuedKey) -> None:
    api = ApiClient(write_key)
    ret = approved_return(store, stock=3)
    line = line_of(ret)
    response = api.post(
        f"/returns/{ret.rma}/receive",
        {"items": [{"line": line, "quantity": 2}], "unexpected": [{"sku": "MUG-1"}]},
    )
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["items"][0]["received"] == 2
    assert body["unexpected_items"][0]["sku"] == "MUG-1"

    response = api.post(f"/returns/{ret.rma}/inspect", {"items": [{"line": line, "grade": "new"}]})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["status"] == "inspected"
    assert body["inspections"][0]["proposed_disposition"] == "restock"

    response = api.post(f"/returns/{ret.rma}/items/{line}/disposition", {})
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["inspections"][0]["restocked_quantity"] == 2
    assert Variant.objects.get(sku=ret.items.get().order_line.sku).stock == 5
    assert InventoryEvent.objects.count() == 1
    trail = list(ReturnEvent.objects.filter(return_request=ret).values_list("kind", "actor_kind"))
    assert ("disposition_set", "api_key") in trail


def test_receiving_twice_beyond_expected_is_409(store: Store, write_key: IssuedKey) -> None:
    api = ApiClient(write_key)
    ret = approved_return(store)
    body = {"items": [{"line": line_of(ret), "quantity": 2}]}
    assert api.post(f"/returns/{ret.rma}/receive", body).status_code == 200
    before = state()
    problem(api.post(f"/returns/{ret.rma}/receive", body), 409, "over_received")
    assert state() == before


def test_an_idempotent_receive_counts_once(store: Store, write_key: IssuedKey) -> None:
    api = ApiClient(write_key)
    ret = approved_return(store)
    body = {"items": [{"line": line_of(ret), "quantity": 1}]}
    headers = {"Idempotency-Key": "scan-77"}
    for _ in range(2):
        assert api.post(f"/returns/{ret.rma}/receive", body, headers=headers).status_code == 200
    assert ReturnItem.objects.get().quantity_received == 1


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("inspect", {"items": [{"line": "L", "grade": "new"}]}, 422, "item_not_received"),
        ("inspect", {"items": [{"line": "L", "grade": "shiny"}]}, 422, "item_not_received"),
        ("receive", {"items": [{"line": "nope", "quantity": 1}]}, 404, "item_not_found"),
        ("receive", {}, 422, "no_items"),
        ("receive", {"items": [{"line": "L", "quantity": 0}]}, 422, "validation_error"),
    ],
)
def test_bad_input_is_a_problem_and_changes_nothing(
    store: Store, write_key: IssuedKey, path: str, body: dict, status: int, code: str
) -> None:
    ret = approved_return(store)
    text = json.dumps(body).replace('"L"', json.dumps(line_of(ret)))
    before = state()
    problem(ApiClient(write_key).post(f"/returns/{ret.rma}/{path}", text), status, code)
    assert state() == before


def test_checklist_incomplete_and_note_required(store: Store, admin_key: IssuedKey) -> None:
    api = ApiClient(admin_key)
    response = api.put("/warehouse/checklists", {"document": CHECKLISTS})
    assert response.status_code == 200
    assert json.loads(response.content)["version"] == 1
    ret = approved_return(store)
    line = line_of(ret)
    api.post(f"/returns/{ret.rma}/receive", {"items": [{"line": line, "quantity": 2}]})
    before = state()
    body = {"items": [{"line": line, "grade": "new", "checklist": {"box": True}}]}
    problem(api.post(f"/returns/{ret.rma}/inspect", body), 422, "checklist_incomplete")
    assert state() == before
    body["items"][0]["checklist"] = {"box": True, "soles": True}
    assert api.post(f"/returns/{ret.rma}/inspect", body).status_code == 200
    before = state()
    problem(
        api.post(f"/returns/{ret.rma}/items/{line}/disposition", {"disposition": "recycle"}),
        422,
        "note_required",
    )
    assert state() == before


def test_invalid_rules_document_lists_field_paths(admin_key: IssuedKey) -> None:
    body = problem(
        ApiClient(admin_key).put(
            "/warehouse/disposition-rules", {"document": {"rules": [{"id": "BAD ID"}]}}
        ),
        422,
        "invalid_disposition_rules",
    )
    assert {e["field"] for e in body["errors"]} >= {"rules[0].id", "rules[0].when"}


def test_rtv_batches_and_csv(store: Store, write_key: IssuedKey) -> None:
    api = ApiClient(write_key)
    ret = approved_return(store, reason="defective")
    line = line_of(ret)
    api.post(f"/returns/{ret.rma}/receive", {"items": [{"line": line, "quantity": 2}]})
    api.post(f"/returns/{ret.rma}/inspect", {"items": [{"line": line, "grade": "damaged"}]})
    api.post(f"/returns/{ret.rma}/items/{line}/disposition", {})
    [batch] = json.loads(api.get("/warehouse/rtv-batches").content)
    assert batch["supplier"] == "Acme Shoes"
    assert batch["units"][0]["rma"] == ret.rma
    csv_response = api.get(f"/warehouse/rtv-batches/{batch['id']}/csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert ret.rma in csv_response.content.decode()


def test_authorization_matrix(
    store: Store, read_key: IssuedKey, other_key: IssuedKey, write_key: IssuedKey
) -> None:
    ret = approved_return(store)
    body = {"items": [{"line": line_of(ret), "quantity": 1}]}
    before = state()
    problem(ApiClient().post(f"/returns/{ret.rma}/receive", body), 401, "unauthorized")
    problem(
        ApiClient(read_key).post(f"/returns/{ret.rma}/receive", body), 403, "insufficient_scope"
    )
    problem(ApiClient(other_key).post(f"/returns/{ret.rma}/receive", body), 404, "return_not_found")
    problem(
        ApiClient(other_key).post(f"/returns/{ret.rma}/items/{line_of(ret)}/disposition", {}),
        404,
        "return_not_found",
    )
    problem(
        ApiClient(write_key).put("/warehouse/checklists", {"document": CHECKLISTS}),
        403,
        "insufficient_scope",
    )
    assert state() == before


def test_supplier_terms_through_the_api(
    store: Store, admin_key: IssuedKey, write_key: IssuedKey, other_key: IssuedKey
) -> None:
    admin = ApiClient(admin_key)
    saved = admin.put("/warehouse/suppliers/Acme%20Shoes", {"name": "Acme", "terms_days": 21})
    assert saved.status_code == 200, saved.content
    assert json.loads(saved.content) == {
        "code": "Acme Shoes",
        "name": "Acme",
        "terms_days": 21,
        "contact_email": "",
    }
    assert [s["terms_days"] for s in json.loads(admin.get("/warehouse/suppliers").content)] == [21]
    assert json.loads(ApiClient(other_key).get("/warehouse/suppliers").content) == []
    before = state()
    problem(
        admin.put("/warehouse/suppliers/Acme%20Shoes", {"terms_days": -1}), 422, "validation_error"
    )
    problem(
        ApiClient(write_key).put("/warehouse/suppliers/Acme%20Shoes", {"terms_days": 5}),
        403,
        "insufficient_scope",
    )
    assert state() == before
    assert list(Supplier.objects.values_list("terms_days", flat=True)) == [21]
