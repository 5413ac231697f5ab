"""The rows of one generated return's order (and the orders without a return that come with
it), its claim, and the column lists of every table a history writes; the return's own story is
retorno.demo.history_story."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from retorno.demo import data
from retorno.demo.history_plan import VAT, Weighted, bijection, day_pick, money
from retorno.demo.history_story import ALPHABET, HOUR_WEIGHTS, HOURS, ReturnStory
from retorno.logistics.models import PickupAttempt, Shipment, TrackingEvent
from retorno.money.models import (
    Claim,
    ClaimLine,
    ExchangeLine,
    ExchangeOrder,
    Refund,
    RefundLine,
)
from retorno.notifications.models import Message
from retorno.orders.models import Order, OrderLine
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.warehouse.models import Inspection

if TYPE_CHECKING:
    from retorno.demo.bulk import Loader
    from retorno.demo.history_plan import Plan


LINE_COUNTS = Weighted((1, 2, 3, 4), (45, 30, 15, 10))
REQUEST_HOURS = Weighted(HOURS, HOUR_WEIGHTS)
DELIVERY_DAYS = Weighted((2, 3, 4, 5, 6), (20, 35, 25, 12, 8))


class ReturnWriter:
    """Writes return `index` of a plan, with its order (and the orders without a return that
    come with it), through `loader`."""

    def __init__(self, plan: Plan, loader: Loader, rng: random.Random, profile: Any) -> None:
        self.plan = plan
        self.rng = rng
        self.profile = profile
        self.base = plan.bases
        self.specs = {spec.code: spec for spec in data.CATALOG}
        shelves: dict[str, list[data.ProductSpec]] = {}
        for spec in data.CATALOG:
            if not spec.premium:
                shelves.setdefault(spec.category, []).append(spec)
        self.shelves = {
            category: Weighted(specs, [s.popularity for s in specs])
            for category, specs in shelves.items()
        }
        returnable = [c for c in data.CATEGORY_WEIGHTS if c != data.GIFT_CARD_CATEGORY]
        weights = list(data.CATEGORY_WEIGHTS.values())
        self.returnable = Weighted(returnable, weights[: len(returnable)])
        self.categories = Weighted(list(data.CATEGORY_WEIGHTS), weights)
        self.sizes = {
            spec.code: Weighted(spec.sizes, spec.size_weights)
            for spec in data.CATALOG
            if spec.sizes
        }
        self.tags: dict[str, list[str]] = {}
        self.sized: dict[tuple[str, str], list[tuple[int, str, dict[str, str], Decimal]]] = {}
        self.premium = [spec for spec in data.CATALOG if spec.premium]
        self.line_money: dict[
            tuple[Decimal, int, int, bool], tuple[Decimal, Decimal, Decimal, Decimal]
        ] = {}
        self.candidates = {code: [code] for _, code, _ in plan.carriers}
        self.salt = f"{plan.store_id}:{plan.seed}"
        self.bijection = bijection
        self.day_pick = day_pick
        self.rma_mix = [bijection(0, 40, self.salt + ":rma"), bijection(1, 40, self.salt + ":rma")]
        t = loader.table
        self.orders = t(Order, _ORDER)
        self.lines = t(OrderLine, _LINE)
        self.returns = t(Return, _RETURN)
        self.items = t(ReturnItem, _ITEM)
        self.events = t(ReturnEvent, _EVENT)
        self.shipments = t(Shipment, _SHIPMENT)
        self.scans = t(TrackingEvent, _SCAN)
        self.pickups = t(PickupAttempt, _PICKUP)
        self.inspections = t(Inspection, _INSPECTION)
        self.refunds = t(Refund, _REFUND)
        self.refund_lines = t(RefundLine, _REFUND_LINE)
        self.exchanges = t(ExchangeOrder, _EXCHANGE)
        self.exchange_lines = t(ExchangeLine, _EXCHANGE_LINE)
        self.claims = t(Claim, _CLAIM)
        self.claim_lines = t(ClaimLine, _CLAIM_LINE)
        self.messages = t(Message, _MESSAGE)

    # --- ids and codes ---------------------------------------------------------------------

    def _id(self, model: str, index: int, slots: int, k: int) -> int:
        if k >= slots:
            raise ValueError(f"{model}: more than {slots} rows for one return")
        return self.base[model] + index * slots + k

    def _code(self, index: int, salt: str, chars: int) -> str:
        value = self.bijection(index, chars * 5, self.salt + salt)
        out = []
        for _ in range(chars):
            out.append(ALPHABET[value & 31])
            value >>= 5
        return "".join(reversed(out))

    def _customer(self) -> Any:
        # Skewed: a few shoppers return again and again, most once or twice.
        return self.profile(self.plan, int(self.plan.customers * self.rng.random() ** 1.8))

    # --- orders ----------------------------------------------------------------------------

    def _variant(self, spec: data.ProductSpec) -> tuple[int, str, dict[str, str], Decimal]:
        rng = self.rng
        variants = self.plan.variants[spec.code]
        if spec.sizes:
            size = self.sizes[spec.code].pick(rng)
            sized = self.sized.get((spec.code, size))
            if sized is None:
                sized = [v for v in variants if v[2].get(spec.size_option) == size] or list(
                    variants
                )
                self.sized[spec.code, size] = sized
            return rng.choice(sized)
        return rng.choice(variants)

    def _tags(self, spec: data.ProductSpec) -> list[str]:
        tags = self.tags.get(spec.code)
        if tags is None:
            tags = self.tags[spec.code] = [spec.kind, *spec.tags]
        return tags

    def _order(
        self, slot: int, person: Any, placed: datetime, delivered: datetime | None
    ) -> tuple[int, list[dict[str, Any]]]:
        rng = self.rng
        plan = self.plan
        order_id = self.base["Order"] + slot
        promo = rng.choice(data.PROMO_CODES) if rng.random() < 0.18 else None
        count = LINE_COUNTS.pick(rng)
        specs = []
        if rng.random() < 0.02:
            specs.append(rng.choice(self.premium))
        for n in range(count - len(specs)):
            # The first line is one people send back (not a gift card).
            category = (self.returnable if n == 0 else self.categories).pick(rng)
            specs.append(self.shelves[category].pick(rng))
        lines: list[dict[str, Any]] = []
        seen = set()
        for spec in specs:
            variant_id, sku, options, shelf_price = self._variant(spec)
            if sku in seen:
                continue
            seen.add(sku)
            quantity = (
                2 if spec.kind in ("t-shirt", "charger", "bedding") and rng.random() < 0.12 else 1
            )
            gift = spec.category == data.GIFT_CARD_CATEGORY
            percent = 40 if spec.final_sale else (promo[1] if promo and not gift else 0)
            unit, discount, tax, unit_paid = self._line_money(shelf_price, quantity, percent, gift)
            k = len(lines)
            line_id = self.base["OrderLine"] + slot * 4 + k
            external = f"h{plan.seed}-o{slot + 1:08d}-{k + 1}"
            self.lines.add(
                line_id,
                order_id,
                external,
                variant_id,
                sku,
                spec.title,
                spec.category,
                spec.vendor,
                self._tags(spec),
                quantity,
                unit,
                discount,
                tax,
                spec.final_sale,
                options,
                k,
                f"prod_{spec.code.lower()}",
            )
            lines.append(
                {
                    "id": line_id,
                    "external_id": external,
                    "spec": spec,
                    "sku": sku,
                    "variant_id": variant_id,
                    "options": options,
                    "quantity": quantity,
                    "unit_paid": unit_paid,
                    "shelf_price": shelf_price,
                    "tax": tax,
                }
            )
        total = sum((line["unit_paid"] * line["quantity"] for line in lines), Decimal(0))
        shipping_gross = Decimal("0") if total >= 50 else Decimal("4.95")
        shipping = money(shipping_gross / (1 + VAT))
        address = person.address
        self.orders.add(
            order_id,
            plan.store_id,
            person.id,
            f"h{plan.seed}-o{slot + 1:08d}",
            f"{plan.rma_prefix}-H{slot + 1:07d}",
            plan.currency,
            placed,
            delivered,
            address,
            address["country"],
            address["postal_code"],
            shipping,
            shipping_gross - shipping,
            [f"promo:{promo[0]}"] if promo else [],
            placed,
            delivered or placed,
            order_channel(slot),
        )
        return order_id, lines

    def _line_money(
        self, shelf_price: Decimal, quantity: int, percent: int, gift: bool
    ) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """A line's unit price before tax, discount, tax and unit paid: a few hundred distinct
        prices, quantities and discounts, so each is worked out once per chunk."""
        key = (shelf_price, quantity, percent, gift)
        found = self.line_money.get(key)
        if found is None:
            unit = shelf_price if gift else money(shelf_price / (1 + VAT))
            discount = money(unit * quantity * percent / 100)
            gross = shelf_price * quantity
            tax = (
                Decimal("0.00")
                if gift
                else gross - money(gross * percent / 100) - (unit * quantity - discount)
            )
            paid = unit * quantity - discount + tax
            found = self.line_money[key] = (unit, discount, tax, money(paid / quantity))
        return found

    def _extra_orders(self, index: int) -> None:
        rng = self.rng
        ratio = self.plan.orders_ratio
        count = int(ratio) + (1 if rng.random() < ratio - int(ratio) else 0)
        for k in range(1, min(count, 3) + 1):
            day = self.day_pick(self.plan, rng)
            placed = day + timedelta(seconds=rng.randrange(7 * 3600, 23 * 3600))
            delivered: datetime | None = placed + timedelta(days=rng.randint(2, 6))
            if delivered is not None and delivered > self.plan.now:
                delivered = None
            self._order(index * 4 + k, self._customer(), min(placed, self.plan.now), delivered)

    # --- one return ------------------------------------------------------------------------

    def write(self, index: int) -> None:
        rng = self.rng
        plan = self.plan
        now = plan.now
        person = self._customer()
        gold = person.tier == "gold"
        day = self.day_pick(plan, rng)
        requested = day + timedelta(hours=REQUEST_HOURS.pick(rng), seconds=rng.randrange(3600))
        if requested > now:
            requested = day + (now - day) * rng.random()
        lag = min(int(rng.expovariate(1 / 6)) + 1, 55 if gold else 28)
        delivered = requested - timedelta(days=lag, seconds=rng.randrange(36000))
        placed = delivered - timedelta(days=DELIVERY_DAYS.pick(rng))
        order_id, lines = self._order(index * 4, person, placed, delivered)
        self._extra_orders(index)
        story = ReturnStory(self, index, person, order_id, lines, requested)
        story.tell()
        if rng.random() < 0.004 and len(lines) > 1:
            self._claim(index, person, order_id, lines[-1], delivered)

    def _claim(
        self, index: int, person: Any, order_id: int, line: dict[str, Any], delivered: datetime
    ) -> None:
        rng = self.rng
        plan = self.plan
        reasons = [r for r, cats in data.CLAIM_REASONS.items() if line["spec"].category in cats]
        if not reasons:
            return
        reason = rng.choice(reasons)
        at = min(delivered + timedelta(days=rng.randint(1, 5)), plan.now)
        state = rng.choices(("resolved", "rejected", "open"), (70, 15, 15))[0]
        resolved = at + timedelta(days=rng.randint(1, 4))
        if resolved > plan.now:
            state = "open"
        claim_id = self._id("Claim", index, 1, 0)
        texts = data.CLAIM_DESCRIPTIONS[person.language][reason]
        self.claims.add(
            claim_id,
            plan.store_id,
            order_id,
            person.id,
            f"CL-{self._code(index, ':claim', 8)}",
            reason,
            rng.choice(texts),
            state,
            {"resolved": rng.choice(("refund", "replacement")), "open": ""}.get(state, ""),
            "",
            person.name,
            "" if state == "open" else plan.staff["agent"],
            at,
            at if state == "open" else resolved,
            None if state == "open" else resolved,
        )
        self.claim_lines.add(self._id("ClaimLine", index, 1, 0), claim_id, line["id"], 1)


_ORDER: tuple[str, ...] = (
    "id",
    "store_id",
    "customer_id",
    "external_id",
    "number",
    "currency",
    "placed_at",
)
_ORDER += ("delivered_at", "shipping_address", "country", "postal_code", "shipping_amount")
_ORDER += ("shipping_tax_amount", "tags", "created_at", "updated_at", "channel")


def order_channel(slot: int) -> str:
    """Where an order was placed, from its slot (no draw, so the rest of the history is as it
    was): returned orders (slot 4n) come more often from the web and the marketplaces, orders
    without a return more often from the physical stores, so the return rate differs by
    channel as it does in the trade."""
    if slot % 4 == 0:
        n = (slot // 4) % 20
        return "web" if n < 15 else "store" if n < 17 else "marketplace"
    n = (slot // 4 + slot % 4) % 10
    return "web" if n < 6 else "store" if n < 9 else "marketplace"


_LINE: tuple[str, ...] = (
    "id",
    "order_id",
    "external_id",
    "variant_id",
    "sku",
    "title",
    "category",
    "vendor",
)
_LINE += ("tags", "quantity", "unit_price", "discount_amount", "tax_amount", "final_sale")
_LINE += ("options", "position", "product_id")
_RETURN: tuple[str, ...] = (
    "id",
    "store_id",
    "order_id",
    "customer_id",
    "rma",
    "status",
    "resolution",
    "method",
)
_RETURN += ("currency", "policy_version_id", "decision", "requires_review", "items_amount")
_RETURN += ("return_shipping_fee_amount", "store_credit_bonus_amount", "refund_estimate_amount")
_RETURN += ("shipping_refund_amount", "tracking_token", "pickup_address", "pickup_date")
_RETURN += ("language", "source", "created_at", "updated_at", "customer_tier")
_ITEM: tuple[str, ...] = (
    "id",
    "return_request_id",
    "order_line_id",
    "reason",
    "comment",
    "decision",
)
_ITEM += ("quantity_requested", "quantity_approved", "quantity_received", "amount")
_ITEM += ("first_unit", "exchange_variant_id")
_EVENT: tuple[str, ...] = (
    "id",
    "store_id",
    "return_request_id",
    "kind",
    "from_status",
    "to_status",
)
_EVENT += ("actor_kind", "actor_id", "actor_label", "note", "data", "created_at")
_SHIPMENT: tuple[str, ...] = (
    "id",
    "store_id",
    "return_id",
    "rma",
    "reference",
    "attempt_number",
    "method",
)
_SHIPMENT += ("carrier_account_id", "booking_state", "status", "status_at", "booking_id")
_SHIPMENT += ("tracking_number", "drop_off_code", "pickup_date", "price_amount", "currency")
_SHIPMENT += ("parcel", "candidates", "booked_at", "created_at", "updated_at")
_SCAN: tuple[str, ...] = (
    "id",
    "carrier_account_id",
    "shipment_id",
    "tracking_number",
    "dedupe_key",
)
_SCAN += ("raw_status", "status", "failure_reason", "occurred_at", "location", "description")
_SCAN += ("received_at",)
_PICKUP: tuple[str, ...] = ("id", "store_id", "shipment_id", "carrier_account_id", "return_id")
_PICKUP += ("attempt_number", "succeeded", "failure_reason", "occurred_at")
_INSPECTION: tuple[str, ...] = (
    "id",
    "store_id",
    "return_id",
    "rma",
    "return_item_id",
    "line",
    "sku",
)
_INSPECTION += ("variant_id", "category", "vendor", "reason", "quantity", "grade")
_INSPECTION += ("checklist_category", "checklist_passed", "unit_value_amount", "currency")
_INSPECTION += ("received_at", "inspected_at", "inspected_by", "proposed_disposition")
_INSPECTION += ("proposed_recovery_percent", "proposed_recovery_amount", "proposal_explanation")
_INSPECTION += ("disposition", "disposition_set_at", "disposition_set_by", "recovery_amount")
_INSPECTION += ("restocked_quantity",)
_REFUND: tuple[str, ...] = (
    "id",
    "store_id",
    "order_id",
    "customer_id",
    "return_id",
    "rma",
    "idempotency_key",
)
_REFUND += ("state", "currency", "provider", "provider_reference", "calls", "last_attempt_at")
_REFUND += ("created_by", "settled_by", "created_at", "updated_at", "succeeded_at", "failed_at")
_REFUND += ("destination", "kind", "sequence", "amount", "items_amount", "deduction_amount")
_REFUND += ("return_shipping_fee_amount", "tax_amount", "bonus_amount", "last_error")
_REFUND_LINE: tuple[str, ...] = (
    "id",
    "refund_id",
    "order_line_id",
    "return_item_id",
    "units",
    "gross_amount",
)
_REFUND_LINE += ("tax_amount", "deduction_amount", "net_amount")
_EXCHANGE: tuple[str, ...] = (
    "id",
    "store_id",
    "order_id",
    "customer_id",
    "return_id",
    "rma",
    "number",
    "state",
)
_EXCHANGE += ("instant", "return_due_by", "currency", "created_at", "updated_at", "released_at")
_EXCHANGE_LINE: tuple[str, ...] = (
    "id",
    "exchange_id",
    "order_line_id",
    "return_item_id",
    "variant_id",
    "units",
)
_EXCHANGE_LINE += ("new_unit_price", "returned_unit_paid")
_CLAIM: tuple[str, ...] = (
    "id",
    "store_id",
    "order_id",
    "customer_id",
    "number",
    "reason",
    "description",
)
_CLAIM += ("state", "resolution", "resolution_note", "created_by", "resolved_by", "created_at")
_CLAIM += ("updated_at", "resolved_at")
_CLAIM_LINE = ("id", "claim_id", "order_line_id", "units")
_MESSAGE: tuple[str, ...] = (
    "id",
    "store_id",
    "return_id",
    "rma",
    "tracking_token",
    "event_id",
    "kind",
)
_MESSAGE += ("channel", "recipient", "language", "subject", "body_text", "status", "dedupe_key")
_MESSAGE += ("attempts", "created_at", "sent_at")
