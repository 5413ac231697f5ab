"""The allocation rules document as rows of a form, and back.

Every field of a rule (retorno.domain.logistics.rules_document) has its place in a row, so the
form shows a whole document and writes one the JSON editor would: `document_from_rows` after
`rows_from_document` gives the document back (fields left out stay left out; lists keep their
order). The document is checked by `parse_allocation_rules` as any other; a row's problems
come back under `rules[i].<field>`, which `ROW_FIELD_OF` puts on the row's field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from retorno.domain.logistics.rules_document import SCHEMA_VERSION


@dataclass(frozen=True)
class RuleRow:
    """One rule as the form shows it: empty tuples and None mean "not set"."""

    id: str
    strategy: str
    description: str = ""
    countries: tuple[str, ...] = ()
    postal_prefixes: tuple[str, ...] = ()
    weight_min_grams: int | None = None
    weight_max_grams: int | None = None
    value_min: str | None = None  # decimal strings, as the document keeps them
    value_max: str | None = None
    categories: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    carriers_in: tuple[str, ...] = ()
    carriers_not_in: tuple[str, ...] = ()
    preference: tuple[str, ...] = ()


# Where each row field sits in a rule: (in "when"?, document name).
_PLACES: dict[str, tuple[bool, str]] = {
    "countries": (True, "country_in"),
    "postal_prefixes": (True, "postal_prefix_in"),
    "weight_min_grams": (True, "weight_gte"),
    "weight_max_grams": (True, "weight_lte"),
    "value_min": (True, "value_gte"),
    "value_max": (True, "value_lte"),
    "categories": (True, "category_in"),
    "tiers": (True, "tier_in"),
    "methods": (True, "method_in"),
    "carriers_in": (False, "carrier_in"),
    "carriers_not_in": (False, "carrier_not_in"),
    "preference": (False, "preference"),
}

# A problem's path inside a rule ("when.weight_gte", "carrier_in[1]") -> the row's field.
ROW_FIELD_OF: dict[str, str] = {
    "id": "id",
    "strategy": "strategy",
    "description": "description",
    **{(f"when.{name}" if in_when else name): field for field, (in_when, name) in _PLACES.items()},
}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rows_from_document(document: Mapping[str, Any]) -> tuple[RuleRow, ...]:
    """The rows of a stored (valid) document, in its order."""
    rows = []
    for rule in document.get("rules") or ():
        if not isinstance(rule, Mapping):
            continue
        found = rule.get("when")
        when: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        values: dict[str, Any] = {}
        for field, (in_when, name) in _PLACES.items():
            raw = (when if in_when else rule).get(name)
            if field.startswith("weight_"):
                values[field] = _whole(raw)
            elif field.startswith("value_"):
                values[field] = None if raw is None else str(raw)
            else:
                values[field] = _strings(raw)
        rows.append(
            RuleRow(
                id=str(rule.get("id", "")),
                strategy=str(rule.get("strategy", "")),
                description=str(rule.get("description", "")),
                **values,
            )
        )
    return tuple(rows)


def document_from_rows(rows: Iterable[RuleRow]) -> dict[str, Any]:
    """The allocation rules document the rows make (not yet validated: see the module)."""
    rules = []
    for row in rows:
        rule: dict[str, Any] = {"id": row.id}
        if row.description:
            rule["description"] = row.description
        when: dict[str, Any] = {}
        tail: dict[str, Any] = {}
        for field, (in_when, name) in _PLACES.items():
            value = getattr(row, field)
            if value is None or value == ():
                continue
            (when if in_when else tail)[name] = list(value) if isinstance(value, tuple) else value
        if when:
            rule["when"] = when
        rule["strategy"] = row.strategy
        rule.update(tail)
        rules.append(rule)
    return {"schema": SCHEMA_VERSION, "rules": rules}


def row_problem(field_path: str) -> tuple[int, str] | None:
    """`rules[3].when.weight_gte` -> (3, "weight_min_grams"); None for a path outside a row's
    fields (shown above the form)."""
    if not field_path.startswith("rules["):
        return None
    index_text, _, rest = field_path[len("rules[") :].partition("]")
    if not index_text.isdigit():
        return None
    rest = rest.removeprefix(".")
    name = rest.split("[", 1)[0]
    field = ROW_FIELD_OF.get(name)
    return (int(index_text), field) if field else None
