"""The policy form reads a document's common settings and writes them back into the same
document: what it does not show is kept, and what it writes is a valid policy."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain.policies import default_policy_document, parse_policy
from retorno.domain.policies.form import (
    PolicyForm,
    policy_document_from_form,
    policy_form_from_document,
    with_base,
)

# Store-made names: slugs that collide ("a b" and "a-b"), accents, upper case.
NAMES = ["gold", "silver", "VIP", "a b", "a-b", "Ñandú", "gift cards", "shoes"]
# Distinct names in any order (a slice of a permutation: cheap to draw, nothing rejected).
some_names = st.permutations(NAMES).flatmap(
    lambda names: st.integers(0, 4).map(lambda k: names[:k])
)
windows = some_names.flatmap(
    lambda names: st.lists(st.integers(0, 3650), min_size=len(names), max_size=len(names)).map(
        lambda days: list(zip(names, days, strict=True))
    )
)


def test_the_default_policy_reads_as_tier_windows_and_free_tiers() -> None:
    form = policy_form_from_document(default_policy_document())
    assert form.tier_windows == (("silver", 45), ("gold", 60))
    assert form.free_return_tiers == ("silver", "gold")
    assert form.other_rules == ()
    assert form.base["window_days"] == 30


def test_rules_the_form_does_not_show_are_kept_after_its_own() -> None:
    document = default_policy_document()
    swimwear = {
        "id": "swimwear",
        "description": "Swimwear: 14 days, store credit only.",
        "when": {"category_in": ["swimwear"]},
        "then": {"window_days": 14, "resolutions": ["store_credit"]},
    }
    document["rules"].insert(0, swimwear)
    form = policy_form_from_document(document)
    assert form.other_rules == (swimwear,)
    written = policy_document_from_form(document, with_base(form, window_days=20))
    parse_policy(written)
    assert written["base"]["window_days"] == 20
    assert written["rules"][-1] == swimwear
    assert document["rules"][0] == swimwear  # the document read is not changed


@given(windows, windows, some_names)
def test_what_the_form_writes_is_valid_and_reads_back_the_same(
    tiers: list[tuple[str, int]], categories: list[tuple[str, int]], free: list[str]
) -> None:
    document = default_policy_document()
    shown = policy_form_from_document(document)
    form = PolicyForm(
        base=copy.deepcopy(shown.base),
        tier_windows=tuple(tiers),
        category_windows=tuple(categories),
        free_return_tiers=tuple(free),
    )
    written = policy_document_from_form(document, form)
    parse_policy(written)  # raises on anything invalid (duplicate ids among them)
    again = policy_form_from_document(written)
    assert again.tier_windows == tuple(tiers)
    assert again.category_windows == tuple(categories)
    assert again.free_return_tiers == tuple(free)
    assert again.base == form.base


def test_rules_read_are_written_back_with_their_ids_and_words() -> None:
    document = default_policy_document()
    form = policy_form_from_document(document)
    assert policy_document_from_form(document, form)["rules"] == document["rules"]
    longer = PolicyForm(
        base=form.base,
        tier_windows=(("silver", 45), ("gold", 90)),
        free_return_tiers=form.free_return_tiers,
        origins=form.origins,
    )
    rules = {r["id"]: r for r in policy_document_from_form(document, longer)["rules"]}
    assert rules["gold-window"]["then"] == {"window_days": 90}
    assert rules["gold-window"]["description"] == "gold: 90 days to return."
    assert rules["silver-window"]["description"] == "Silver members have 45 days to return."
