"""Allocation rules documents: the schema, compilation, and errors that name the field."""

import copy
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator

from retorno.domain.logistics import (
    ALLOCATION_RULES_SCHEMA,
    AllocationRulesDocumentError,
    FieldError,
    ReturnMethod,
    Strategy,
    default_allocation_rules_document,
    parse_allocation_rules,
)

DOCUMENT = {
    "schema": 1,
    "rules": [
        {
            "id": "madrid",
            "description": "Madrid city: the moto courier first.",
            "when": {
                "country_in": ["es"],
                "postal_prefix_in": ["280", "28 1"],
                "weight_lte": 5000,
                "value_gte": "10.00",
                "value_lte": "500",
                "category_in": ["shirts"],
                "tier_in": ["gold"],
                "method_in": ["pickup"],
            },
            "strategy": "fixed_preference",
            "preference": ["moto", "rapido"],
            "carrier_not_in": ["barato"],
        },
        {"id": "rest", "strategy": "fastest", "carrier_in": ["rapido", "moto"]},
    ],
}


def test_the_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(ALLOCATION_RULES_SCHEMA)


def test_a_document_compiles_in_order_into_typed_rules():
    before = copy.deepcopy(DOCUMENT)
    madrid, rest = parse_allocation_rules(
        DOCUMENT, known_carrier_codes={"moto", "rapido", "barato"}
    )
    assert before == DOCUMENT
    assert madrid.rule_id == "madrid"
    assert madrid.strategy is Strategy.FIXED_PREFERENCE
    assert madrid.preference == ("moto", "rapido")
    assert madrid.countries == frozenset({"ES"})
    assert madrid.postal_prefixes == ("280", "281")
    assert madrid.weight_lte == 5000
    assert madrid.weight_gte is None
    assert madrid.value_gte == Decimal("10.00")
    assert madrid.value_lte == Decimal("500")
    assert madrid.methods == frozenset({ReturnMethod.PICKUP})
    assert madrid.carrier_not_in == frozenset({"barato"})
    assert madrid.carrier_in is None
    assert rest.strategy is Strategy.FASTEST
    assert rest.carrier_in == frozenset({"rapido", "moto"})
    assert rest.countries is None


def test_the_default_document_has_no_rules():
    assert parse_allocation_rules(default_allocation_rules_document()) == ()


def errors_of(change, **kwargs):
    document = copy.deepcopy(DOCUMENT)
    change(document)
    with pytest.raises(AllocationRulesDocumentError) as raised:
        parse_allocation_rules(document, **kwargs)
    assert raised.value.code == "invalid_allocation_rules"
    return raised.value.errors


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("rules"), FieldError("rules", "is required")),
        (
            lambda d: d["rules"][0].update(colour="red"),
            FieldError("rules[0].colour", "is not a known field"),
        ),
        (lambda d: d["rules"][1].pop("strategy"), FieldError("rules[1].strategy", "is required")),
        (
            lambda d: d["rules"][1].update(strategy="random"),
            FieldError(
                "rules[1].strategy",
                "must be one of: cheapest, fastest, best_pickup_success, fixed_preference",
            ),
        ),
        (
            lambda d: d["rules"][0]["when"].update(value_gte="ten"),
            FieldError(
                "rules[0].when.value_gte",
                'must be a non-negative decimal number written as a string, like "50.00"',
            ),
        ),
        (
            lambda d: d["rules"][0]["when"].update(weight_gte=9000),
            FieldError("rules[0].when.weight_gte", "is above weight_lte, so the rule never fires"),
        ),
        (
            lambda d: d["rules"][1].update(id="madrid"),
            FieldError("rules[1].id", "duplicates the id of rules[0]"),
        ),
        (
            lambda d: d["rules"][0].pop("preference"),
            FieldError("rules[0].preference", "is required by the fixed_preference strategy"),
        ),
        (
            lambda d: d["rules"][1].update(preference=["moto"]),
            FieldError("rules[1].preference", "only applies to the fixed_preference strategy"),
        ),
        (
            lambda d: d["rules"][0].update(preference=["barato"]),
            FieldError(
                "rules[0].preference[0]",
                "'barato' is excluded by this rule, so preferring it has no effect",
            ),
        ),
        (
            lambda d: d["rules"][1].update(carrier_not_in=["moto"]),
            FieldError("rules[1].carrier_not_in[0]", "'moto' is also in carrier_in"),
        ),
        (
            lambda d: d["rules"][0]["when"].update(postal_prefix_in=["- "]),
            FieldError(
                "rules[0].when.postal_prefix_in[0]",
                "is empty without spaces and hyphens, so it would match every postal code",
            ),
        ),
    ],
)
def test_errors_name_the_field(change, expected):
    assert expected in errors_of(change)


def test_unknown_carriers_are_named_when_the_store_carriers_are_given():
    errors = errors_of(lambda d: None, known_carrier_codes={"rapido"})
    assert (
        FieldError("rules[0].preference[0]", "'moto' is not one of the store's carriers") in errors
    )
    assert (
        FieldError("rules[1].carrier_in[1]", "'moto' is not one of the store's carriers") in errors
    )


def test_every_problem_is_reported_at_once():
    def two_problems(document):
        document["rules"][0]["colour"] = "red"
        document["rules"][1]["strategy"] = "random"

    assert len(errors_of(two_problems)) == 2


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(AllocationRulesDocumentError):
        parse_allocation_rules([])  # type: ignore[arg-type]
