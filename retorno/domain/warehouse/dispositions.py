"""Where a returned unit goes, and what the store can expect to recover from it.

A store keeps an ordered list of rules (grade × reason × category × value); the first rule that
matches proposes the disposition and a recovery rate. When none matches, built-in defaults by
grade apply, so every inspected unit always gets a proposal. Staff may change it with a note;
that is the service's business, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from retorno.domain.documents import DocumentError
from retorno.domain.errors import DomainError
from retorno.domain.money import quantize
from retorno.domain.warehouse._document import Collector
from retorno.domain.warehouse.grades import SELLABLE_GRADES, Grade, as_grade

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_RULES = 500

# The shopper reason that sends a unit back to its supplier by default.
DEFECTIVE_REASON = "defective"


class Disposition(StrEnum):
    RESTOCK = "restock"
    REFURBISH = "refurbish"
    RETURN_TO_VENDOR = "return_to_vendor"
    LIQUIDATE = "liquidate"
    DONATE = "donate"
    RECYCLE = "recycle"


class DispositionError(DomainError):
    code = "invalid_disposition"


class DispositionRulesError(DocumentError):
    """The rules document is invalid (code invalid_disposition_rules); see `errors`."""

    def __init__(self, errors: Any) -> None:
        super().__init__(errors, code="invalid_disposition_rules")


@dataclass(frozen=True, slots=True, kw_only=True)
class DispositionRule:
    """One rule. A condition left as None matches anything; all given conditions must hold.
    `value_gte` / `value_lte` are inclusive bounds on the unit's value, in the store currency."""

    rule_id: str
    disposition: Disposition
    recovery_percent: Decimal
    grade_in: frozenset[Grade] | None = None
    reason_in: frozenset[str] | None = None
    category_in: frozenset[str] | None = None
    value_gte: Decimal | None = None
    value_lte: Decimal | None = None
    description: str = ""

    def matches(
        self, grade: Grade, reason: str | None, category: str | None, value: Decimal
    ) -> bool:
        return (
            (self.grade_in is None or grade in self.grade_in)
            and (self.reason_in is None or reason in self.reason_in)
            and (self.category_in is None or category in self.category_in)
            and (self.value_gte is None or value >= self.value_gte)
            and (self.value_lte is None or value <= self.value_lte)
        )


@dataclass(frozen=True, slots=True)
class DispositionDefaults:
    """Store-level knobs of the built-in defaults. A damaged unit worth less than
    `damaged_recycle_below` (store currency) is recycled rather than liquidated."""

    damaged_recycle_below: Decimal = Decimal(10)


@dataclass(frozen=True, slots=True)
class DispositionRuleSet:
    rules: tuple[DispositionRule, ...] = ()
    defaults: DispositionDefaults = field(default_factory=DispositionDefaults)


@dataclass(frozen=True, slots=True, kw_only=True)
class DispositionProposal:
    """What to do with a unit. `rule_id` is None when a built-in default decided."""

    disposition: Disposition
    recovery_percent: Decimal
    estimated_recovery: Decimal
    currency: str
    rule_id: str | None
    explanation: str


def sellable(grade: Grade | str, disposition: Disposition | str) -> bool:
    """True when restocking this unit adds stock to the order line's variant.

    Only RESTOCK of a NEW or LIKE_NEW unit does. A WRONG_ITEM unit may be shelved too, but it is
    not the line's variant: staff identify it and book it under its own SKU.
    """
    return Disposition(disposition) is Disposition.RESTOCK and as_grade(grade) in SELLABLE_GRADES


