"""The allocation rules as a form: it shows the rules in force, publishing it unchanged writes the
same document, a change writes what the JSON editor would, the engine's objections land on the
rule's field with nothing published, in the page's language, "Try it" ranks under the draft (the
carriers in the order they would be tried, each with its reason worded), and only admins get it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retorno.core.actors import SYSTEM
from retorno.logistics.models import AllocationRuleSet, CarrierAccount
from retorno.logistics.services.accounts import allocation_rules_publish
from retorno.logistics.tests.factories import make_carriers
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]
URL = "/staff/carriers/rules/form"

IN_FORCE = {
    "schema": 1,
    "rules": [
        {
            "id": "heavy",
            "description": "Big parcels",
            "when": {"weight_gte": 20000, "country_in": ["ES"], "method_in": ["pickup"]},
            "strategy": "cheapest",
            "carrier_not_in": ["rapido"],
        },
        {
            "id": "madrid",
            "when": {"postal_prefix_in": ["28"], "value_lte": "500"},
            "strategy": "fixed_preference",
            "preference": ["norte", "eco"],
        },
    ],
}

# "Try it" on a 1 kg parcel picked up in Madrid.
SAMPLE = {
    "action": "try",
    "country": "ES",
    "postal_code": "28001",
    "weight_grams": "1000",
    "value": "50.00",
    "method": "pickup",
}


@pytest.fixture
def carriers(store: Store) -> dict[str, CarrierAccount]:
    return make_carriers(store)


def _posted(page: Any) -> dict[str, Any]:
    """What the browser would send back for the page's form, untouched."""
    formset = page.context["formset"]
    data: dict[str, Any] = {}
    for name in formset.management_form.fields:
        data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
    for form in formset:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            data[key] = "on" if value is True else value
    return data


def _versions(store: Store) -> list[Any]:
    return list(AllocationRuleSet.objects.filter(store=store).values_list("version", "document"))


def test_the_form_shows_the_rules_and_publishes_them_unchanged(
    store: Store, carriers: Any, signed_in: SignIn
) -> None:
    allocation_rules_publish(store=store, document=IN_FORCE, actor=SYSTEM)
    admin = signed_in("admin")
    page = admin.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-rule="heavy"' in html
    assert 'data-rule="madrid"' in html
    assert "Version 1" in html or "version 1" in html
    response = admin.post(URL, {**_posted(page), "action": "publish"})
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = AllocationRuleSet.objects.filter(store=store).latest("version")
    assert latest.version == 2
    assert latest.document == IN_FORCE
    assert latest.note == "Changed with the rules form."


def test_a_new_rule_a_removal_and_a_new_order(
    store: Store, carriers: Any, signed_in: SignIn
) -> None:
    allocation_rules_publish(store=store, document=IN_FORCE, actor=SYSTEM)
    admin = signed_in("admin")
    data = _posted(admin.get(URL))
    data["rule-0-DELETE"] = "on"  # heavy goes
    data.update(
        {
            "rule-2-id": "islands",
            "rule-2-countries": "es, pt",
            "rule-2-postal_prefixes": "35, 38\n07",
            "rule-2-weight_max_grams": "5000",
            "rule-2-value_min": "10.50",
            "rule-2-tiers": "gold",
            "rule-2-methods": ["drop_off", "label"],
            "rule-2-strategy": "fastest",
            "rule-2-carriers_in": ["eco", "norte"],
            "rule-2-ORDER": "0",  # tried first
        }
    )
    response = admin.post(URL, {**data, "action": "publish", "note": "islands"})
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = AllocationRuleSet.objects.filter(store=store).latest("version")
    assert latest.note == "islands"
    assert latest.document == {
        "schema": 1,
        "rules": [
            {
                "id": "islands",
                "when": {
                    "country_in": ["ES", "PT"],
                    "postal_prefix_in": ["35", "38", "07"],
                    "weight_lte": 5000,
                    "value_gte": "10.5",
                    "tier_in": ["gold"],
                    "method_in": ["drop_off", "label"],
                },
                "strategy": "fastest",
                "carrier_in": ["eco", "norte"],
            },
            IN_FORCE["rules"][1],
        ],
    }


def test_problems_land_on_the_rule_and_nothing_is_published(
    store: Store, carriers: Any, signed_in: SignIn
) -> None:
    allocation_rules_publish(store=store, document=IN_FORCE, actor=SYSTEM)
    before = _versions(store)
    admin = signed_in("admin")
    data = _posted(admin.get(URL))
    data["rule-0-weight_max_grams"] = "100"  # under weight_gte 20000: never fires
    data["rule-1-strategy"] = "cheapest"  # a preference without fixed_preference
    data["rule-2-description"] = "half a rule"  # no name, no strategy
    response = admin.post(URL, {**data, "action": "publish"})
    assert response.status_code == 422
    formset = response.context["formset"]
    assert formset.forms[2].errors.keys() >= {"id", "strategy"}
    assert 'id="rules-form-errors"' in response.content.decode()
    assert _versions(store) == before

    data["rule-2-description"] = ""
    response = admin.post(URL, {**data, "action": "publish"})
    assert response.status_code == 422
    formset = response.context["formset"]
    assert "weight_min_grams" in formset.forms[0].errors
    assert "preference" in formset.forms[1].errors
    html = response.content.decode()
    assert "Above the upper limit, so the rule would never apply." in html
    assert "Only used when the carriers are ranked in the order given." in html
    assert _versions(store) == before

    # A carrier the store does not have, typed in the preference.
    data = _posted(admin.get(URL))
    data["rule-1-preference"] = "norte, nobody"
    response = admin.post(URL, {**data, "action": "publish"})
    assert response.status_code == 422
    assert "preference" in response.context["formset"].forms[1].errors
    assert _versions(store) == before


