"""The shopper's reason taxonomy, and its mapping to and from Shopify's ReturnReason."""

from __future__ import annotations

import pathlib
import re

from retorno.domain.returns.reasons import (
    FROM_SHOPIFY_RETURN_REASON,
    REASONS,
    SHOPIFY_RETURN_REASONS,
    TAXONOMY,
    size_direction,
)

DOCS = pathlib.Path(__file__).resolve().parents[4] / "docs" / "policies.md"
# Shopify's ReturnReason enum (Admin GraphQL), every value it documents.
SHOPIFY_VALUES = {
    "COLOR",
    "DEFECTIVE",
    "NOT_AS_DESCRIBED",
    "OTHER",
    "SIZE_TOO_LARGE",
    "SIZE_TOO_SMALL",
    "STYLE",
    "UNKNOWN",
    "UNWANTED",
    "WRONG_ITEM",
}
LEAVES = {
    "too_small",
    "too_large",
    "defective",
    "damaged",
    "not_as_described",
    "wrong_item",
    "changed_mind",
    "arrived_late",
    "better_price",
    "missing_parts",
    "other",
}


def test_the_taxonomy_has_exactly_the_leaves_a_classifier_may_answer():
    assert set(REASONS) == LEAVES
    codes = [reason.code for group in TAXONOMY for reason in group.reasons]
    assert len(codes) == len(set(codes))
    for group in TAXONOMY:
        assert all(reason.group == group.code for reason in group.reasons)


def test_only_the_size_leaves_point_to_another_size():
    assert {code: size_direction(code) for code in LEAVES if size_direction(code)} == {
        "too_small": 1,
        "too_large": -1,
    }


def test_every_leaf_maps_to_a_shopify_value_and_every_shopify_value_back_to_a_leaf():
    assert set(SHOPIFY_RETURN_REASONS) == LEAVES
    assert set(SHOPIFY_RETURN_REASONS.values()) <= SHOPIFY_VALUES
    assert set(FROM_SHOPIFY_RETURN_REASON) == SHOPIFY_VALUES
    assert set(FROM_SHOPIFY_RETURN_REASON.values()) <= LEAVES
    # A leaf with its own Shopify value comes back as itself.
    for leaf, value in SHOPIFY_RETURN_REASONS.items():
        if list(SHOPIFY_RETURN_REASONS.values()).count(value) == 1 and value != "OTHER":
            assert FROM_SHOPIFY_RETURN_REASON[value] == leaf


def _table_rows(heading: str) -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(heading)
    rows = {}
    for line in text[start:].splitlines()[1:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("## "):
            break
        if len(cells) >= 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = re.sub(r"^`([A-Za-z_]+)`.*$", r"\1", cells[1])
    return rows


def test_the_docs_show_the_mapping_the_code_uses():
    documented = _table_rows("### Shopify's `ReturnReason`")
    expected = {**SHOPIFY_RETURN_REASONS, **FROM_SHOPIFY_RETURN_REASON}
    assert documented == expected


def test_the_docs_list_every_leaf():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Return reasons") : text.index("### Shopify's")]
    assert {code for code in LEAVES if f"| `{code}` |" in section} == LEAVES