def propose_disposition(
    rules: DispositionRuleSet | Sequence[DispositionRule],
    grade: Grade | str,
    reason: str | None,
    category: str | None,
    value: Decimal,
    currency: str,
) -> DispositionProposal:
    """Propose a disposition for one unit: the first matching rule, else the built-in default.

    `value` is the unit's value in `currency` (what the shopper paid for it, or the catalog
    price for an unexpected item); `estimated_recovery` = value × recovery_percent, rounded to
    the minor unit. Defaults: not received → error; wrong item → restock 100%; reason defective
    → return to vendor 50% (supplier credit, roughly cost); new / like new → restock 100%; used →
    refurbish 60%; damaged → liquidate 20%, or recycle 0% below `damaged_recycle_below`.
    Raises DispositionError("item_not_received") for NOT_RECEIVED: there is nothing to dispose of.
    """
    grade = as_grade(grade)
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise DispositionError(
            f"value must be a non-negative Decimal, not {value!r}.", code="invalid_amount"
        )
    if grade is Grade.NOT_RECEIVED:
        raise DispositionError(
            "The unit was not received; there is nothing to dispose of.", code="item_not_received"
        )
    ruleset = rules if isinstance(rules, DispositionRuleSet) else DispositionRuleSet(tuple(rules))

    for rule in ruleset.rules:
        if rule.matches(grade, reason, category, value):
            why = rule.description or _describe_match(rule)
            return _proposal(
                rule.disposition,
                rule.recovery_percent,
                value,
                currency,
                rule.rule_id,
                f"Rule {rule.rule_id!r}: {why}",
            )

    disposition, percent, why = _default(grade, reason, value, ruleset.defaults)
    return _proposal(disposition, percent, value, currency, None, f"No rule matched; {why}")


def _default(
    grade: Grade, reason: str | None, value: Decimal, defaults: DispositionDefaults
) -> tuple[Disposition, Decimal, str]:
    # Wrong item first: a unit that is not the line's product cannot go to the line's supplier.
    if grade is Grade.WRONG_ITEM:
        return Disposition.RESTOCK, _HUNDRED, "a wrong item is restocked under its own SKU."
    if reason == DEFECTIVE_REASON:
        return (
            Disposition.RETURN_TO_VENDOR,
            Decimal(50),
            "a defective unit goes back to its supplier.",
        )
    if grade in (Grade.NEW, Grade.LIKE_NEW):
        return (
            Disposition.RESTOCK,
            _HUNDRED,
            f"a {grade.value.replace('_', ' ')} unit is restocked.",
        )
    if grade is Grade.USED:
        return Disposition.REFURBISH, Decimal(60), "a used unit is refurbished."
    if value < defaults.damaged_recycle_below:
        return (
            Disposition.RECYCLE,
            _ZERO,
            f"a damaged unit worth less than {defaults.damaged_recycle_below} is recycled.",
        )
    return Disposition.LIQUIDATE, Decimal(20), "a damaged unit is liquidated."


def _proposal(
    disposition: Disposition,
    percent: Decimal,
    value: Decimal,
    currency: str,
    rule_id: str | None,
    explanation: str,
) -> DispositionProposal:
    return DispositionProposal(
        disposition=disposition,
        recovery_percent=percent,
        estimated_recovery=quantize(value * percent / _HUNDRED, currency),
        currency=currency,
        rule_id=rule_id,
        explanation=explanation,
    )


def _describe_match(rule: DispositionRule) -> str:
    parts = []
    for label, values in (
        ("grade", rule.grade_in),
        ("reason", rule.reason_in),
        ("category", rule.category_in),
    ):
        if values is not None:
            parts.append(f"{label} in {', '.join(sorted(values))}")
    if rule.value_gte is not None:
        parts.append(f"value ≥ {rule.value_gte}")
    if rule.value_lte is not None:
        parts.append(f"value ≤ {rule.value_lte}")
    conditions = "; ".join(parts) or "always"
    return f"{conditions} → {rule.disposition.value} ({rule.recovery_percent}%)."


# --- the rules document --------------------------------------------------------------------------

_WHEN_KEYS = ("grade_in", "reason_in", "category_in", "value_gte", "value_lte")


