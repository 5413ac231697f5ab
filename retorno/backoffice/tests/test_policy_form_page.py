"""The policy form: the settings in fields, published as a new version of the same document,
with the JSON editor as the advanced way and "Try it on this order" under the form's draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retorno.core.actors import SYSTEM
from retorno.domain.policies import default_policy_document
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.models import PolicyVersion
from retorno.policies.services import policy_publish
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]
URL = "/staff/settings/policy/form"


def versions(store: Store) -> int:
    return PolicyVersion.objects.filter(store=store).count()


def posted(**changes: Any) -> dict[str, Any]:
    """The form as the page sends it for the default policy, with `changes`."""
    data: dict[str, Any] = {
        "window_days": "30",
        "window_starts": "delivery",
        "excluded_categories": "gift-cards",
        "excluded_tags": "",
        "resolutions": ["refund", "exchange", "store_credit"],
        "store_credit_bonus_percent": "10",
        "return_shipping_fee": "5.00",
        "restocking_fee_percent": "0",
        "fee_waived_reasons": ["defective", "damaged", "missing_parts", "wrong_item"],
        "free_return_tiers": "silver, gold",
        "review_above_amount": "500.00",
        "photo_required_reasons": ["defective", "damaged"],
        "refund_timing": "on_receipt",
        "tier_0": "silver",
        "tier_days_0": "45",
        "tier_1": "gold",
        "tier_days_1": "60",
        "tier_2": "",
        "tier_days_2": "",
        "category_0": "",
        "category_days_0": "",
        "action": "publish",
    }
    data.update(changes)
    return data


def test_the_form_shows_the_policy_in_force(store: Store, signed_in: SignIn) -> None:
    response = signed_in("admin").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="window_days" value="30"' in html
    assert 'name="tier_1" value="gold"' in html
    assert 'name="tier_days_1" value="60"' in html
    assert 'value="silver, gold"' in html  # free returns
    assert "Advanced (JSON)" in html


def test_publishing_the_form_writes_a_new_version_of_the_same_document(
    store: Store, signed_in: SignIn
) -> None:
    swimwear = {
        "id": "swimwear",
        "description": "Swimwear: store credit only.",
        "when": {"category_in": ["swimwear"]},
        "then": {"resolutions": ["store_credit"]},
    }
    document = default_policy_document()
    document["rules"].append(swimwear)
    before = versions(store)
    policy_publish(store=store, document=document, actor=SYSTEM)
    response = signed_in("admin").post(
        URL,
        posted(
            window_days="21",
            category_0="shoes",
            category_days_0="60",
            return_shipping_fee="3.50",
            review_reasons=["changed_mind"],
            note="Shorter window, shoes longer",
        ),
    )
    assert response.status_code == 302
    latest = PolicyVersion.objects.filter(store=store).order_by("-version").first()
    assert latest is not None
    assert latest.version == before + 2
    assert latest.note == "Shorter window, shoes longer"
    base = latest.document["base"]
    assert (base["window_days"], base["return_shipping_fee"]) == (21, "3.50")
    assert base["review_reasons"] == ["changed_mind"]
    # Ticked in any order, the resolutions keep the policy's order (what shoppers see first).
    assert base["resolutions"] == document["base"]["resolutions"]
    rules = {rule["id"]: rule for rule in latest.document["rules"]}
    assert rules["window-category-shoes"]["then"] == {"window_days": 60}
    assert rules["gold-window"]["then"] == {"window_days": 60}  # read, written back as it was
    assert latest.document["rules"][-1] == swimwear  # kept, applied last


def test_mistakes_are_shown_on_their_fields_and_nothing_is_published(
    store: Store, signed_in: SignIn
) -> None:
    before = versions(store)
    client = signed_in("admin")
    for bad in (
        posted(window_days="-3"),
        posted(resolutions=[]),
        posted(category_0="shoes", category_days_0=""),
        posted(restocking_fee_percent="120"),
    ):
        response = client.post(URL, bad)
        assert response.status_code == 422
        assert 'id="policy-form-errors"' in response.content.decode()
    assert versions(store) == before


def test_try_it_on_this_order_decides_under_the_form_and_writes_nothing(
    store: Store, signed_in: SignIn
) -> None:
    make_order(
        store,
        external_id="7001",
        tier="gold",
        delivered_days_ago=40,
        lines=[line_payload("7001-1", unit_price="30.00", tax="0.00")],
    )
    client = signed_in("admin")
    before = versions(store)
    html = client.post(URL, posted(action="try", order="#7001")).content.decode()
    assert 'data-line="7001-1" data-eligible="1"' in html  # gold: 60 days
    html = client.post(URL, posted(action="try", order="#7001", tier_days_1="30")).content.decode()
    assert 'data-line="7001-1" data-eligible="0"' in html  # the form's 30 days for gold
    assert versions(store) == before


def test_only_admins_use_the_form(store: Store, signed_in: SignIn) -> None:
    before = versions(store)
    assert signed_in("agent").post(URL, posted()).status_code == 403
    assert versions(store) == before


def test_the_form_in_spanish(store: Store, signed_in: SignIn) -> None:
    client = signed_in("admin")
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ventanas por nivel de fidelidad" in html
