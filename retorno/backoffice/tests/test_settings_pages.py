"""Settings pages: admins read, publish and try the return policy, and publish the warehouse
documents; every other role is refused and nothing of another store is ever shown."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.models import PolicyVersion
from retorno.policies.services import policy_publish
from retorno.returns.models import Return, ReturnEvent
from retorno.stores.models import Store
from retorno.warehouse.models import Supplier, WarehouseDocument
from retorno.warehouse.services import document_publish

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]

CHECKLISTS = {
    "checklists": [
        {"category": "shoes", "checks": [{"id": "soles", "label": "Soles clean"}]},
        {"category": "*", "checks": [{"id": "tags", "label": "Tags on", "required": False}]},
    ]
}
DISPOSITION_RULES = {
    "rules": [
        {
            "id": "shoes-damaged",
            "description": "Damaged shoes go to charity.",
            "when": {"grade_in": ["damaged"], "category_in": ["shoes"]},
            "then": {"disposition": "donate", "recovery_percent": "0"},
        }
    ]
}


def policy(**base: Any) -> dict[str, Any]:
    document = default_policy_document()
    document["base"].update(base)
    return document


def state() -> tuple[Any, ...]:
    """Everything the settings pages could write."""
    return (
        list(PolicyVersion.objects.order_by("id").values_list("store_id", "version", "document")),
        list(WarehouseDocument.objects.order_by("id").values_list("store_id", "kind", "version")),
        Return.objects.count(),
        ReturnEvent.objects.count(),
    )


@pytest.fixture
def order(store: Store) -> Any:
    return make_order(
        store,
        external_id="7001",
        tier="gold",
        delivered_days_ago=40,
        lines=[
            line_payload("7001-1", unit_price="30.00", tax="0.00"),
            line_payload("7001-2", category="gift-cards", title="Gift card", unit_price="50.00"),
        ],
    )


# --- return policy -----------------------------------------------------------------------------


def test_admin_sees_the_policy_in_force_in_plain_words_and_as_json(
    store: Store, signed_in: SignIn
) -> None:
    # Every store starts with the default policy as version 1.
    policy_publish(store=store, document=policy(window_days=21), actor=SYSTEM, note="Winter")
    page = signed_in("admin").get("/staff/settings/policy")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Version 2 in force" in html
    assert "Winter" in html
    assert "21 days from delivery." in html
    assert "Exchange, Store credit with a 10 % bonus, Refund" in html  # in the policy's order
    assert "Return shipping 5.00 per return." in html
    assert "No restocking fee." in html
    assert "Returns worth more than 500.00 are checked by a person." in html
    assert "Refunds are issued when the parcel reaches the warehouse." in html
    assert "Off: items always come back." in html
    assert "<code>gold-window</code>" in html  # the rules that change the base
    assert "&quot;window_days&quot;: 21" in html  # the document, in the editor
    assert 'href="/staff/settings/policy"' in html
    assert 'href="/staff/settings/warehouse"' in html
    assert 'href="/staff/carriers"' in html


def test_a_store_without_a_policy_sees_the_default_without_anything_being_written(
    store: Store, signed_in: SignIn
) -> None:
    PolicyVersion.objects.filter(store=store).delete()
    before = state()
    html = signed_in("admin").get("/staff/settings/policy").content.decode()
    assert "the default policy applies" in html
    assert "30 days from delivery." in html
    assert state() == before


def test_publishing_keeps_the_old_version_viewable_and_loadable_as_a_draft(
    store: Store, signed_in: SignIn
) -> None:
    policy_publish(store=store, document=policy(window_days=21), actor=SYSTEM, note="first")
    client = signed_in("admin")
    response = client.post(
        "/staff/settings/policy/publish",
        {"document": json.dumps(policy(window_days=45)), "note": "longer window"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/staff/settings/policy")
    latest = PolicyVersion.objects.get(store=store, version=3)
    assert latest.document["base"]["window_days"] == 45
    assert latest.note == "longer window"
    assert latest.created_by == "admin.shop"
    assert PolicyVersion.objects.get(store=store, version=2).document["base"]["window_days"] == 21

    html = client.get("/staff/settings/policy").content.decode()
    assert "Return policy version 3 published." in html
    assert "45 days from delivery." in html
    assert 'data-version="3"' in html
    assert 'data-version="2"' in html
    assert 'href="/staff/settings/policy/versions/2"' in html

    old = client.get("/staff/settings/policy/versions/2")
    assert old.status_code == 200
    old_html = old.content.decode()
    assert "Return policy version 2" in old_html
    assert "21 days from delivery." in old_html
    assert "first" in old_html
    assert "readonly" in old_html
    assert "In force" not in old_html
    assert "In force" in client.get("/staff/settings/policy/versions/3").content.decode()

    draft = client.get("/staff/settings/policy?from=2").content.decode()
    assert "Version 2 is in the editor as a draft" in draft
    assert "&quot;window_days&quot;: 21" in draft
    assert PolicyVersion.objects.filter(store=store).count() == 3  # loading writes nothing
    assert client.get("/staff/settings/policy/versions/9").status_code == 404
    assert client.get("/staff/settings/policy?from=9").status_code == 404


def test_invalid_json_and_invalid_documents_give_422_with_field_paths_and_write_nothing(
    store: Store, signed_in: SignIn
) -> None:
    policy_publish(store=store, document=policy(), actor=SYSTEM)
    client = signed_in("admin")
    before = state()
    bad = policy()
    bad["rules"] = [
        {"id": "a", "when": {}, "then": {"window_days": 10}},
        {"id": "b", "when": {}, "then": {"window_days": 10}},
        {"id": "c", "when": {}, "then": {"window_days": -1}},
    ]
    response = client.post("/staff/settings/policy/publish", {"document": json.dumps(bad)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "rules[2].then.window_days" in html
    assert "&quot;c&quot;" in html  # the draft stays in the editor
    semantic = policy(resolutions=["cash"])
    semantic["rules"].append({"id": "gold-window", "when": {}, "then": {"window_days": 3}})
    response = client.post("/staff/settings/policy/publish", {"document": json.dumps(semantic)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "base.resolutions[0]" in html
    assert "rules[3].id" in html
    assert state() == before

    response = client.post("/staff/settings/policy/publish", {"document": "{not json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.content.decode()
    response = client.post("/staff/settings/policy/publish", {"document": "[1, 2]"})
    assert response.status_code == 422
    assert "must be a JSON object" in response.content.decode()
    assert state() == before


def test_try_it_shows_the_decision_the_draft_gives_an_order_and_writes_nothing(
    store: Store, order: Any, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    before = state()
    draft = policy(window_days=30, return_shipping_fee="4.00")
    response = client.post(
        "/staff/settings/policy/try", {"document": json.dumps(draft), "order": "#7001"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Decision for order #7001" in html
    # Delivered 40 days ago, gold: 60 days by the gold-window rule; gift cards never.
    assert 'data-line="7001-1" data-eligible="1"' in html
    assert 'data-line="7001-2" data-eligible="0"' in html
    assert (
        'data-code="excluded_category">Items in the category “Gift cards” cannot be returned.'
        in html
    )
    assert "<code>gold-window</code>" in html
    assert "<code>loyalty-free-returns</code>" in html
    assert 'id="try-keep-item" data-allowed="0"' in html
    assert 'id="try-instant-exchange" data-allowed="0"' in html
    assert state() == before

    draft["rules"] = []  # without the loyalty rules the 30-day window has ended
    response = client.post(
        "/staff/settings/policy/try",
        {
            "document": json.dumps(draft),
            "order": "7001",
            "items": "7001-1 1 too_small",
            "resolution": "refund",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-outcome="reject"' in html
    assert 'data-code="window_expired">The return window for this item ended on' in html
    assert 'data-line="7001-2"' not in html  # only the line asked for
    assert state() == before


def test_try_it_with_a_request_shows_fees_and_review(
    store: Store, order: Any, signed_in: SignIn
) -> None:
    draft = policy(window_days=90, review_above_amount="10.00", restocking_fee_percent="10")
    draft["rules"] = []
    response = signed_in("admin").post(
        "/staff/settings/policy/try",
        {"document": json.dumps(draft), "order": "7001", "items": "7001-1 2 changed_mind"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-outcome="review"' in html
    assert (
        'data-code="value_above_review_threshold">Returns of this value are checked by our team.'
        in html
    )
    assert "<code>value_above_review_threshold</code>" not in html
    assert "Needs review" in html
    assert "€60.00" in html
    assert "€6.00" in html


def test_try_it_reports_bad_drafts_and_bad_requests(
    store: Store, order: Any, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    bad = policy(window_days=-3)
    response = client.post(
        "/staff/settings/policy/try", {"document": json.dumps(bad), "order": "7001"}
    )
    assert response.status_code == 422
    assert "base.window_days" in response.content.decode()
    response = client.post(
        "/staff/settings/policy/try",
        {"document": json.dumps(policy()), "order": "7001", "items": "7001-1 zero"},
    )
    assert response.status_code == 422
    assert "Item 1: the quantity" in response.content.decode()
    response = client.post(
        "/staff/settings/policy/try", {"document": json.dumps(policy()), "order": ""}
    )
    assert response.status_code == 422
    assert "Give the order" in response.content.decode()


def test_try_it_never_finds_another_stores_order(
    store: Store, other_store: Store, signed_in: SignIn
) -> None:
    make_order(other_store, external_id="9001")
    response = signed_in("admin").post(
        "/staff/settings/policy/try", {"document": json.dumps(policy()), "order": "9001"}
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert "No order with this number in this store." in html
    assert 'id="try-result"' not in html
    assert "&quot;schema&quot;" in html


def test_an_admin_never_sees_another_stores_policy(
    store: Store, other_store: Store, signed_in: SignIn
) -> None:
    policy_publish(store=other_store, document=policy(window_days=7), actor=SYSTEM, note="Theirs")
    policy_publish(store=other_store, document=policy(window_days=8), actor=SYSTEM)
    client = signed_in("admin")
    html = client.get("/staff/settings/policy").content.decode()
    assert "Theirs" not in html
    assert "7 days" not in html
    assert 'data-version="2"' not in html
    assert client.get("/staff/settings/policy/versions/2").status_code == 404
    assert client.get("/staff/settings/policy?from=3").status_code == 404


# --- warehouse documents -----------------------------------------------------------------------


def test_admin_sees_and_publishes_warehouse_documents(store: Store, signed_in: SignIn) -> None:
    document_publish(store=store, kind="checklists", document=CHECKLISTS, actor=SYSTEM)
    Supplier.objects.create(store=store, code="acme", name="Acme", terms_days=45)
    client = signed_in("admin")
    page = client.get("/staff/settings/warehouse")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Version 1 in force" in html
    assert 'data-category="shoes"' in html
    assert "Soles clean" in html
    assert "(optional)" in html
    assert "the built-in defaults decide" in html
    assert 'data-supplier="acme"' in html
    assert ">45<" in html

    response = client.post(
        "/staff/settings/warehouse/disposition_rules",
        {"document": json.dumps(DISPOSITION_RULES), "note": "charity"},
    )
    assert response.status_code == 302
    changed = copy.deepcopy(CHECKLISTS)
    changed["checklists"][0]["checks"].append({"id": "box", "label": "Box included"})
    client.post("/staff/settings/warehouse/checklists", {"document": json.dumps(changed)})
    rows = WarehouseDocument.objects.filter(store=store)
    assert sorted(rows.values_list("kind", "version")) == [
        ("checklists", 1),
        ("checklists", 2),
        ("disposition_rules", 1),
    ]
    assert rows.get(kind="checklists", version=1).document == CHECKLISTS  # the old one is kept
    html = client.get("/staff/settings/warehouse").content.decode()
    assert "Disposition rules version 1 published." in html
    assert "Inspection checklists version 2 published." in html
    assert 'data-rule="shoes-damaged"' in html
    assert "Donate" in html
    assert "Box included" in html
    assert "grade Damaged · category shoes" in html


def test_invalid_warehouse_documents_give_422_with_field_paths_and_write_nothing(
    store: Store, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    before = state()
    bad = {
        "rules": [{"id": "x", "when": {}, "then": {"disposition": "burn", "recovery_percent": "0"}}]
    }
    response = client.post(
        "/staff/settings/warehouse/disposition_rules", {"document": json.dumps(bad)}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "rules[0].then.disposition" in html
    assert "&quot;burn&quot;" in html
    bad_checks = {"checklists": [{"category": "shoes", "checks": [{"id": "Bad Id", "label": "x"}]}]}
    response = client.post(
        "/staff/settings/warehouse/checklists", {"document": json.dumps(bad_checks)}
    )
    assert response.status_code == 422
    assert "checklists[0].checks[0].id" in response.content.decode()
    response = client.post("/staff/settings/warehouse/checklists", {"document": "{"})
    assert response.status_code == 422
    assert "not valid JSON" in response.content.decode()
    response = client.post("/staff/settings/warehouse/returns_policy", {"document": "{}"})
    assert response.status_code == 404
    assert state() == before


def test_an_admin_never_sees_another_stores_warehouse_documents(
    store: Store, other_store: Store, signed_in: SignIn
) -> None:
    document_publish(
        store=other_store, kind="disposition_rules", document=DISPOSITION_RULES, actor=SYSTEM
    )
    Supplier.objects.create(store=other_store, code="theirs", terms_days=10)
    html = signed_in("admin").get("/staff/settings/warehouse").content.decode()
    assert "shoes-damaged" not in html
    assert 'data-supplier="theirs"' not in html


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_get_403_and_change_nothing(
    role: str, store: Store, order: Any, signed_in: SignIn
) -> None:
    policy_publish(store=store, document=policy(), actor=SYSTEM)
    client = signed_in(role)
    before = state()
    document = json.dumps(policy())
    assert client.get("/staff/settings/policy").status_code == 403
    assert client.get("/staff/settings/policy/versions/1").status_code == 403
    assert client.post("/staff/settings/policy/publish", {"document": document}).status_code == 403
    response = client.post("/staff/settings/policy/try", {"document": document, "order": "7001"})
    assert response.status_code == 403
    assert client.get("/staff/settings/warehouse").status_code == 403
    response = client.post(
        "/staff/settings/warehouse/checklists", {"document": json.dumps(CHECKLISTS)}
    )
    assert response.status_code == 403
    assert state() == before
    assert 'href="/staff/settings/policy"' not in client.get("/staff/").content.decode()


def test_admins_find_settings_in_the_menu(signed_in: SignIn) -> None:
    html = signed_in("admin").get("/staff/").content.decode()
    assert 'href="/staff/settings/policy"' in html
    assert ">Settings<" in html


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in ("/staff/settings/policy", "/staff/settings/warehouse"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/staff/login" in response["Location"]


def test_admin_records_supplier_terms_and_sees_vendors_on_the_default(
    store: Store, signed_in: SignIn
) -> None:
    from retorno.orders.catalog import product_upsert

    product_upsert(
        store=store,
        external_id="p-1",
        title="Boot",
        vendor="Acme",
        variants=[{"sku": "BOOT-1", "price": "50.00"}],
    )
    client = signed_in("admin")
    assert "Acme" in client.get("/staff/settings/warehouse").content.decode()

    saved = client.post(
        "/staff/settings/warehouse/suppliers",
        {"code": "Acme", "name": "Acme SL", "terms_days": "21", "contact_email": "rtv@acme.test"},
    )
    assert saved.status_code == 302
    supplier = Supplier.objects.get(store=store)
    assert (supplier.code, supplier.terms_days, supplier.contact_email) == (
        "Acme",
        21,
        "rtv@acme.test",
    )
    html = client.get("/staff/settings/warehouse").content.decode()
    assert 'data-supplier="Acme"' in html
    assert 'id="vendors-without-terms"' not in html

    bad = client.post("/staff/settings/warehouse/suppliers", {"code": "Acme", "terms_days": "-3"})
    assert bad.status_code == 422
    assert Supplier.objects.get(store=store).terms_days == 21
    assert (
        signed_in("warehouse")
        .post("/staff/settings/warehouse/suppliers", {"code": "X", "terms_days": "5"})
        .status_code
        == 403
    )
    assert Supplier.objects.filter(store=store).count() == 1
