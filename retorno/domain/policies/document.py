"""The policy document: its JSON Schema, validation with field paths, and compilation.

A store's policy is a JSON document (see docs/policies.md). `parse_policy` checks it against
POLICY_SCHEMA, then checks what a schema cannot say (known resolution names, fee signs, unique
rule ids, rules that could never be consistent), and compiles it into a `Policy` once so that
decisions do no parsing at all.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from retorno.domain.documents import (
    DocumentError,
    FieldError,
    field_path,
    unknown_or_missing_fields,
)
from retorno.domain.insight.signals import SIGNAL_CODES
from retorno.domain.policies.model import RETURN_LEVEL_SETTINGS, WINDOW_SETTINGS, Policy, Rule
from retorno.domain.policies.reasons import EXCLUDED_BY_RULE, RULE_REASON_CODES

SCHEMA_VERSION = 1

RESOLUTIONS: tuple[str, ...] = ("refund", "store_credit", "exchange")
REFUND_TIMINGS: tuple[str, ...] = ("on_approval", "on_first_scan", "on_receipt", "on_inspection")
QC_LEVELS: tuple[str, ...] = ("standard", "lenient")
WINDOW_STARTS: tuple[str, ...] = ("delivery", "order")

# Amounts and percentages are strings so that no float ever touches money. The sign is allowed
# by the pattern and refused by the semantic checks, which give a clearer message.
_DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$"
_DECIMAL: dict[str, Any] = {"type": "string", "pattern": _DECIMAL_PATTERN}
_NULLABLE_DECIMAL: dict[str, Any] = {"type": ["string", "null"], "pattern": _DECIMAL_PATTERN}
_NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 200}
_NAMES: dict[str, Any] = {"type": "array", "items": _NAME, "uniqueItems": True, "maxItems": 1000}
_NON_EMPTY_NAMES: dict[str, Any] = {**_NAMES, "minItems": 1}

_SETTINGS_PROPERTIES: dict[str, Any] = {
    "window_days": {"type": "integer", "minimum": 0, "maximum": 3650},
    "window_starts": {"enum": list(WINDOW_STARTS)},
    "excluded_categories": _NAMES,
    "excluded_tags": _NAMES,
    "final_sale_returnable": {"type": "boolean"},
    "max_discount_percent": _NULLABLE_DECIMAL,
    "resolutions": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    "store_credit_bonus_percent": _DECIMAL,
    "return_shipping_fee": _DECIMAL,
    "restocking_fee_percent": _DECIMAL,
    "fee_waived_reasons": _NAMES,
    "review_above_amount": _NULLABLE_DECIMAL,
    "review_reasons": _NAMES,
    "always_review": {"type": "boolean"},
    "refund_timing": {"enum": list(REFUND_TIMINGS)},
    "qc_level": {"enum": list(QC_LEVELS)},
    "refund_shipping": {"type": "boolean"},
    "instant_exchange": {"type": "boolean"},
    "instant_exchange_return_days": {"type": "integer", "minimum": 1, "maximum": 365},
    "keep_item": {"type": "boolean"},
    "keep_item_max_value": _NULLABLE_DECIMAL,
    "keep_item_recovery_percent": _DECIMAL,
    "return_shipping_cost": _DECIMAL,
    "damaged_deduction_percent": _DECIMAL,
    "used_deduction_percent": _DECIMAL,
    "photo_required_reasons": _NAMES,
}

# Settings added after schema 1 was published. A stored version written before them means
# what these values say, so they are frozen: change a default here and old returns change too.
# Every version published from now on carries them explicitly (see complete_policy_document).
ADDED_SETTINGS_DEFAULTS: dict[str, Any] = {
    "instant_exchange": False,
    "instant_exchange_return_days": 30,
    "keep_item": False,
    "keep_item_max_value": None,
    "keep_item_recovery_percent": "100",
    "return_shipping_cost": "0.00",
    "damaged_deduction_percent": "50",
    "used_deduction_percent": "0",
    "photo_required_reasons": ["defective", "damaged"],
}
_REQUIRED_BASE_SETTINGS = [
    key for key in _SETTINGS_PROPERTIES if key not in ADDED_SETTINGS_DEFAULTS
]

_CONDITION_PROPERTIES: dict[str, Any] = {
    # Order-scoped: about the order or the customer.
    "tier_in": {
        "type": "array",
        "items": {"type": "string", "maxLength": 200},
        "uniqueItems": True,
        "minItems": 1,
    },
    "customer_tag_any": _NON_EMPTY_NAMES,
    "signal_any": {
        "type": "array",
        "items": {"enum": list(SIGNAL_CODES)},
        "uniqueItems": True,
        "minItems": 1,
    },
    "country_in": {
        "type": "array",
        "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "uniqueItems": True,
        "minItems": 1,
    },
    "order_value_gte": _DECIMAL,
    "order_value_lte": _DECIMAL,
    "days_since_delivery_gte": {"type": "integer", "minimum": 0},
    "days_since_delivery_lte": {"type": "integer", "minimum": 0},
    # Line-scoped: a rule using any of these applies to the matching lines only.
    "category_in": _NON_EMPTY_NAMES,
    "tag_any": _NON_EMPTY_NAMES,
    "sku_in": _NON_EMPTY_NAMES,
    "vendor_in": _NON_EMPTY_NAMES,
    "reason_in": _NON_EMPTY_NAMES,
}
_DECIMAL_SETTINGS = frozenset(
    key for key, schema in _SETTINGS_PROPERTIES.items() if schema.get("pattern") == _DECIMAL_PATTERN
)
LINE_CONDITIONS: frozenset[str] = frozenset(
    {"category_in", "tag_any", "sku_in", "vendor_in", "reason_in"}
)

POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://retorno.dev/schemas/policy-1.json",
    "title": "Retorno return policy",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "base"],
    "properties": {
        "schema": {"const": SCHEMA_VERSION},
        "base": {
            "type": "object",
            "additionalProperties": False,
            # Every base setting is required: a stored policy version must mean the same thing
            # forever, so it cannot lean on defaults that a later release might change. The
            # settings added later have frozen defaults instead (ADDED_SETTINGS_DEFAULTS).
            "required": _REQUIRED_BASE_SETTINGS,
            "properties": _SETTINGS_PROPERTIES,
        },
        "rules": {
            "type": "array",
            "maxItems": 500,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "when", "then"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"},
                    "description": {"type": "string", "maxLength": 500},
                    "when": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": _CONDITION_PROPERTIES,
                    },
                    "then": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "properties": {
                            **_SETTINGS_PROPERTIES,
                            "fee_waived": {"type": "boolean"},
                            "returnable": {"const": False},
                            "reason_code": {"type": "string"},
                        },
                        "dependentRequired": {"reason_code": ["returnable"]},
                    },
                },
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(POLICY_SCHEMA)


class PolicyDocumentError(DocumentError):
    """The policy document is invalid. `errors` lists every problem found, in document order."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        super().__init__(errors, code="invalid_policy", intro="The policy document is invalid")


