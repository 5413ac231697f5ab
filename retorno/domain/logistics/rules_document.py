"""The allocation rules document: its JSON Schema, validation with field paths, compilation.

A store's allocation rules are stored as JSON:

    {"schema": 1, "rules": [{"id": "heavy", "when": {"weight_gte": 20000},
                             "strategy": "cheapest", "carrier_not_in": ["moto"]}]}

`parse_allocation_rules` checks the document against ALLOCATION_RULES_SCHEMA, then what a
schema cannot say, and compiles it once into AllocationRules for `allocate()`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from retorno.domain.documents import (
    DocumentError,
    FieldError,
    field_path,
    schema_field_error,
    unknown_or_missing_fields,
)
from retorno.domain.logistics.allocation import AllocationRule, Strategy
from retorno.domain.logistics.carriers import ReturnMethod, normalise_postal_code

SCHEMA_VERSION = 1

_DECIMAL_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,6})?$"
_CODE: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64}
_CODES: dict[str, Any] = {
    "type": "array",
    "items": _CODE,
    "uniqueItems": True,
    "minItems": 1,
    "maxItems": 100,
}
_NAMES: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "maxLength": 200},
    "uniqueItems": True,
    "minItems": 1,
    "maxItems": 1000,
}
_GRAMS: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 10_000_000}
_AMOUNT: dict[str, Any] = {"type": "string", "pattern": _DECIMAL_PATTERN}

_CONDITION_PROPERTIES: dict[str, Any] = {
    "country_in": {
        "type": "array",
        "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "uniqueItems": True,
        "minItems": 1,
    },
    "postal_prefix_in": {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": 16},
        "uniqueItems": True,
        "minItems": 1,
        "maxItems": 10_000,
    },
    "weight_gte": _GRAMS,
    "weight_lte": _GRAMS,
    "value_gte": _AMOUNT,
    "value_lte": _AMOUNT,
    "category_in": _NAMES,
    "tier_in": _NAMES,
    "method_in": {
        "type": "array",
        "items": {"enum": [str(method) for method in ReturnMethod]},
        "uniqueItems": True,
        "minItems": 1,
    },
}

ALLOCATION_RULES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://retorno.dev/schemas/allocation-rules-1.json",
    "title": "Retorno carrier allocation rules",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "rules"],
    "properties": {
        "schema": {"const": SCHEMA_VERSION},
        "rules": {
            "type": "array",
            "maxItems": 200,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "strategy"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"},
                    "description": {"type": "string", "maxLength": 500},
                    "when": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": _CONDITION_PROPERTIES,
                    },
                    "strategy": {"enum": [str(strategy) for strategy in Strategy]},
                    "preference": _CODES,
                    "carrier_in": _CODES,
                    "carrier_not_in": _CODES,
                },
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(ALLOCATION_RULES_SCHEMA)


class AllocationRulesDocumentError(DocumentError):
    """The allocation rules document is invalid. `errors` lists every problem found."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        super().__init__(
            errors, code="invalid_allocation_rules", intro="The allocation rules are invalid"
        )


def default_allocation_rules_document() -> dict[str, Any]:
    """A new store's rules: none, so every parcel goes to the cheapest carrier that can take it."""
    return {"schema": SCHEMA_VERSION, "rules": []}


def parse_allocation_rules(
    doc: Mapping[str, Any], *, known_carrier_codes: Iterable[str] | None = None
) -> tuple[AllocationRule, ...]:
    """Validate an allocation rules document and compile it, in order.

    With `known_carrier_codes`, carrier codes in preference / carrier_in / carrier_not_in must
    be among them (pass the store's carriers when saving; leave it out when loading a stored
    version, so that removing a carrier does not break old rules). Does not modify `doc`.
    Raises AllocationRulesDocumentError (code "invalid_allocation_rules") naming every field.
    """
    schema_errors = sorted(_schema_errors(doc), key=lambda error: (error.field, error.message))
    if schema_errors:
        raise AllocationRulesDocumentError(schema_errors)
    known = None if known_carrier_codes is None else frozenset(known_carrier_codes)
    semantic_errors = list(_semantic_errors(doc, known))
    if semantic_errors:
        raise AllocationRulesDocumentError(semantic_errors)
    return tuple(_compile(rule) for rule in copy.deepcopy(doc["rules"]))


# --- validation -----------------------------------------------------------------------------


def _schema_errors(doc: object) -> Iterable[FieldError]:
    for error in _VALIDATOR.iter_errors(doc):
        yield from _explain(error)


