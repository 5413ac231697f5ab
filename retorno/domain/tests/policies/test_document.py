"""Policy documents: the schema, and errors that name the exact field."""

import copy

import pytest
from jsonschema import Draft202012Validator

from retorno.domain.errors import DomainError
from retorno.domain.policies import (
    POLICY_SCHEMA,
    FieldError,
    PolicyDocumentError,
    default_policy_document,
    parse_policy,
)


def test_the_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(POLICY_SCHEMA)
    assert POLICY_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _objects(schema):
    if isinstance(schema, dict):
        if "properties" in schema:
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


def test_every_object_in_the_schema_forbids_unknown_fields():
    objects = list(_objects(POLICY_SCHEMA))
    assert len(objects) >= 5
    assert all(obj["additionalProperties"] is False for obj in objects)


def test_the_default_document_is_valid_and_each_call_returns_a_fresh_copy():
    document = default_policy_document()
    assert not list(Draft202012Validator(POLICY_SCHEMA).iter_errors(document))
    parse_policy(document)
    document["base"]["window_days"] = 1
    assert default_policy_document()["base"]["window_days"] == 30


def test_parse_policy_does_not_modify_or_keep_the_document():
    document = default_policy_document()
    before = copy.deepcopy(document)
    compiled = parse_policy(document)
    assert document == before
    document["rules"][0]["then"]["window_days"] = 1
    assert compiled.rules[0].overrides["window_days"] == 45


def with_change(change):
    document = default_policy_document()
    change(document)
    return document


def set_base(key, value):
    return lambda document: document["base"].__setitem__(key, value)


def add_rule(rule):
    return lambda document: document["rules"].append(rule)


def set_rules(*rules):
    return lambda document: document.__setitem__("rules", list(rules))