def test_try_it_ranks_under_the_draft_and_publishes_nothing(
    store: Store, carriers: Any, signed_in: SignIn
) -> None:
    admin = signed_in("admin")
    data = _posted(admin.get(URL))
    data.update(
        {"rule-0-id": "only-eco", "rule-0-strategy": "cheapest", "rule-0-carriers_in": ["eco"]}
    )
    response = admin.post(URL, {**data, **SAMPLE})
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert 'id="try-result"' in html
    assert "<code>only-eco</code>" in html
    assert 'data-carrier="rapido" data-kept="0"' in html
    assert AllocationRuleSet.objects.filter(store=store).count() == 0
    response = admin.post(URL, {**data, "action": "try", "country": "Spain", "weight_grams": "0"})
    assert response.status_code == 422
    assert 'id="try-errors"' in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "agent", "warehouse", "finance", "analyst"])
def test_only_owners_and_admins(store: Store, carriers: Any, signed_in: SignIn, role: str) -> None:
    client = signed_in(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"rule-TOTAL_FORMS": "0", "rule-INITIAL_FORMS": "0"}).status_code == 403
    assert AllocationRuleSet.objects.count() == 0


def test_spanish(store: Store, carriers: Any, signed_in: SignIn) -> None:
    page = signed_in("owner").get(URL, headers={"Accept-Language": "es"})
    html = page.content.decode()
    assert "Reglas de asignación" in html
    assert "Ordenar los transportistas por" in html


def test_the_engine_s_objections_in_spanish(store: Store, carriers: Any, signed_in: SignIn) -> None:
    allocation_rules_publish(store=store, document=IN_FORCE, actor=SYSTEM)
    owner = signed_in("owner")
    spanish = {"headers": {"Accept-Language": "es"}}
    data = _posted(owner.get(URL, **spanish))
    data["rule-0-weight_max_grams"] = "100"
    data["rule-1-strategy"] = "cheapest"
    data["rule-1-id"] = "heavy"
    data["rule-0-carriers_in"] = ["norte"]
    data["rule-0-carriers_not_in"] = ["norte"]
    response = owner.post(URL, {**data, "action": "publish"}, **spanish)
    assert response.status_code == 422
    errors = {
        index: {name: [str(m) for m in found] for name, found in form.errors.items()}
        for index, form in enumerate(response.context["formset"].forms)
    }
    assert errors[0]["weight_min_grams"] == [
        "Por encima del límite superior: la regla no se aplicaría nunca."
    ]
    assert errors[0]["carriers_not_in"] == [
        "norte está a la vez entre los únicos permitidos y los nunca permitidos."
    ]
    assert errors[1]["id"] == ["La regla 1 ya tiene este nombre."]
    assert errors[1]["preference"] == [
        "Solo se usa cuando los transportistas se ordenan en el orden dado."
    ]
    html = response.content.decode()
    assert "never fires" not in html
    assert "also in carrier_in" not in html


def _rows(html: str) -> list[tuple[str, str]]:
    """(carrier, reason) of each row of the try result, top to bottom."""
    table = html.split('id="try-verdicts"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-carrier="([^"]+)".*?<td>([^<]*)</td>\s*</tr>', table, re.S)


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        (
            "en",
            [
                "Transit days: 1; €5.30.",
                "Transit days: 2; €4.40.",
                "Excluded by rule quick.",
            ],
        ),
        (
            "es",
            [
                "Días de tránsito: 1; 5,30\xa0€.",
                "Días de tránsito: 2; 4,40\xa0€.",
                "Excluido por la regla quick.",
            ],
        ),
    ],
)
def test_try_it_lists_the_carriers_by_rank_with_their_reasons(
    store: Store, carriers: Any, signed_in: SignIn, language: str, reasons: list[str]
) -> None:
    admin = signed_in("admin")
    headers = {"Accept-Language": language}
    data = _posted(admin.get(URL, headers=headers))
    data.update(
        {"rule-0-id": "quick", "rule-0-strategy": "fastest", "rule-0-carriers_not_in": ["eco"]}
    )
    response = admin.post(URL, {**data, **SAMPLE}, headers=headers)
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert [carrier for carrier, _ in rows] == ["norte", "rapido", "eco"]
    assert [reason.strip() for _, reason in rows] == reasons
