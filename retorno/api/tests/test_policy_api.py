"""GET/PUT /api/v1/policy and the preview: versions, validation naming the field, no side effects."""

from __future__ import annotations

import copy

import pytest

from retorno.api.tests.client import problem
from retorno.domain.policies import default_policy_document
from retorno.orders.tests.factories import return_payload
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return


def test_get_returns_the_default_policy_v1(api, store):
    body = api.get("/policy").json()
    assert body["version"] == 1
    assert body["document"] == default_policy_document()


def test_a_store_without_any_version_gets_the_default_on_first_read(api, store):
    PolicyVersion.objects.filter(store=store).delete()
    assert api.get("/policy").json()["version"] == 1
    assert PolicyVersion.objects.filter(store=store).count() == 1


def test_put_publishes_version_2_and_old_returns_keep_theirs(api, store, order_factory):
    order_factory(external_id="1001")
    old = api.post("/returns", return_payload("1001", "1001-1")).json()
    document = default_policy_document()
    document["base"]["return_shipping_fee"] = "7.50"

    published = api.put("/policy", {"document": document, "note": "dearer shipping"})

    assert published.status_code == 201, published.content
    assert published.json()["version"] == 2
    assert published.json()["note"] == "dearer shipping"
    assert "admin" in published.json()["created_by"]
    assert api.get("/policy").json()["version"] == 2

    new = api.post("/returns", return_payload("1001", "1001-1")).json()
    assert new["policy_version"] == 2
    assert new["amounts"]["return_shipping_fee"] == "7.50"
    assert api.get(f"/returns/{old['rma']}").json()["policy_version"] == 1
    assert Return.objects.get(rma=old["rma"]).policy_version.version == 1
    assert api.get("/orders/1001/eligibility").json()["policy_version"] == 2


def _broken(path: tuple, value: object) -> dict:
    document = copy.deepcopy(default_policy_document())
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (_broken(("base", "window_days"), -1), "base.window_days"),
        (_broken(("base", "window_days"), "thirty"), "base.window_days"),
        (_broken(("base", "return_shipping_fee"), "five"), "base.return_shipping_fee"),
        (_broken(("rules", 0, "then", "window_days"), -5), "rules[0].then.window_days"),
        (_broken(("base", "resolutions"), ["refund", "teleport"]), "base.resolutions"),
        ({}, ""),
    ],
    ids=["negative window", "window type", "fee text", "rule window", "resolution", "empty"],
)
def test_put_invalid_document_names_the_field_and_stores_nothing(api, store, document, field):
    before = PolicyVersion.objects.count()

    body = problem(api.put("/policy", {"document": document}), 422, "invalid_policy")

    assert body["errors"], body
    fields = [error["field"] for error in body["errors"]]
    assert all(error["message"] for error in body["errors"])
    assert any(f.startswith(field) for f in fields), fields
    assert PolicyVersion.objects.count() == before


def test_put_without_a_document_is_a_validation_error(api, store):
    before = PolicyVersion.objects.count()
    problem(api.put("/policy", {"note": "no document"}), 422, "validation_error")
    assert PolicyVersion.objects.count() == before


def test_preview_decides_under_the_posted_policy_without_saving(api, store, order_factory):
    order_factory(external_id="1001", delivered_days_ago=10)
    strict = default_policy_document()
    strict["base"]["window_days"] = 7
    before = PolicyVersion.objects.count()

    preview = api.post("/policy/preview", {"document": strict, "order": "1001"})

    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["outcome"] == "reject"
    assert [r["code"] for r in body["lines"][0]["reasons"]] == ["window_expired"]
    assert PolicyVersion.objects.count() == before
    current = api.get("/orders/1001/eligibility").json()
    assert current["lines"][0]["eligible"] is True


def test_preview_of_a_request_shows_fees_and_review(api, store, order_factory):
    order_factory(external_id="1001")
    document = default_policy_document()
    document["base"]["review_reasons"] = ["too_small"]

    body = api.post(
        "/policy/preview",
        {
            "document": document,
            "order": "1001",
            "items": [{"line": "1001-1", "quantity": 1, "reason": "too_small"}],
            "resolution": "refund",
        },
    ).json()

    assert body["outcome"] == "review"
    assert body["requires_review"] is True
    assert body["return_shipping_fee"] in ("5.00", "5")
    assert [r["code"] for r in body["review_reasons"]] == ["reason_requires_review"]


def test_preview_of_an_invalid_document_is_invalid_policy(api, store, order_factory):
    order_factory(external_id="1001")
    body = problem(
        api.post(
            "/policy/preview",
            {"document": _broken(("base", "window_days"), -1), "order": "1001"},
        ),
        422,
        "invalid_policy",
    )
    assert any(e["field"].startswith("base.window_days") for e in body["errors"])


def test_preview_of_an_unknown_order_is_404(api, store):
    problem(
        api.post("/policy/preview", {"document": default_policy_document(), "order": "nope"}),
        404,
        "order_not_found",
    )


def test_preview_answers_keep_the_item_and_instant_exchange(api, store, order_factory):
    order_factory(external_id="1001")
    document = default_policy_document()
    document["base"].update(
        {"keep_item": True, "return_shipping_cost": "1000.00", "instant_exchange_return_days": 10}
    )
    document["rules"].append(
        {
            "id": "everyone-instant",
            "when": {"order_value_gte": "0"},
            "then": {"instant_exchange": True},
        }
    )
    item = {"line": "1001-1", "quantity": 1, "reason": "too_small"}

    body = api.post(
        "/policy/preview",
        {"document": document, "order": "1001", "items": [item], "resolution": "refund"},
    ).json()

    assert body["keep_item"]["allowed"] is True
    assert body["keep_item"]["code"] == "shipping_exceeds_recovery"
    assert (body["instant_exchange"], body["instant_exchange_return_days"]) == (True, 10)


def test_a_published_version_spells_out_the_settings_added_since_schema_1(api, store):
    document = default_policy_document()
    del document["base"]["keep_item"]
    assert api.put("/policy", {"document": document}).status_code == 201
    assert api.get("/policy").json()["document"]["base"]["keep_item"] is False
