"""decide(): the return decision as a pure function of policy, order, customer, request and now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from retorno.domain.days import local_day
from retorno.domain.money import quantize
from retorno.domain.policies import reasons as r
from retorno.domain.policies.decision import (
    Decision,
    KeepItem,
    KeepItemCode,
    LineDecision,
    Outcome,
    RuleFired,
)
from retorno.domain.policies.facts import (
    CustomerFacts,
    FactsError,
    LineFacts,
    OrderFacts,
    RequestFacts,
)
from retorno.domain.policies.model import OrderContext, OrderRules, Policy, Rule
from retorno.domain.policies.reasons import Reason
from retorno.domain.returns.amounts import units_paid_amount

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def decide(
    policy: Policy,
    order: OrderFacts,
    customer: CustomerFacts,
    request: RequestFacts | None,
    now: datetime,
) -> Decision:
    """Decide a return request under `policy`, explained.

    With a request, `lines` follow the request's items and the outcome is REJECT if any of them
    carries a reason (not returnable, unknown line, too many units, resolution not offered):
    the whole request is rejected and the shopper sees why per line. Otherwise REVIEW if any
    review trigger holds (value above the threshold, a review reason, always_review), else
    APPROVE.

    With `request=None` the decision previews every order line at its full returnable quantity
    with no reason (reason-conditioned rules do not fire) and no resolution. Ineligible lines
    do not reject the preview: it is REJECT only when no line is eligible.

    `now` must be timezone-aware, in the store's zone: days the shopper reads (the last day of
    a window) are days there. Pure: no I/O, same inputs give the same Decision.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise FactsError("now must be a timezone-aware datetime.")
    currency = order.currency
    delivered_at = order.delivered_at
    context = OrderContext(
        tier=customer.tier,
        customer_tags=customer.tags,
        signals=customer.signals,
        country=order.country.upper(),
        # Summed only when a rule reads it: no rule compares it otherwise.
        order_value=order.order_value if policy.reads_order_value else _ZERO,
        days_since_delivery=None if delivered_at is None else (now - delivered_at).days,
    )
    # Order conditions are the same for every line: evaluate them once (and once per distinct
    # context for the policy: Policy.order_rules).
    order_rules = policy.order_rules(context)
    return_settings = order_rules.settings
    trace = [RuleFired(rule.rule_id, None, rule.description) for rule in order_rules.whole_order]

    if request is None:
        line_decisions = [
            _decide_line(policy, order_rules, order, line, None, None, None, now, trace)
            for line in order.lines
        ]
        considered = [decided for decided in line_decisions if decided.eligible]
        rejected = not considered
    else:
        lines_by_id = {line.line_id: line for line in order.lines}
        line_decisions = []
        for item in request.items:
            line = lines_by_id.get(item.line_id)
            if line is None:
                line_decisions.append(
                    _unknown_line(policy.base, item.line_id, item.quantity, currency)
                )
                continue
            line_decisions.append(
                _decide_line(
                    policy,
                    order_rules,
                    order,
                    line,
                    item.quantity,
                    item.reason,
                    request.resolution,
                    now,
                    trace,
                )
            )
        considered = line_decisions
        rejected = any(decided.reasons for decided in line_decisions)

    return_value = sum((decided.return_value for decided in line_decisions), _ZERO)
    restocking_fee = sum((decided.restocking_fee for decided in line_decisions), _ZERO)
    shipping_fee = _ZERO
    if considered and not all(decided.fee_waived for decided in considered):
        # Capped so that fees never take more than the return is worth.
        shipping_fee = min(
            quantize(return_settings["return_shipping_fee"], currency),
            max(_ZERO, return_value - restocking_fee),
        )

    review_reasons: list[Reason] = []
    threshold = return_settings["review_above_amount"]
    if threshold is not None and return_value > threshold:
        review_reasons.append(
            r.reason(
                r.VALUE_ABOVE_REVIEW_THRESHOLD,
                threshold=quantize(threshold, currency),
                currency=currency,
            )
        )
    for line_decision in considered:
        for line_reason in line_decision.review_reasons:
            if line_reason not in review_reasons:
                review_reasons.append(line_reason)

    if rejected:
        outcome = Outcome.REJECT
    elif review_reasons:
        outcome = Outcome.REVIEW
    else:
        outcome = Outcome.APPROVE
    keep_item = _keep_item(
        considered,
        quantize(return_settings["return_shipping_cost"], currency),
        rejected=rejected,
        currency=currency,
    )
    return Decision(
        outcome=outcome,
        currency=currency,
        lines=tuple(line_decisions),
        return_value=quantize(return_value, currency),
        return_shipping_fee=quantize(shipping_fee, currency),
        restocking_fee=quantize(restocking_fee, currency),
        refund_shipping=bool(return_settings["refund_shipping"]),
        requires_review=outcome is Outcome.REVIEW,
        review_reasons=tuple(review_reasons),
        instant_exchange=bool(return_settings["instant_exchange"]),
        instant_exchange_return_days=return_settings["instant_exchange_return_days"],
        keep_item=keep_item,
        trace=tuple(trace),
    )