INVALID = [
    # (what is wrong, change, field, words in the message)
    ("negative window", set_base("window_days", -1), "base.window_days", "minimum"),
    ("window as string", set_base("window_days", "30"), "base.window_days", "not of type"),
    ("window as bool", set_base("window_days", True), "base.window_days", "not of type"),
    ("unknown base key", set_base("windows", 3), "base.windows", "not a known field"),
    (
        "bad window start",
        set_base("window_starts", "payment"),
        "base.window_starts",
        "is not one of",
    ),
    (
        "fee as float",
        set_base("return_shipping_fee", 5.0),
        "base.return_shipping_fee",
        "not of type",
    ),
    (
        "fee with comma",
        set_base("return_shipping_fee", "5,00"),
        "base.return_shipping_fee",
        "decimal number",
    ),
    (
        "negative fee",
        set_base("return_shipping_fee", "-5.00"),
        "base.return_shipping_fee",
        "must not be negative",
    ),
    (
        "negative threshold",
        set_base("review_above_amount", "-1"),
        "base.review_above_amount",
        "must not be negative",
    ),
    (
        "restocking above 100",
        set_base("restocking_fee_percent", "150"),
        "base.restocking_fee_percent",
        "between 0 and 100",
    ),
    (
        "unknown resolution",
        set_base("resolutions", ["refund", "cash"]),
        "base.resolutions[1]",
        "'cash' is not a resolution",
    ),
    ("no resolution", set_base("resolutions", []), "base.resolutions", "at least one"),
    (
        "repeated category",
        set_base("excluded_categories", ["a", "a"]),
        "base.excluded_categories",
        "non-unique",
    ),
    (
        "bad refund timing",
        set_base("refund_timing", "later"),
        "base.refund_timing",
        "is not one of",
    ),
    ("missing base key", lambda d: d["base"].pop("qc_level"), "base.qc_level", "is required"),
    ("missing base", lambda d: d.pop("base"), "base", "is required"),
    ("future schema", lambda d: d.__setitem__("schema", 2), "schema", "1 was expected"),
    (
        "unknown top-level key",
        lambda d: d.__setitem__("version", 3),
        "version",
        "not a known field",
    ),
    ("rules not a list", lambda d: d.__setitem__("rules", {}), "rules", "not of type"),
    (
        "rule window as string",
        add_rule({"id": "x", "when": {}, "then": {"window_days": "30"}}),
        "rules[3].then.window_days",
        "not of type",
    ),
    (
        "unknown override",
        add_rule({"id": "x", "when": {}, "then": {"windw_days": 3}}),
        "rules[3].then.windw_days",
        "not a known field",
    ),
    (
        "unknown condition",
        add_rule({"id": "x", "when": {"brand_in": ["a"]}, "then": {"qc_level": "lenient"}}),
        "rules[3].when.brand_in",
        "not a known field",
    ),
    ("rule without then", add_rule({"id": "x", "when": {}}), "rules[3].then", "is required"),
    (
        "empty then",
        add_rule({"id": "x", "when": {}, "then": {}}),
        "rules[3].then",
        "at least one setting",
    ),
    (
        "bad rule id",
        add_rule({"id": "Has Spaces", "when": {}, "then": {"qc_level": "lenient"}}),
        "rules[3].id",
        "does not match",
    ),
    (
        "duplicate rule id",
        add_rule({"id": "gold-window", "when": {}, "then": {"qc_level": "lenient"}}),
        "rules[3].id",
        "duplicates the id of rules[1]",
    ),
    (
        "empty condition list",
        add_rule({"id": "x", "when": {"category_in": []}, "then": {"qc_level": "lenient"}}),
        "rules[3].when.category_in",
        "should be non-empty",
    ),
    (
        "bad country",
        add_rule({"id": "x", "when": {"country_in": ["ESP"]}, "then": {"qc_level": "lenient"}}),
        "rules[3].when.country_in[0]",
        "does not match",
    ),
    (
        "returnable true",
        add_rule({"id": "x", "when": {}, "then": {"returnable": True}}),
        "rules[3].then.returnable",
        "can only be false",
    ),
    (
        "reason code alone",
        add_rule({"id": "x", "when": {}, "then": {"reason_code": "final_sale"}}),
        "rules[3].then.reason_code",
        "returnable",
    ),
    (
        "unknown reason code",
        add_rule({"id": "x", "when": {}, "then": {"returnable": False, "reason_code": "nope"}}),
        "rules[3].then.reason_code",
        "must be one of",
    ),
    (
        "request reason code",
        add_rule(
            {"id": "x", "when": {}, "then": {"returnable": False, "reason_code": "unknown_line"}}
        ),
        "rules[3].then.reason_code",
        "must be one of",
    ),
    (
        "negative fee in a rule",
        add_rule({"id": "x", "when": {}, "then": {"return_shipping_fee": "-1"}}),
        "rules[3].then.return_shipping_fee",
        "must not be negative",
    ),
    (
        "return setting on a line rule",
        add_rule(
            {"id": "x", "when": {"reason_in": ["defective"]}, "then": {"return_shipping_fee": "0"}}
        ),
        "rules[3].then.return_shipping_fee",
        "use fee_waived",
    ),
    (
        "window depending on itself",
        add_rule({"id": "x", "when": {"days_since_delivery_gte": 30}, "then": {"window_days": 90}}),
        "rules[3].then.window_days",
        "depend on itself",
    ),
    (
        "impossible value range",
        add_rule(
            {
                "id": "x",
                "when": {"order_value_gte": "100", "order_value_lte": "50"},
                "then": {"qc_level": "lenient"},
            }
        ),
        "rules[3].when.order_value_gte",
        "never fires",
    ),
    (
        "impossible day range",
        set_rules(
            {
                "id": "x",
                "when": {"days_since_delivery_gte": 9, "days_since_delivery_lte": 2},
                "then": {"qc_level": "lenient"},
            }
        ),
        "rules[0].when.days_since_delivery_gte",
        "never fires",
    ),
]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [pytest.param(change, field, words, id=name) for name, change, field, words in INVALID],
)
def test_invalid_documents_name_the_field(change, field, words):
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(with_change(change))
    error = caught.value
    assert error.code == "invalid_policy"
    assert isinstance(error, ValueError)
    assert isinstance(error, DomainError)
    matching = [item for item in error.errors if item.field == field]
    assert matching, error.errors
    assert any(words in item.message for item in matching), matching
    assert field in str(error)


@pytest.mark.parametrize("document", [None, [], "policy", 3])
def test_a_document_that_is_not_an_object(document):
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(document)
    assert caught.value.errors[0].field == ""
    assert "not of type 'object'" in caught.value.errors[0].message


def test_every_problem_is_reported_at_once_in_document_order():
    document = default_policy_document()
    document["base"]["window_days"] = -1
    document["base"]["qc_level"] = "harsh"
    document["rules"][2]["then"]["fee_waived"] = "yes"
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(document)
    assert [error.field for error in caught.value.errors] == [
        "base.qc_level",
        "base.window_days",
        "rules[2].then.fee_waived",
    ]


def test_field_error_is_plain_data():
    assert FieldError("base.window_days", "is required") == FieldError(
        "base.window_days", "is required"
    )


def test_a_minimal_document_with_no_rules():
    document = default_policy_document()
    del document["rules"]
    assert parse_policy(document).rules == ()