def default_policy_document() -> dict[str, Any]:
    """The policy a new store starts with (the product contract; see docs/policies.md)."""
    return {
        "schema": SCHEMA_VERSION,
        "base": {
            "window_days": 30,
            "window_starts": "delivery",
            "excluded_categories": ["gift-cards"],
            "excluded_tags": [],
            "final_sale_returnable": False,
            "max_discount_percent": None,
            "resolutions": ["exchange", "store_credit", "refund"],
            "store_credit_bonus_percent": "10",
            "return_shipping_fee": "5.00",
            "restocking_fee_percent": "0",
            "fee_waived_reasons": ["defective", "damaged", "missing_parts", "wrong_item"],
            "review_above_amount": "500.00",
            "review_reasons": [],
            "always_review": False,
            "refund_timing": "on_receipt",
            "qc_level": "standard",
            "refund_shipping": False,
            **ADDED_SETTINGS_DEFAULTS,
        },
        "rules": [
            {
                "id": "silver-window",
                "description": "Silver members have 45 days to return.",
                "when": {"tier_in": ["silver"]},
                "then": {"window_days": 45},
            },
            {
                "id": "gold-window",
                "description": "Gold members have 60 days to return.",
                "when": {"tier_in": ["gold"]},
                "then": {"window_days": 60},
            },
            {
                "id": "loyalty-free-returns",
                "description": "Silver and gold members return for free.",
                "when": {"tier_in": ["silver", "gold"]},
                "then": {"fee_waived": True},
            },
        ],
    }