def _keep_item(
    considered: list[LineDecision],
    shipping_cost: Decimal,
    *,
    rejected: bool,
    currency: str,
) -> KeepItem:
    """Whether the shopper may keep everything: one parcel comes back or none, so the store's
    cost of bringing it back is weighed against what it would recover of all its lines."""
    recovered = quantize(
        sum((line.keep_item_recovered_value for line in considered), _ZERO), currency
    )

    def answer(code: KeepItemCode) -> KeepItem:
        allowed = code is KeepItemCode.SHIPPING_EXCEEDS_RECOVERY
        return KeepItem(allowed, code, recovered, shipping_cost)

    if rejected or not considered:
        return answer(KeepItemCode.NOT_APPROVABLE)
    for line in considered:
        if line.keep_item_refusal is not None:
            return answer(line.keep_item_refusal)
    if shipping_cost > recovered:
        return answer(KeepItemCode.SHIPPING_EXCEEDS_RECOVERY)
    return answer(KeepItemCode.WORTH_RETURNING)


def _merge(base: Mapping[str, Any], rules: list[Rule]) -> Mapping[str, Any]:
    """Apply rule overrides in order on top of `base`: a later rule wins for the keys it sets."""
    if not rules:
        return base
    merged = dict(base)
    for rule in rules:
        merged.update(rule.overrides)
    return merged


def _decide_line(
    policy: Policy,
    order_rules: OrderRules,
    order: OrderFacts,
    line: LineFacts,
    requested_quantity: int | None,
    reason: str | None,
    resolution: str | None,
    now: datetime,
    trace: list[RuleFired],
) -> LineDecision:
    if policy.has_line_rules:
        applied = [
            rule
            for rule in order_rules.rules
            if not rule.is_line_scoped or rule.matches_line(line, reason)
        ]
        settings = _merge(policy.base, applied)
        trace.extend(
            RuleFired(rule.rule_id, line.line_id, rule.description)
            for rule in applied
            if rule.is_line_scoped
        )
    else:
        # No line-scoped rule: every line gets the order's settings (the same merge).
        applied = list(order_rules.rules)
        settings = order_rules.settings

    reasons, window_ends_at = _eligibility(settings, order, line, now)
    eligible = not reasons
    returnable_quantity = line.remaining_quantity if eligible else 0
    if requested_quantity is None:  # preview: as if asking for everything that can go back
        requested_quantity = returnable_quantity
    allowed_resolutions: tuple[str, ...] = settings["resolutions"] if eligible else ()
    if eligible and requested_quantity > returnable_quantity:
        reasons.append(
            r.reason(
                r.QUANTITY_EXCEEDS_RETURNABLE,
                requested=requested_quantity,
                returnable=returnable_quantity,
            )
        )
    if eligible and resolution is not None and resolution not in allowed_resolutions:
        reasons.append(r.reason(r.RESOLUTION_NOT_ALLOWED, resolution=resolution))

    currency = order.currency
    # Already in the currency's minor units (units_paid_amount), as is the fee below.
    return_value = _paid_share(line, min(requested_quantity, returnable_quantity), currency)
    fee_waived = bool(settings["fee_waived"]) or (
        reason is not None and reason in settings["fee_waived_reasons"]
    )
    if eligible and not fee_waived:
        restocking_fee = quantize(
            return_value * settings["restocking_fee_percent"] / _HUNDRED, currency
        )
    else:
        restocking_fee = _zero(currency)

    review_reasons: list[Reason] = []
    if eligible:
        if settings["always_review"]:
            review_reasons.append(r.reason(r.ALWAYS_REVIEW))
        if reason is not None and reason in settings["review_reasons"]:
            review_reasons.append(r.reason(r.REASON_REQUIRES_REVIEW, reason=reason))

    return LineDecision(
        line_id=line.line_id,
        eligible=eligible,
        returnable_quantity=returnable_quantity,
        requested_quantity=requested_quantity,
        window_ends_at=window_ends_at,
        reasons=tuple(reasons),
        allowed_resolutions=allowed_resolutions,
        return_value=return_value,
        restocking_fee=restocking_fee,
        fee_waived=fee_waived,
        requires_review=bool(review_reasons),
        review_reasons=tuple(review_reasons),
        refund_timing=settings["refund_timing"],
        qc_level=settings["qc_level"],
        store_credit_bonus_percent=settings["store_credit_bonus_percent"],
        damaged_deduction_percent=settings["damaged_deduction_percent"],
        used_deduction_percent=settings["used_deduction_percent"],
        photo_required_reasons=settings["photo_required_reasons"],
        keep_item_refusal=_keep_line_refusal(settings, return_value),
        keep_item_recovered_value=quantize(
            return_value * settings["keep_item_recovery_percent"] / _HUNDRED, currency
        ),
        rules_fired=tuple(rule.rule_id for rule in applied),
    )