def parse_disposition_rules(document: Mapping[str, Any]) -> DispositionRuleSet:
    """Compile a store's disposition rules document (see docs/money.md for its shape).

    {"rules": [{"id", "description"?, "when": {grade_in?, reason_in?, category_in?, value_gte?,
    value_lte?}, "then": {"disposition", "recovery_percent"}}], "defaults"?:
    {"damaged_recycle_below"}}. Amounts and percentages are strings. Raises
    DispositionRulesError listing every problem with its field path ("rules[1].then.disposition").
    """
    check = Collector()
    root = check.mapping(document, "", ("rules", "defaults"), ("rules",))
    rules: list[DispositionRule] = []
    raw_rules = root.get("rules", [])
    if not isinstance(raw_rules, list):
        check.add("rules", "must be a list")
        raw_rules = []
    elif len(raw_rules) > MAX_RULES:
        check.add("rules", f"must have at most {MAX_RULES} rules")
    seen_ids: set[str] = set()
    for index, raw in enumerate(raw_rules):
        rule = _parse_rule(check, raw, f"rules[{index}]", seen_ids)
        if rule is not None:
            rules.append(rule)

    defaults = DispositionDefaults()
    if "defaults" in root:
        raw_defaults = check.mapping(root["defaults"], "defaults", ("damaged_recycle_below",))
        if "damaged_recycle_below" in raw_defaults:
            below = check.decimal(
                raw_defaults["damaged_recycle_below"], "defaults.damaged_recycle_below"
            )
            if below is not None:
                defaults = DispositionDefaults(damaged_recycle_below=below)
    if check.errors:
        raise DispositionRulesError(check.errors)
    return DispositionRuleSet(tuple(rules), defaults)


def _parse_rule(
    check: Collector, raw: Any, path: str, seen_ids: set[str]
) -> DispositionRule | None:
    errors_before = len(check.errors)
    rule = check.mapping(raw, path, ("id", "description", "when", "then"), ("id", "when", "then"))
    rule_id = rule.get("id")
    if "id" in rule:
        if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
            check.add(f"{path}.id", "must be 1-64 lowercase letters, digits, '.', '_' or '-'")
        elif rule_id in seen_ids:
            check.add(f"{path}.id", f"{rule_id!r} is used by an earlier rule")
        else:
            seen_ids.add(rule_id)
    description = ""
    if "description" in rule:
        description = check.text(rule["description"], f"{path}.description") or ""

    when = check.mapping(rule.get("when", {}), f"{path}.when", _WHEN_KEYS)
    grades = reasons = categories = None
    if "grade_in" in when:
        grades = check.names(when["grade_in"], f"{path}.when.grade_in", [g.value for g in Grade])
    if "reason_in" in when:
        reasons = check.names(when["reason_in"], f"{path}.when.reason_in")
    if "category_in" in when:
        categories = check.names(when["category_in"], f"{path}.when.category_in")
    value_gte = (
        check.decimal(when["value_gte"], f"{path}.when.value_gte") if "value_gte" in when else None
    )
    value_lte = (
        check.decimal(when["value_lte"], f"{path}.when.value_lte") if "value_lte" in when else None
    )
    if value_gte is not None and value_lte is not None and value_gte > value_lte:
        check.add(f"{path}.when", "value_gte is above value_lte, so the rule can never match")

    then = check.mapping(
        rule.get("then", {}),
        f"{path}.then",
        ("disposition", "recovery_percent"),
        ("disposition", "recovery_percent"),
    )
    disposition = None
    if "disposition" in then:
        try:
            disposition = Disposition(then["disposition"])
        except ValueError:
            check.add(
                f"{path}.then.disposition",
                f"{then['disposition']!r} is not one of: {', '.join(Disposition)}",
            )
    percent = None
    if "recovery_percent" in then:
        percent = check.decimal(
            then["recovery_percent"], f"{path}.then.recovery_percent", maximum=_HUNDRED
        )

    if len(check.errors) > errors_before or disposition is None or percent is None:
        return None
    return DispositionRule(
        rule_id=str(rule_id),
        disposition=disposition,
        recovery_percent=percent,
        grade_in=frozenset(Grade(g) for g in grades) if grades is not None else None,
        reason_in=reasons,
        category_in=categories,
        value_gte=value_gte,
        value_lte=value_lte,
        description=description,
    )