def complete_policy_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of `doc` whose base spells out every setting added since schema 1, so that what
    a published version means can be read from the version alone."""
    completed = copy.deepcopy(doc)
    base = completed.get("base")
    if isinstance(base, dict):
        for key, value in ADDED_SETTINGS_DEFAULTS.items():
            base.setdefault(key, value)
    return completed


def parse_policy(doc: dict[str, Any]) -> Policy:
    """Validate a policy document and compile it into a `Policy`.

    Does not modify `doc`. Raises PolicyDocumentError (code "invalid_policy") listing every
    problem with its field path. Compile once per policy version and reuse the result.
    """
    schema_errors = sorted(_schema_errors(doc), key=_document_order)
    if schema_errors:
        raise PolicyDocumentError(schema_errors)
    semantic_errors = list(_semantic_errors(doc))
    if semantic_errors:
        raise PolicyDocumentError(semantic_errors)
    return _compile(copy.deepcopy(doc))


# --- validation -----------------------------------------------------------------------------


def _document_order(error: FieldError) -> tuple[str, str]:
    return (error.field, error.message)


def _schema_errors(doc: object) -> Iterable[FieldError]:
    for error in _VALIDATOR.iter_errors(doc):
        yield from _explain(error)


def _explain(error: ValidationError) -> Iterable[FieldError]:
    """Turn a jsonschema error into messages that name the exact field and read like English."""
    where = list(error.absolute_path)
    common = unknown_or_missing_fields(error)
    if common is not None:
        yield from common
    elif error.validator == "dependentRequired":
        yield FieldError(
            field_path([*where, "reason_code"]), 'needs "returnable": false next to it'
        )
    elif error.validator == "pattern" and error.validator_value == _DECIMAL_PATTERN:
        yield FieldError(
            field_path(where), 'must be a decimal number written as a string, like "5.00"'
        )
    elif error.validator == "const" and where and where[-1] == "returnable":
        yield FieldError(field_path(where), "can only be false (a rule can exclude, not include)")
    elif error.validator == "minProperties":
        yield FieldError(field_path(where), "must change at least one setting")
    else:
        yield FieldError(field_path(where), error.message)


def _semantic_errors(doc: Mapping[str, Any]) -> Iterable[FieldError]:
    yield from _settings_errors(doc["base"], "base")
    seen_ids: dict[str, int] = {}
    for index, rule in enumerate(doc.get("rules", [])):
        where = f"rules[{index}]"
        rule_id = rule["id"]
        if rule_id in seen_ids:
            yield FieldError(f"{where}.id", f"duplicates the id of rules[{seen_ids[rule_id]}]")
        else:
            seen_ids[rule_id] = index
        when, then = rule["when"], rule["then"]
        yield from _settings_errors(then, f"{where}.then")
        if "reason_code" in then and then["reason_code"] not in RULE_REASON_CODES:
            allowed = ", ".join(sorted(RULE_REASON_CODES))
            yield FieldError(f"{where}.then.reason_code", f"must be one of: {allowed}")
        if LINE_CONDITIONS & when.keys():
            for key in sorted(RETURN_LEVEL_SETTINGS & then.keys()):
                yield FieldError(
                    f"{where}.then.{key}",
                    "applies to the whole return, so it cannot be set by a rule with line "
                    "conditions (category_in, tag_any, sku_in, vendor_in, reason_in); "
                    "use fee_waived to waive fees per line",
                )
        if {"days_since_delivery_gte", "days_since_delivery_lte"} & when.keys():
            for key in sorted(WINDOW_SETTINGS & then.keys()):
                yield FieldError(
                    f"{where}.then.{key}",
                    "cannot be changed by a rule conditioned on days since delivery "
                    "(the window would depend on itself)",
                )
        for low, high in (
            ("order_value_gte", "order_value_lte"),
            ("days_since_delivery_gte", "days_since_delivery_lte"),
        ):
            if low in when and high in when and Decimal(when[low]) > Decimal(when[high]):
                yield FieldError(f"{where}.when.{low}", f"is above {high}, so the rule never fires")


def _settings_errors(settings: Mapping[str, Any], where: str) -> Iterable[FieldError]:
    for index, name in enumerate(settings.get("resolutions", [])):
        if name not in RESOLUTIONS:
            yield FieldError(
                f"{where}.resolutions[{index}]",
                f"{name!r} is not a resolution; use one of: {', '.join(RESOLUTIONS)}",
            )
    if settings.get("resolutions") == []:
        yield FieldError(
            f"{where}.resolutions",
            'must offer at least one resolution (use "returnable": false in a rule to exclude)',
        )
    for key in (
        "return_shipping_fee",
        "review_above_amount",
        "keep_item_max_value",
        "return_shipping_cost",
    ):
        value = settings.get(key)
        if value is not None and Decimal(value) < 0:
            yield FieldError(f"{where}.{key}", "must not be negative")
    for key in (
        "restocking_fee_percent",
        "store_credit_bonus_percent",
        "max_discount_percent",
        "keep_item_recovery_percent",
        "damaged_deduction_percent",
        "used_deduction_percent",
    ):
        value = settings.get(key)
        if value is not None and not Decimal(0) <= Decimal(value) <= Decimal(100):
            yield FieldError(f"{where}.{key}", "must be a percentage between 0 and 100")


# --- compilation ----------------------------------------------------------------------------


def _typed_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Convert JSON values into the types the engine uses, so it converts nothing per call."""
    typed: dict[str, Any] = {}
    for key, value in settings.items():
        if key in (
            "excluded_categories",
            "excluded_tags",
            "fee_waived_reasons",
            "review_reasons",
            "photo_required_reasons",
        ):
            typed[key] = frozenset(value)
        elif key == "resolutions":
            typed[key] = tuple(value)
        elif key in _DECIMAL_SETTINGS:
            typed[key] = _decimal(value)
        elif key in ("window_days", "instant_exchange_return_days"):
            typed[key] = _integer(value)
        else:
            typed[key] = value
    if typed.get("returnable") is False:
        typed.setdefault("reason_code", EXCLUDED_BY_RULE)
    return typed