_ZEROS: dict[str, Decimal] = {}


def _zero(currency: str) -> Decimal:
    """Zero in the currency's minor units (0.00 in EUR, 0 in JPY)."""
    found = _ZEROS.get(currency)
    if found is None:
        found = _ZEROS[currency] = quantize(_ZERO, currency)
    return found


def _keep_line_refusal(settings: Mapping[str, Any], return_value: Decimal) -> KeepItemCode | None:
    """Why the policy refuses keep-the-item for this line, None when it allows it."""
    if not settings["keep_item"]:
        return KeepItemCode.KEEP_ITEM_DISABLED
    cap = settings["keep_item_max_value"]
    if cap is not None and return_value > cap:
        return KeepItemCode.ABOVE_MAX_ITEM_VALUE
    return None


def _eligibility(
    settings: Mapping[str, Any], order: OrderFacts, line: LineFacts, now: datetime
) -> tuple[list[Reason], datetime | None]:
    """Every reason the item cannot go back (all of them, so the shopper sees the full picture)
    and when its return window ends (None when it has not started)."""
    reasons: list[Reason] = []
    window_starts_at: datetime | None = order.placed_at
    if settings["window_starts"] == "delivery":
        window_starts_at = order.delivered_at
        if window_starts_at is None:
            reasons.append(r.reason(r.NOT_DELIVERED))
    if line.final_sale and not settings["final_sale_returnable"]:
        reasons.append(r.reason(r.FINAL_SALE))
    if line.category in settings["excluded_categories"]:
        reasons.append(r.reason(r.EXCLUDED_CATEGORY, category=line.category))
    excluded_tags = line.tags & settings["excluded_tags"]
    if excluded_tags:
        reasons.append(r.reason(r.EXCLUDED_TAG, tag=min(excluded_tags)))
    max_discount = settings["max_discount_percent"]
    # Compared without dividing, so a free line (gross 0) never counts as over-discounted.
    if max_discount is not None and line.discount * _HUNDRED > max_discount * line.gross_amount:
        reasons.append(r.reason(r.DISCOUNT_ABOVE_LIMIT, max_percent=max_discount))
    if not settings["returnable"]:
        code = settings["reason_code"]
        params = {"category": line.category} if code == r.EXCLUDED_CATEGORY else {}
        reasons.append(r.reason(code, **params))
    window_ends_at = None
    if window_starts_at is not None:
        window_ends_at = window_starts_at + timedelta(days=settings["window_days"])
        if now > window_ends_at:
            last_day = local_day(window_ends_at, now.tzinfo)
            reasons.append(r.reason(r.WINDOW_EXPIRED, date=last_day.isoformat()))
    if line.remaining_quantity <= 0:
        reasons.append(r.reason(r.ALREADY_RETURNED))
    return reasons, window_ends_at


def _paid_share(line: LineFacts, units: int, currency: str) -> Decimal:
    """What the customer paid for `units` more units of `line` (price minus discount plus tax),
    after the units already held by other returns: the same per-unit shares as the return's
    amount and its refund (`units_paid_amount`), so fees decided on it are decided on what the
    shopper is quoted and refunded, and partial returns add up to exactly what was paid.
    """
    return units_paid_amount(
        paid_total=line.paid_amount,
        quantity=line.quantity,
        units=units,
        units_before=line.already_returned_quantity,
        currency=currency,
    )


def _unknown_line(
    base: Mapping[str, Any], line_id: str, requested_quantity: int, currency: str
) -> LineDecision:
    zero = quantize(_ZERO, currency)
    return LineDecision(
        line_id=line_id,
        eligible=False,
        returnable_quantity=0,
        requested_quantity=requested_quantity,
        window_ends_at=None,
        reasons=(r.reason(r.UNKNOWN_LINE),),
        allowed_resolutions=(),
        return_value=zero,
        restocking_fee=zero,
        fee_waived=False,
        requires_review=False,
        review_reasons=(),
        refund_timing=base["refund_timing"],
        qc_level=base["qc_level"],
        store_credit_bonus_percent=base["store_credit_bonus_percent"],
        damaged_deduction_percent=base["damaged_deduction_percent"],
        used_deduction_percent=base["used_deduction_percent"],
        photo_required_reasons=base["photo_required_reasons"],
        keep_item_refusal=KeepItemCode.NOT_APPROVABLE,
        keep_item_recovered_value=zero,
        rules_fired=(),
    )
