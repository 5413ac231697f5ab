"""The allocation rules as form rows: any valid document survives rows and back unchanged, and
a problem's path lands on the row's field."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.logistics.rules_document import parse_allocation_rules
from retorno.domain.logistics.rules_form import (
    RuleRow,
    document_from_rows,
    row_problem,
    rows_from_document,
)

CODES = st.lists(st.sampled_from(["sim", "moto", "van", "post"]), min_size=1, unique=True)
NAMES = st.lists(st.text("abcdefgh -", min_size=1, max_size=8), min_size=1, max_size=3, unique=True)


@st.composite
def rules(draw: Any) -> list[dict[str, Any]]:
    found = []
    for index in range(draw(st.integers(0, 4))):
        rule: dict[str, Any] = {"id": f"r{index}"}
        if draw(st.booleans()):
            rule["description"] = draw(st.text(min_size=1, max_size=20))  # "" reads as none
        when: dict[str, Any] = {}
        if draw(st.booleans()):
            when["country_in"] = draw(
                st.lists(st.sampled_from(["ES", "pt", "FR"]), min_size=1, unique=True)
            )
        if draw(st.booleans()):
            when["postal_prefix_in"] = draw(
                st.lists(st.sampled_from(["28", "08", "41"]), min_size=1, unique=True)
            )
        if draw(st.booleans()):
            when["weight_gte"] = draw(st.integers(0, 5000))
        if draw(st.booleans()):
            when["weight_lte"] = draw(st.integers(5000, 90000))
        if draw(st.booleans()):
            when["value_gte"] = draw(st.sampled_from(["0", "10.5", "99.99"]))
        if draw(st.booleans()):
            when["category_in"] = draw(NAMES)
        if draw(st.booleans()):
            when["tier_in"] = draw(NAMES)
        if draw(st.booleans()):
            when["method_in"] = draw(
                st.lists(st.sampled_from(["pickup", "drop_off", "label"]), min_size=1, unique=True)
            )
        if when:
            rule["when"] = when
        rule["strategy"] = draw(st.sampled_from(["cheapest", "fastest", "best_pickup_success"]))
        if draw(st.booleans()):
            rule["carrier_not_in"] = draw(CODES)
        found.append(rule)
    return found


# No deadline: a shared, loaded machine makes one example slow now and then (not a failure).
@settings(deadline=None)
@given(rules())
def test_a_document_survives_the_form(listed: list[dict[str, Any]]) -> None:
    document = {"schema": 1, "rules": listed}
    parse_allocation_rules(document)  # the generator makes valid documents
    assert document_from_rows(rows_from_document(document)) == document


def test_a_fixed_preference_rule_in_rows() -> None:
    document = {
        "schema": 1,
        "rules": [
            {
                "id": "heavy",
                "when": {"weight_gte": 20000, "value_lte": "500.00"},
                "strategy": "fixed_preference",
                "preference": ["van", "sim"],
                "carrier_in": ["van", "sim"],
            }
        ],
    }
    (row,) = rows_from_document(document)
    assert row == RuleRow(
        id="heavy",
        strategy="fixed_preference",
        weight_min_grams=20000,
        value_max="500.00",
        carriers_in=("van", "sim"),
        preference=("van", "sim"),
    )
    assert document_from_rows([row]) == document
    assert document_from_rows([]) == {"schema": 1, "rules": []}


def test_problem_paths_land_on_row_fields() -> None:
    assert row_problem("rules[3].when.weight_gte") == (3, "weight_min_grams")
    assert row_problem("rules[0].when.postal_prefix_in[2]") == (0, "postal_prefixes")
    assert row_problem("rules[1].preference[0]") == (1, "preference")
    assert row_problem("rules[1].id") == (1, "id")
    assert row_problem("rules") is None
    assert row_problem("schema") is None
    assert row_problem("rules[x].id") is None