def _explain(error: ValidationError) -> Iterable[FieldError]:
    """Turn a jsonschema error into a message that names the exact field."""
    where = list(error.absolute_path)
    common = unknown_or_missing_fields(error)
    if common is not None:
        yield from common
    elif error.validator == "pattern" and error.validator_value == _DECIMAL_PATTERN:
        yield FieldError(
            field_path(where),
            'must be a non-negative decimal number written as a string, like "50.00"',
            "decimal",
        )
    elif error.validator == "enum" and where and where[-1] == "strategy":
        yield FieldError(field_path(where), f"must be one of: {', '.join(Strategy)}", "strategy")
    else:
        yield schema_field_error(error)


def _semantic_errors(doc: Mapping[str, Any], known: frozenset[str] | None) -> Iterable[FieldError]:
    seen_ids: dict[str, int] = {}
    for index, rule in enumerate(doc["rules"]):
        where = f"rules[{index}]"
        rule_id = rule["id"]
        if rule_id in seen_ids:
            yield FieldError(
                f"{where}.id",
                f"duplicates the id of rules[{seen_ids[rule_id]}]",
                "duplicate_id",
                (("rule", str(seen_ids[rule_id] + 1)),),
            )
        else:
            seen_ids[rule_id] = index
        when = rule.get("when", {})
        for low, high in (("weight_gte", "weight_lte"), ("value_gte", "value_lte")):
            if low in when and high in when and Decimal(when[low]) > Decimal(when[high]):
                yield FieldError(
                    f"{where}.when.{low}",
                    f"is above {high}, so the rule never fires",
                    "never_fires",
                )
        for position, prefix in enumerate(when.get("postal_prefix_in", [])):
            if not normalise_postal_code(prefix):
                yield FieldError(
                    f"{where}.when.postal_prefix_in[{position}]",
                    "is empty without spaces and hyphens, so it would match every postal code",
                    "empty_prefix",
                )
        is_fixed = rule["strategy"] == Strategy.FIXED_PREFERENCE
        if is_fixed and "preference" not in rule:
            yield FieldError(
                f"{where}.preference",
                "is required by the fixed_preference strategy",
                "preference_required",
            )
        if not is_fixed and "preference" in rule:
            yield FieldError(
                f"{where}.preference",
                "only applies to the fixed_preference strategy",
                "preference_unused",
            )
        allowed = rule.get("carrier_in")
        denied = set(rule.get("carrier_not_in", []))
        for position, code in enumerate(rule.get("carrier_not_in", [])):
            if allowed is not None and code in allowed:
                yield FieldError(
                    f"{where}.carrier_not_in[{position}]",
                    f"{code!r} is also in carrier_in",
                    "allowed_and_excluded",
                    (("carrier", code),),
                )
        for position, code in enumerate(rule.get("preference", [])):
            if code in denied or (allowed is not None and code not in allowed):
                yield FieldError(
                    f"{where}.preference[{position}]",
                    f"{code!r} is excluded by this rule, so preferring it has no effect",
                    "preference_excluded",
                    (("carrier", code),),
                )
        if known is not None:
            for key in ("preference", "carrier_in", "carrier_not_in"):
                for position, code in enumerate(rule.get(key, [])):
                    if code not in known:
                        yield FieldError(
                            f"{where}.{key}[{position}]",
                            f"{code!r} is not one of the store's carriers",
                            "unknown_carrier",
                            (("carrier", code),),
                        )


# --- compilation ----------------------------------------------------------------------------


def _names(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _compile(rule: Mapping[str, Any]) -> AllocationRule:
    when = rule.get("when", {})
    prefixes = when.get("postal_prefix_in")
    methods = when.get("method_in")
    return AllocationRule(
        rule_id=rule["id"],
        description=rule.get("description", ""),
        strategy=Strategy(rule["strategy"]),
        preference=tuple(rule.get("preference", ())),
        carrier_in=_names(rule.get("carrier_in")),
        carrier_not_in=frozenset(rule.get("carrier_not_in", ())),
        countries=None
        if "country_in" not in when
        else frozenset(country.upper() for country in when["country_in"]),
        # A tuple, because str.startswith takes one: a single C-level call per parcel.
        postal_prefixes=None
        if prefixes is None
        else tuple(normalise_postal_code(prefix) for prefix in prefixes),
        # JSON Schema counts 300.0 as an integer; the engine wants real ints.
        weight_gte=None if "weight_gte" not in when else int(when["weight_gte"]),
        weight_lte=None if "weight_lte" not in when else int(when["weight_lte"]),
        value_gte=None if "value_gte" not in when else Decimal(when["value_gte"]),
        value_lte=None if "value_lte" not in when else Decimal(when["value_lte"]),
        categories=_names(when.get("category_in")),
        tiers=_names(when.get("tier_in")),
        methods=None if methods is None else frozenset(ReturnMethod(m) for m in methods),
    )
