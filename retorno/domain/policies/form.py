"""The policy as a form: the settings a store owner changes most, read from a policy document
and written back into the same document, which is then published as a new version like any
other.

The form holds the `base` settings it shows, windows per loyalty tier and per category, and
the tiers that return for free. Those three kinds of rule are recognised in a document by their
shape (one tier or category in `when`, only `window_days` in `then`; tiers in `when`, only
`fee_waived: true` in `then`). Every other rule is left exactly as it is, in its order, after
the form's rules: what is written in the advanced (JSON) editor has the last word.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from typing import Any

from retorno.domain.policies.document import complete_policy_document

# The `base` settings the form edits, each kept as it is in the document.
FORM_BASE_KEYS = (
    "window_days",
    "window_starts",
    "excluded_categories",
    "excluded_tags",
    "final_sale_returnable",
    "max_discount_percent",
    "resolutions",
    "store_credit_bonus_percent",
    "return_shipping_fee",
    "restocking_fee_percent",
    "fee_waived_reasons",
    "review_above_amount",
    "review_reasons",
    "always_review",
    "refund_timing",
    "photo_required_reasons",
)
FREE_RETURNS_RULE = "free-returns-for-tiers"


@dataclass(frozen=True)
class PolicyForm:
    base: dict[str, Any]
    tier_windows: tuple[tuple[str, int], ...] = ()
    category_windows: tuple[tuple[str, int], ...] = ()
    free_return_tiers: tuple[str, ...] = ()
    # Rules the form does not show, kept as written (their ids and descriptions).
    other_rules: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    # The rules the form read, by what they are about ("tier", "gold"), ("category", "shoes"),
    # ("free", ""): written back with their id, and with their description while they say the
    # same (a described rule keeps its words, and its translation where it has one).
    origins: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def _one(when: Any, key: str) -> str | None:
    """The single value of `when` = {key: [value]}, or None for any other shape."""
    if not isinstance(when, dict) or set(when) != {key}:
        return None
    values = when[key]
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return values[0]
    return None


def _window(rule: dict[str, Any], key: str) -> tuple[str, int] | None:
    then = rule.get("then")
    value = _one(rule.get("when"), key)
    if value is None or not isinstance(then, dict) or set(then) != {"window_days"}:
        return None
    days = then["window_days"]
    if isinstance(days, bool) or not isinstance(days, int):
        return None
    return value, days


def _free_tiers(rule: dict[str, Any]) -> tuple[str, ...] | None:
    when, then = rule.get("when"), rule.get("then")
    if not isinstance(when, dict) or set(when) != {"tier_in"} or then != {"fee_waived": True}:
        return None
    tiers = when["tier_in"]
    if not isinstance(tiers, list) or not all(isinstance(t, str) for t in tiers):
        return None
    return tuple(tiers)


def policy_form_from_document(document: dict[str, Any]) -> PolicyForm:
    """What the form shows for `document` (a valid policy document)."""
    base = complete_policy_document(document).get("base") or {}
    tiers: dict[str, int] = {}
    categories: dict[str, int] = {}
    free: list[str] = []
    others: list[dict[str, Any]] = []
    origins: dict[tuple[str, str], dict[str, Any]] = {}
    for rule in document.get("rules") or []:
        tier = _window(rule, "tier_in")
        category = _window(rule, "category_in")
        free_tiers = _free_tiers(rule)
        if tier is not None and tier[0] not in tiers:
            tiers[tier[0]] = tier[1]
            origins[("tier", tier[0])] = copy.deepcopy(rule)
        elif category is not None and category[0] not in categories:
            categories[category[0]] = category[1]
            origins[("category", category[0])] = copy.deepcopy(rule)
        elif free_tiers is not None and not free:
            free = list(free_tiers)
            origins[("free", "")] = copy.deepcopy(rule)
        else:
            others.append(copy.deepcopy(rule))
    return PolicyForm(
        base={key: copy.deepcopy(base[key]) for key in FORM_BASE_KEYS if key in base},
        tier_windows=tuple(tiers.items()),
        category_windows=tuple(categories.items()),
        free_return_tiers=tuple(free),
        other_rules=tuple(others),
        origins=origins,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


def _unique(rule_id: str, taken: set[str]) -> str:
    candidate, n = rule_id, 2
    while candidate in taken:
        candidate, n = f"{rule_id}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _rule(
    form: PolicyForm,
    taken: set[str],
    about: tuple[str, str],
    fresh_id: str,
    description: str,
    when: dict[str, Any],
    then: dict[str, Any],
) -> dict[str, Any]:
    """A rule of the form: the one it read when it says the same, else a new one (keeping the
    read rule's id when it was about the same tier or category)."""
    origin = form.origins.get(about)
    if origin is not None and origin.get("when") == when and origin.get("then") == then:
        taken.add(str(origin["id"]))
        return copy.deepcopy(origin)
    rule_id = str(origin["id"]) if origin is not None else fresh_id
    return {"id": _unique(rule_id, taken), "description": description, "when": when, "then": then}


def policy_document_from_form(document: dict[str, Any], form: PolicyForm) -> dict[str, Any]:
    """`document` with the form's settings and rules in place of those it showed: its other
    base settings and its other rules stay as they are. Not validated here: the caller parses
    the result (parse_policy) before showing or publishing it."""
    result = complete_policy_document(document)
    result["base"] = {**result.get("base", {}), **copy.deepcopy(form.base)}
    taken = {str(rule.get("id")) for rule in form.other_rules}
    rules: list[dict[str, Any]] = []
    for tier, days in form.tier_windows:
        rules.append(
            _rule(
                form,
                taken,
                ("tier", tier),
                f"window-tier-{_slug(tier)}",
                f"{tier}: {days} days to return.",
                {"tier_in": [tier]},
                {"window_days": days},
            )
        )
    for category, days in form.category_windows:
        rules.append(
            _rule(
                form,
                taken,
                ("category", category),
                f"window-category-{_slug(category)}",
                f"{category}: {days} days to return.",
                {"category_in": [category]},
                {"window_days": days},
            )
        )
    if form.free_return_tiers:
        rules.append(
            _rule(
                form,
                taken,
                ("free", ""),
                FREE_RETURNS_RULE,
                f"{', '.join(form.free_return_tiers)} return for free.",
                {"tier_in": list(form.free_return_tiers)},
                {"fee_waived": True},
            )
        )
    result["rules"] = rules + [copy.deepcopy(rule) for rule in form.other_rules]
    return result


def with_base(form: PolicyForm, **changes: Any) -> PolicyForm:
    """The form with some base settings changed (for tests and callers building a form)."""
    return replace(form, base={**form.base, **changes})
