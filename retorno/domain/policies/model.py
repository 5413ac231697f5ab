"""A policy compiled for fast decisions: values converted once, conditions split by scope.

Built only by `parse_policy`; the engine reads it and never re-validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from retorno.domain.policies.facts import LineFacts

# Settings that describe the whole return rather than one line. Only rules whose conditions
# are all about the order or customer may change them, so a return has one value for each.
RETURN_LEVEL_SETTINGS: frozenset[str] = frozenset(
    {
        "return_shipping_fee",
        "review_above_amount",
        "refund_shipping",
        "instant_exchange",
        "instant_exchange_return_days",
        "return_shipping_cost",
    }
)

# How many distinct order contexts a policy remembers the matching rules of.
ORDER_RULES_REMEMBERED = 4096

# Settings that define the return window. A rule conditioned on days since delivery may not
# change them: the window would then depend on itself and an expired item could come back.
WINDOW_SETTINGS: frozenset[str] = frozenset({"window_days", "window_starts"})


@dataclass(frozen=True, slots=True)
class OrderContext:
    """Facts about the order and customer, computed once per decision."""

    tier: str
    customer_tags: frozenset[str]
    signals: frozenset[str]
    country: str
    order_value: Decimal
    days_since_delivery: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One compiled rule. Condition fields left as None do not constrain anything."""

    rule_id: str
    description: str
    overrides: Mapping[str, Any]
    # Order-scoped conditions.
    tiers: frozenset[str] | None = None
    customer_tags: frozenset[str] | None = None
    signals: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    order_value_gte: Decimal | None = None
    order_value_lte: Decimal | None = None
    days_since_delivery_gte: int | None = None
    days_since_delivery_lte: int | None = None
    # Line-scoped conditions: a rule with any of these applies to matching lines only.
    categories: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    skus: frozenset[str] | None = None
    vendors: frozenset[str] | None = None
    reasons: frozenset[str] | None = None
    # Derived once: the engine asks this for every line.
    is_line_scoped: bool = field(init=False)

    def __post_init__(self) -> None:
        line_conditions = (self.categories, self.tags, self.skus, self.vendors, self.reasons)
        object.__setattr__(
            self, "is_line_scoped", any(condition is not None for condition in line_conditions)
        )

    def matches_order(self, context: OrderContext) -> bool:
        """True when every order-scoped condition holds (line conditions are not looked at)."""
        if self.tiers is not None and context.tier not in self.tiers:
            return False
        if self.customer_tags is not None and not (self.customer_tags & context.customer_tags):
            return False
        if self.signals is not None and not (self.signals & context.signals):
            return False
        if self.countries is not None and context.country not in self.countries:
            return False
        if self.order_value_gte is not None and context.order_value < self.order_value_gte:
            return False
        if self.order_value_lte is not None and context.order_value > self.order_value_lte:
            return False
        if self.days_since_delivery_gte is not None or self.days_since_delivery_lte is not None:
            days = context.days_since_delivery
            if days is None:  # not delivered: "days since delivery" has no value
                return False
            if self.days_since_delivery_gte is not None and days < self.days_since_delivery_gte:
                return False
            if self.days_since_delivery_lte is not None and days > self.days_since_delivery_lte:
                return False
        return True

    def matches_line(self, line: LineFacts, reason: str | None) -> bool:
        """True when every line-scoped condition holds for `line` returned for `reason`."""
        if self.categories is not None and line.category not in self.categories:
            return False
        if self.tags is not None and not (self.tags & line.tags):
            return False
        if self.skus is not None and line.sku not in self.skus:
            return False
        if self.vendors is not None and line.vendor not in self.vendors:
            return False
        # Without a reason (eligibility preview) reason-conditioned rules never fire.
        return self.reasons is None or (reason is not None and reason in self.reasons)


@dataclass(frozen=True, slots=True)
class OrderRules:
    """What the order-scoped side of a policy makes of one order context, worked out once per
    distinct context (`Policy.order_rules`): the rules whose order conditions hold, the
    return-level settings (base, then those of them that are not line-scoped), and their ids."""

    rules: tuple[Rule, ...]
    settings: Mapping[str, Any]
    whole_order: tuple[Rule, ...]  # the rules among `rules` that are not line-scoped


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated, compiled policy. `base` holds every setting with its typed value
    (Decimal, frozenset, tuple); rules apply in order on top of it."""

    base: Mapping[str, Any]
    rules: tuple[Rule, ...]
    # Derived once: which facts the rules' order conditions read, whether any rule is
    # line-scoped, and the answers for order contexts already seen (a replay decides the same
    # few tiers, countries and days over and over). Neither compared nor hashed.
    reads_order_value: bool = field(init=False, compare=False, repr=False)
    reads_days: bool = field(init=False, compare=False, repr=False)
    has_line_rules: bool = field(init=False, compare=False, repr=False)
    _order_rules: dict[tuple[Any, ...], OrderRules] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        rules = self.rules
        object.__setattr__(
            self,
            "reads_order_value",
            any(r.order_value_gte is not None or r.order_value_lte is not None for r in rules),
        )
        object.__setattr__(
            self,
            "reads_days",
            any(
                r.days_since_delivery_gte is not None or r.days_since_delivery_lte is not None
                for r in rules
            ),
        )
        object.__setattr__(self, "has_line_rules", any(r.is_line_scoped for r in rules))

    def order_rules(self, context: OrderContext) -> OrderRules:
        """The rules whose order conditions hold for `context` and the return-level settings
        they give: the same as matching every rule, remembered per context (only the facts
        some rule reads are part of the key)."""
        key = (
            context.tier,
            context.customer_tags,
            context.signals,
            context.country,
            context.order_value if self.reads_order_value else None,
            context.days_since_delivery if self.reads_days else None,
        )
        found = self._order_rules.get(key)
        if found is None:
            matched = tuple(rule for rule in self.rules if rule.matches_order(context))
            whole_order = tuple(rule for rule in matched if not rule.is_line_scoped)
            settings: Mapping[str, Any] = self.base
            if whole_order:
                merged = dict(self.base)
                for rule in whole_order:
                    merged.update(rule.overrides)
                settings = merged
            found = OrderRules(matched, settings, whole_order)
            if len(self._order_rules) < ORDER_RULES_REMEMBERED:
                self._order_rules[key] = found
        return found

    @property
    def uses_signals(self) -> bool:
        """Whether a rule is conditioned on abuse signals: only then must the caller compute
        them (they read the customer's history)."""
        return any(rule.signals is not None for rule in self.rules)
