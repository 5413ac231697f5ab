from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.warehouse import (
    Disposition,
    DispositionError,
    DispositionRulesError,
    Grade,
    parse_disposition_rules,
    propose_disposition,
    sellable,
)

D = Decimal

RULES = {
    "rules": [
        {
            "id": "shoes-damaged",
            "when": {"grade_in": ["damaged"], "category_in": ["shoes"]},
            "then": {"disposition": "donate", "recovery_percent": "0"},
        },
        {
            "id": "pricey-used",
            "description": "Expensive used items go to the refurbisher.",
            "when": {"grade_in": ["used"], "value_gte": "200"},
            "then": {"disposition": "refurbish", "recovery_percent": "75"},
        },
        {
            "id": "cheap",
            "when": {"value_lte": "5.00"},
            "then": {"disposition": "liquidate", "recovery_percent": "10"},
        },
    ],
    "defaults": {"damaged_recycle_below": "15"},
}


@pytest.mark.parametrize(
    ("grade", "reason", "category", "value", "disposition", "recovery", "rule_id"),
    [
        ("damaged", "too_small", "shoes", "80.00", "donate", "0.00", "shoes-damaged"),
        ("used", "changed_mind", "bags", "250.00", "refurbish", "187.50", "pricey-used"),
        ("used", "changed_mind", "bags", "199.99", "refurbish", "119.99", None),
        ("new", "changed_mind", "bags", "4.00", "liquidate", "0.40", "cheap"),
        ("new", "too_large", "bags", "50.00", "restock", "50.00", None),
        ("like_new", None, "bags", "50.00", "restock", "50.00", None),
        ("damaged", "changed_mind", "bags", "14.99", "recycle", "0.00", None),
        ("damaged", "changed_mind", "bags", "15.00", "liquidate", "3.00", None),
        ("wrong_item", "defective", "bags", "50.00", "restock", "50.00", None),
        ("new", "defective", "bags", "50.00", "return_to_vendor", "25.00", None),
        ("damaged", "defective", "bags", "50.00", "return_to_vendor", "25.00", None),
    ],
)
def test_proposals(grade, reason, category, value, disposition, recovery, rule_id):
    proposal = propose_disposition(
        parse_disposition_rules(RULES), grade, reason, category, D(value), "EUR"
    )
    assert proposal.disposition is Disposition(disposition)
    assert proposal.estimated_recovery == D(recovery)
    assert proposal.rule_id == rule_id
    assert proposal.explanation


def test_first_matching_rule_wins_and_explains_itself():
    ruleset = parse_disposition_rules(RULES)
    proposal = propose_disposition(ruleset, "used", "other", "bags", D("300"), "JPY")
    assert proposal.explanation == "Rule 'pricey-used': Expensive used items go to the refurbisher."
    assert proposal.estimated_recovery == D("225")
    shoes = propose_disposition(ruleset, "damaged", "other", "shoes", D("1.00"), "EUR")
    assert shoes.rule_id == "shoes-damaged"  # before "cheap"
    assert "grade in damaged" in shoes.explanation


def test_plain_rule_lists_use_builtin_defaults():
    assert propose_disposition(
        [], "used", "other", "x", D("10.000"), "KWD"
    ).estimated_recovery == D("6.000")


def test_not_received_units_have_no_disposition():
    with pytest.raises(DispositionError) as caught:
        propose_disposition([], "not_received", None, None, D("1.00"), "EUR")
    assert caught.value.code == "item_not_received"


@pytest.mark.parametrize(
    ("document", "fields"),
    [
        ({}, ["rules"]),
        ({"rules": "x"}, ["rules"]),
        (
            {
                "rules": [
                    {
                        "id": "A b",
                        "when": {},
                        "then": {"disposition": "restock", "recovery_percent": "100"},
                    }
                ]
            },
            ["rules[0].id"],
        ),
        (
            {
                "rules": [
                    {
                        "id": "a",
                        "when": {"grade_in": ["broken"], "value_gte": 5},
                        "then": {"disposition": "burn", "recovery_percent": "101"},
                    }
                ]
            },
            [
                "rules[0].when.grade_in[0]",
                "rules[0].when.value_gte",
                "rules[0].then.disposition",
                "rules[0].then.recovery_percent",
            ],
        ),
        (
            {
                "rules": [
                    {
                        "id": "a",
                        "when": {"value_gte": "10", "value_lte": "5"},
                        "then": {"disposition": "restock"},
                    }
                ]
            },
            ["rules[0].when", "rules[0].then.recovery_percent"],
        ),
        (
            {
                "rules": [
                    {
                        "id": "a",
                        "when": {},
                        "then": {"disposition": "restock", "recovery_percent": "1"},
                    },
                    {
                        "id": "a",
                        "when": {"colour": ["red"]},
                        "then": {"disposition": "restock", "recovery_percent": "1"},
                    },
                ],
                "defaults": {"damaged_recycle_below": "-1"},
            },
            ["rules[1].id", "rules[1].when.colour", "defaults.damaged_recycle_below"],
        ),
    ],
)
def test_rules_document_errors_name_the_field(document, fields):
    with pytest.raises(DispositionRulesError) as caught:
        parse_disposition_rules(document)
    assert caught.value.code == "invalid_disposition_rules"
    assert [error.field for error in caught.value.errors] == fields


@pytest.mark.parametrize(
    ("grade", "disposition", "expected"),
    [
        ("new", "restock", True),
        ("like_new", "restock", True),
        ("used", "restock", False),
        ("wrong_item", "restock", False),
        ("new", "refurbish", False),
        ("damaged", "liquidate", False),
    ],
)
def test_sellable(grade, disposition, expected):
    assert sellable(grade, disposition) is expected


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.sampled_from([g for g in Grade if g is not Grade.NOT_RECEIVED]),
    st.sampled_from(["defective", "too_small", "changed_mind", None]),
    st.integers(0, 10**7).map(lambda cents: Decimal(cents).scaleb(-2)),
)
def test_every_present_unit_gets_a_bounded_proposal(grade, reason, value):
    proposal = propose_disposition(
        parse_disposition_rules(RULES), grade, reason, "bags", value, "EUR"
    )
    assert 0 <= proposal.estimated_recovery <= value
    assert proposal.estimated_recovery == proposal.estimated_recovery.quantize(D("0.01"))