def _names(values: Iterable[str] | None, *, upper: bool = False) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset(value.upper() if upper else value for value in values)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _integer(value: int | float | None) -> int | None:
    # JSON Schema counts 30.0 as an integer; the engine wants a real int.
    return None if value is None else int(value)


def _compile(doc: Mapping[str, Any]) -> Policy:
    base = _typed_settings({**ADDED_SETTINGS_DEFAULTS, **doc["base"]})
    # Line flags that only rules set; the base starts them in their neutral state.
    base.update({"fee_waived": False, "returnable": True, "reason_code": None})
    rules = tuple(
        Rule(
            rule_id=rule["id"],
            description=rule.get("description", ""),
            overrides=MappingProxyType(_typed_settings(rule["then"])),
            tiers=_names(rule["when"].get("tier_in")),
            customer_tags=_names(rule["when"].get("customer_tag_any")),
            signals=_names(rule["when"].get("signal_any")),
            countries=_names(rule["when"].get("country_in"), upper=True),
            order_value_gte=_decimal(rule["when"].get("order_value_gte")),
            order_value_lte=_decimal(rule["when"].get("order_value_lte")),
            days_since_delivery_gte=_integer(rule["when"].get("days_since_delivery_gte")),
            days_since_delivery_lte=_integer(rule["when"].get("days_since_delivery_lte")),
            categories=_names(rule["when"].get("category_in")),
            tags=_names(rule["when"].get("tag_any")),
            skus=_names(rule["when"].get("sku_in")),
            vendors=_names(rule["when"].get("vendor_in")),
            reasons=_names(rule["when"].get("reason_in")),
        )
        for rule in doc.get("rules", [])
    )
    return Policy(base=MappingProxyType(base), rules=rules)
