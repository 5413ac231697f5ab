"""One generated return's life (retorno.demo.history): its story is planned from its request
(review or not, approval, booking, pickup, transit, receipt, inspection, refund or exchange,
closing) and cut at the load's `now`. Only the steps already past are written, each with the
rows it leaves (events, tracking scans, pickups, inspections, refunds, exchange orders,
messages) through the writer's tables (retorno.demo.history_rows)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from retorno.demo import data
from retorno.demo.comments import COMMENTS
from retorno.demo.history_plan import VAT, Weighted, money
from retorno.domain.days import local_day

FEE = Decimal("5.00")
KEEP_MAX = Decimal("8.00")
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYSTEM = ("system", "", "Retorno")
SIZING = ("too_small", "too_large")
FAULTS = ("defective", "damaged", "wrong_item")
HOURS = tuple(range(24))
HOUR_WEIGHTS = (1, 1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 7, 6, 6, 6, 7, 8, 9, 10, 10, 8, 5, 2)
MESSAGE_SUBJECTS = {
    "created": ("Hemos recibido tu solicitud de devolución", "We received your return request"),
    "held_for_review": ("Estamos revisando tu devolución", "We are reviewing your return"),
    "approved": ("Tu devolución está aprobada", "Your return is approved"),
    "rejected": ("No podemos aceptar tu devolución", "We cannot accept your return"),
    "cancelled": ("Tu devolución se ha cancelado", "Your return was cancelled"),
    "label_ready": ("Tu envío de devolución está listo", "Your return shipment is ready"),
    "pickup_failed": ("No pudimos recoger tu paquete", "We could not collect your parcel"),
    "in_transit": ("Tu paquete está en camino", "Your parcel is on its way"),
    "received": ("Hemos recibido tu paquete", "We received your parcel"),
    "refunded": ("Te hemos devuelto el dinero", "Your refund has been issued"),
}
GRADES = {
    "sizing": Weighted(("new", "like_new", "used"), (55, 35, 10)),
    "fault": Weighted(("like_new", "used", "damaged"), (15, 35, 50)),
    "wrong_item": Weighted(("new", "like_new", "wrong_item"), (60, 25, 15)),
    "other": Weighted(("new", "like_new", "used", "damaged"), (45, 35, 15, 5)),
}
DISPOSITIONS = {
    "new": ("restock", Decimal("100")),
    "like_new": ("restock", Decimal("100")),
    "used": ("refurbish", Decimal("60")),
    "wrong_item": ("restock", Decimal("100")),
}
SIZING_REASONS = Weighted(data.REASONS, data.SIZING_REASON_WEIGHTS)
REASONS = {
    "apparel": SIZING_REASONS,
    "shoes": SIZING_REASONS,
    "electronics": Weighted(data.REASONS, data.ELECTRONICS_REASON_WEIGHTS),
    "accessories": Weighted(data.REASONS, data.ACCESSORY_REASON_WEIGHTS),
    "home": Weighted(data.REASONS, data.HOME_REASON_WEIGHTS),
}
# Shared by every shipment row (the same objects, so the writer encodes their JSON once).
PARCEL = {"weight_grams": 1000}
METHODS = Weighted(("pickup", "drop_off", "self_ship"), (30, 50, 20))


class _Stop(Exception):
    """The story reached now: the rest has not happened yet."""


class ReturnStory:
    """One return's life, cut at now, written as it goes."""

    def __init__(
        self,
        writer: Any,
        index: int,
        person: Any,
        order_id: int,
        lines: list[dict[str, Any]],
        requested: datetime,
    ) -> None:
        self.w = writer
        self.rng = writer.rng
        self.plan = writer.plan
        self.index = index
        self.person = person
        self.order_id = order_id
        self.requested = requested
        self.id = writer._id("Return", index, 1, 0)
        code = writer._code(index, ":rma", 8)
        self.rma = f"{self.plan.rma_prefix}-{code[:4]}-{code[4:]}"
        self.token = writer._code(index, ":token", 12) + writer._code(index, ":token2", 12)
        self.status = "requested"
        self.updated = requested
        self.n_events = 0
        self.n_messages = 0
        self.n_scans = 0
        self.shipment: dict[str, Any] | None = None
        self._choose(lines)

    # --- what is returned, how -------------------------------------------------------------

    def _choose(self, lines: list[dict[str, Any]]) -> None:
        rng = self.rng
        returnable = [
            line
            for line in lines
            if not line["spec"].final_sale and line["spec"].category != data.GIFT_CARD_CATEGORY
        ]
        chosen = returnable[:1] + [line for line in returnable[1:] if rng.random() < 0.22]
        self.items = []
        for k, line in enumerate(chosen[:3]):
            spec = line["spec"]
            reason = REASONS[spec.category].pick(rng)
            if spec.fit and reason in SIZING and rng.random() < 0.4:
                reason = "too_small" if spec.fit < 0 else "too_large"
            units = line["quantity"] if rng.random() < 0.5 else 1
            comments = COMMENTS[self.person.language][reason]
            self.items.append(
                {
                    "id": self.w._id("ReturnItem", self.index, 3, k),
                    "line": line,
                    "reason": reason,
                    "units": units,
                    "amount": line["unit_paid"] * units,
                    "comment": rng.choice(comments) if rng.random() < 0.35 else "",
                }
            )
        gold = self.person.tier == "gold"
        self.amount = sum((item["amount"] for item in self.items), Decimal(0))
        self.kept = all(item["line"]["unit_paid"] <= KEEP_MAX for item in self.items)
        self.kept = self.kept and rng.random() < 0.8
        swappable = all(
            item["reason"] in SIZING and len(self.plan.variants[item["line"]["spec"].code]) > 1
            for item in self.items
        )
        if self.kept:
            self.resolution, self.method = "refund", "keep"
        else:
            if swappable and rng.random() < 0.45:
                self.resolution = "exchange"
            else:
                self.resolution = "store_credit" if rng.random() < 0.22 else "refund"
            self.method = METHODS.pick(rng)
        self.review = self.amount > 250 or rng.random() < 0.07
        faulty = any(item["reason"] in FAULTS for item in self.items)
        self.fee = (
            Decimal("0.00") if gold or faulty or self.kept or self.resolution == "exchange" else FEE
        )
        self.bonus = (
            money(self.amount * Decimal("0.10"))
            if self.resolution == "store_credit"
            else Decimal("0.00")
        )
        self.instant = gold and self.resolution == "exchange"

    # --- the timeline ----------------------------------------------------------------------

    def _event(
        self,
        kind: str,
        at: datetime,
        to: str | None = None,
        actor: tuple[str, str, str] = SYSTEM,
        note: str = "",
        data_: dict[str, Any] | None = None,
    ) -> int:
        """Record step `kind` at `at` (raises _Stop when it has not happened yet)."""
        if at > self.plan.now:
            raise _Stop
        event_id = self.w._id("ReturnEvent", self.index, 16, self.n_events)
        self.n_events += 1
        before = "" if kind == "created" else self.status
        self.status = to or self.status
        self.updated = at
        self.w.events.add(
            event_id,
            self.plan.store_id,
            self.id,
            kind,
            before,
            self.status,
            actor[0],
            actor[1],
            actor[2],
            note,
            data_ or {},
            at,
        )
        if kind in MESSAGE_SUBJECTS:
            self._message(kind, event_id, at)
        return event_id

    def _message(self, kind: str, event_id: int, at: datetime) -> None:
        plan = self.plan
        english = self.person.language == "en"
        subject = MESSAGE_SUBJECTS[kind][1 if english else 0]
        greeting = "Hello" if english else "Hola"
        body = f"{greeting} {self.person.name},\n\n{subject}: {self.rma}.\n"
        sent = at + timedelta(seconds=20 + self.rng.randrange(90))
        status = "sent" if sent <= plan.now else "queued"
        if status == "sent" and self.rng.random() < 0.004:
            status = "failed"
        message_id = self.w._id("Message", self.index, 10, self.n_messages)
        self.n_messages += 1
        self.w.messages.add(
            message_id,
            plan.store_id,
            self.id,
            self.rma,
            self.token,
            event_id,
            kind,
            "email",
            self.person.email,
            self.person.language,
            subject,
            body,
            status,
            f"history:{plan.store_id}:{self.id}:{kind}:{self.n_messages}:email",
            1 if status != "queued" else 0,
            at,
            sent if status == "sent" else None,
        )

    def tell(self) -> None:
        with contextlib.suppress(_Stop):
            self._tell()
        self._finish()

    def _later(self, at: datetime, low_hours: float, high_hours: float) -> datetime:
        return at + timedelta(seconds=int(3600 * self.rng.uniform(low_hours, high_hours)))

    def _tell(self) -> None:
        rng = self.rng
        staff = self.plan.staff
        shopper = ("shopper", "", self.person.name)
        agent = ("staff", "", staff["agent"])
        self._event("created", self.requested, "requested", shopper)
        at = self.requested + timedelta(seconds=1)
        if self.review:
            self._event(
                "held_for_review", at, "pending_review", note="Held for review by the policy."
            )
            at = self._later(at, 2, 140)  # agents take from hours to days
            if rng.random() < 0.2:
                self._event("rejected", at, "rejected", agent, rng.choice(data.REJECT_NOTES))
                return self._maybe_close(at)
            self._event("approved", at, "approved", agent, rng.choice(data.APPROVE_NOTES))
        elif rng.random() < 0.03:
            self._event("rejected", at, "rejected", note="Refused by the return policy.")
            return self._maybe_close(at)
        else:
            self._event("approved", at, "approved", note="Approved automatically by the policy.")
        self.approved_at = at
        if self.resolution == "exchange":
            self._exchange_reserve(at)
        if self.kept:
            at += timedelta(seconds=30)
            self._refund(at, "keep_item")
            self._event("resolved", at + timedelta(seconds=60), "resolved", data_={"kept": True})
            return self._maybe_close(at, always=True)
        at = self._book(at + timedelta(seconds=40))
        fate = rng.random()
        if fate < 0.04:
            at = self._later(at, 12, 240)
            self._cancel(at, shopper, "Customer decided to keep the item.")
            return self._maybe_close(at)
        if fate < 0.065:
            at += timedelta(days=30)
            self._cancel(at, SYSTEM, "Nothing was sent within 30 days.")
            return None
        at = self._travel(at)
        warehouse = ("staff", "", staff["warehouse"])
        at = self._later(at, 18, 96)
        quantities = {item["line"]["external_id"]: item["units"] for item in self.items}
        self._scan("delivered_to_warehouse", at, "Entregado en almacén")
        self._event("received", at, "received", warehouse, data_={"quantities": quantities})
        self.received_at = at
        refunded = False
        if self.resolution == "refund" and rng.random() < 0.5:
            self._refund(at + timedelta(minutes=5), "return")
            refunded = True
        at = self._later(at, 4, 72)
        grades = self._inspect(at)
        self._event("inspected", at, "inspected", warehouse, data_={"grades": grades})
        at = self._later(at, 1, 36)
        if not refunded and self.resolution != "exchange":
            self._refund(at, "return", grades)
        if self.resolution == "exchange":
            self._exchange_release(at)
        finance = ("staff", "", staff["finance"])
        self._event(
            "resolved",
            at + timedelta(seconds=60),
            "resolved",
            finance,
            data_={"resolution": self.resolution},
        )
        self._maybe_close(at, always=True)
        return None

    def _maybe_close(self, at: datetime, always: bool = False) -> None:
        if always or self.rng.random() < 0.5:
            self._event("closed", self._later(at, 24 * 10, 24 * 20), "closed")

    def _cancel(self, at: datetime, actor: tuple[str, str, str], note: str) -> None:
        self._event("cancelled", at, "cancelled", actor, note)
        if self.shipment:
            self.shipment["booking_state"] = "cancelled"
            self._scan("cancelled", at, "Envío cancelado")
        if getattr(self, "exchange", None):
            self.exchange["state"] = "cancelled"
            self.exchange["updated"] = at

    # --- the parcel ------------------------------------------------------------------------

    def _book(self, at: datetime) -> datetime:
        rng = self.rng
        account_id, code, name = rng.choice(self.plan.carriers)
        prefix = "".join(part[0] for part in code.split("-"))[:2].upper().ljust(2, "X")
        tracking = f"{prefix}{self.plan.store_id % 100:02d}{self.index:09d}ES"
        self.shipment = {
            "id": self.w._id("Shipment", self.index, 1, 0),
            "account": account_id,
            "carrier": (code, name),
            "tracking": tracking,
            "booking_state": "booked",
            "status": "",
            "status_at": None,
            "created": at,
            "updated": at,
            "pickup_date": None,
            "attempts": 0,
        }
        self._event(
            "label_ready",
            at,
            actor=("system", "", "Retorno"),
            data_={"carrier": code, "tracking_number": tracking},
        )
        self._scan("label_created", at, "Etiqueta creada")
        if self.method == "pickup":
            day = self._later(at, 20, 50)
            self.shipment["pickup_date"] = local_day(day, self.plan.zone)
            self._scan("pickup_scheduled", at + timedelta(seconds=5), "Recogida programada")
        return at

    def _travel(self, at: datetime) -> datetime:
        rng = self.rng
        code, name = self.shipment["carrier"] if self.shipment else ("", "")
        carrier = ("carrier", code, name)
        if self.method == "pickup":
            at = self._later(at, 20, 60)
            if rng.random() < 0.07:
                reason = rng.choices(
                    ("customer_not_available", "wrong_address", "item_not_ready"), (70, 15, 15)
                )[0]
                self._scan("pickup_failed", at, "Recogida fallida", reason)
                self._pickup(at, False, reason)
                self._event("pickup_failed", at, actor=carrier, data_={"reason": reason})
                at = self._later(at, 20, 30)
            self._scan("picked_up", at, "Recogido")
            self._pickup(at, True, "")
        else:
            at = self._later(at, 6, 120)
            self._scan("in_transit", at, "Admitido en punto de entrega")
        self._event("in_transit", at, "in_transit", carrier, note="First carrier scan.")
        self._scan("in_transit", self._later(at, 4, 14), "En tránsito: centro de distribución")
        return at

    def _scan(self, status: str, at: datetime, description: str, failure: str = "") -> None:
        if at > self.plan.now:
            raise _Stop
        shipment = self.shipment
        assert shipment is not None
        k = self.n_scans
        self.n_scans += 1
        self.w.scans.add(
            self.w._id("TrackingEvent", self.index, 8, k),
            shipment["account"],
            shipment["id"],
            shipment["tracking"],
            f"{shipment['tracking']}:{k}",
            status.upper(),
            status,
            failure,
            at,
            "Madrid" if k % 2 else "Getafe",
            description,
            at + timedelta(seconds=30),
        )
        shipment["status"], shipment["status_at"], shipment["updated"] = status, at, at

    def _pickup(self, at: datetime, succeeded: bool, reason: str) -> None:
        shipment = self.shipment
        assert shipment is not None
        k = shipment["attempts"]
        shipment["attempts"] += 1
        self.w.pickups.add(
            self.w._id("PickupAttempt", self.index, 2, k),
            self.plan.store_id,
            shipment["id"],
            shipment["account"],
            self.id,
            k + 1,
            succeeded,
            reason,
            at,
        )

    # --- the warehouse ---------------------------------------------------------------------

    def _grade(self, reason: str) -> str:
        group = (
            "sizing"
            if reason in SIZING
            else "fault"
            if reason in ("defective", "damaged")
            else "wrong_item"
            if reason == "wrong_item"
            else "other"
        )
        return GRADES[group].pick(self.rng)

    def _inspect(self, at: datetime) -> dict[str, str]:
        plan = self.plan
        grades = {}
        for k, item in enumerate(self.items):
            line = item["line"]
            spec = line["spec"]
            grade = self._grade(item["reason"])
            item["grade"] = grade
            grades[line["external_id"]] = grade
            unit = line["unit_paid"]
            if grade == "damaged":
                if spec.category == "electronics" and item["reason"] == "defective":
                    disposition, percent = "return_to_vendor", Decimal("100")
                elif unit >= 10:
                    disposition, percent = "liquidate", Decimal("20")
                else:
                    disposition, percent = "recycle", Decimal("0")
            else:
                disposition, percent = DISPOSITIONS[grade]
            recovery = money(unit * item["units"] * percent / 100)
            decided = at + timedelta(hours=6)
            settled = decided <= plan.now and self.rng.random() < 0.9
            self.w.inspections.add(
                self.w._id("Inspection", self.index, 3, k),
                plan.store_id,
                self.id,
                self.rma,
                item["id"],
                line["external_id"],
                line["sku"],
                line["variant_id"],
                spec.category,
                spec.vendor,
                item["reason"],
                item["units"],
                grade,
                spec.category,
                grade in ("new", "like_new"),
                unit,
                plan.currency,
                self.received_at,
                at,
                plan.staff["warehouse"],
                disposition,
                percent,
                recovery,
                f"A {grade.replace('_', ' ')} unit: {disposition.replace('_', ' ')}.",
                disposition if settled else "",
                decided if settled else None,
                plan.staff["warehouse"] if settled else "",
                recovery if settled else None,
                item["units"] if settled and disposition == "restock" else 0,
            )
        return grades

    # --- money -----------------------------------------------------------------------------

    def _refund(self, at: datetime, kind: str, grades: dict[str, str] | None = None) -> None:
        plan = self.plan
        refund_id = self.w._id("Refund", self.index, 1, 0)
        store_credit = self.resolution == "store_credit"
        deductions = Decimal(0)
        lines = []
        for k, item in enumerate(self.items):
            gross = item["amount"]
            deduction = Decimal(0)
            if item.get("grade") == "damaged" and item["reason"] not in FAULTS:
                deduction = money(gross / 2)
            deductions += deduction
            tax = money(gross * VAT / (1 + VAT))
            lines.append((k, item, gross, tax, deduction))
        amount = max(self.amount - deductions - self.fee, Decimal(0))
        settled = at + timedelta(seconds=30)
        state = "succeeded" if settled <= plan.now else "pending"
        if state == "succeeded" and not store_credit and self.rng.random() < 0.006:
            state = "failed"
        self.w.refunds.add(
            refund_id,
            plan.store_id,
            self.order_id,
            self.person.id,
            self.id,
            self.rma,
            f"retorno-refund-{self.id}-1",
            state,
            plan.currency,
            "" if store_credit else "console",
            f"con_{self.id}" if state != "pending" else "",
            1,
            at,
            "Retorno",
            "" if state == "pending" else "console",
            at,
            settled if state != "pending" else at,
            settled if state == "succeeded" else None,
            settled if state == "failed" else None,
            "store_credit" if store_credit else "original_payment",
            kind,
            1,
            amount,
            self.amount,
            deductions,
            self.fee,
            money(amount * VAT / (1 + VAT)),
            self.bonus if store_credit else Decimal("0.00"),
            "Declined by the payment provider." if state == "failed" else "",
        )
        for k, item, gross, tax, deduction in lines:
            self.w.refund_lines.add(
                self.w._id("RefundLine", self.index, 3, k),
                refund_id,
                item["line"]["id"],
                item["id"],
                item["units"],
                gross,
                tax,
                deduction,
                gross - deduction,
            )
        facts = {"kind": kind, "refund": refund_id, "amount": str(amount), "state": "pending"}
        self._event("refund_issued", at, data_=facts)
        if state == "succeeded":
            facts = {**facts, "state": state}
            self._event("refunded", settled, actor=("system", "", "console"), data_=facts)

    def _exchange_reserve(self, at: datetime) -> None:
        rng = self.rng
        exchange_id = self.w._id("ExchangeOrder", self.index, 1, 0)
        self.exchange = {"id": exchange_id, "state": "reserved", "updated": at, "released": None}
        for k, item in enumerate(self.items):
            line = item["line"]
            spec = line["spec"]
            size = line["options"].get(spec.size_option)
            others = [
                v for v in self.plan.variants[spec.code] if v[2].get(spec.size_option) != size
            ]
            if item["reason"] == "too_small" and spec.sizes and size in spec.sizes:
                bigger = spec.sizes[spec.sizes.index(size) + 1 :]
                others = [v for v in others if v[2].get(spec.size_option) in bigger] or others
            variant = rng.choice(others or self.plan.variants[spec.code])
            item["exchange_variant"] = variant[0]
            self.w.exchange_lines.add(
                self.w._id("ExchangeLine", self.index, 3, k),
                exchange_id,
                line["id"],
                item["id"],
                variant[0],
                item["units"],
                line["unit_paid"],
                line["unit_paid"],
            )
        if self.instant:
            self.exchange.update(state="released", released=at + timedelta(minutes=1))

    def _exchange_release(self, at: datetime) -> None:
        if self.exchange["state"] == "reserved":
            self.exchange.update(state="released", released=at, updated=at)
        if at + timedelta(days=4) <= self.plan.now:
            self.exchange.update(state="fulfilled", updated=at + timedelta(days=4))

    # --- the rows written last -------------------------------------------------------------

    def _finish(self) -> None:
        w = self.w
        plan = self.plan
        approved = self.status not in ("requested", "pending_review", "rejected")
        received = self.status in ("received", "inspected", "resolved", "closed") and not self.kept
        decision = (
            "accepted" if approved else "rejected" if self.status == "rejected" else "manual_review"
        )
        lines = []
        for item in self.items:
            line = item["line"]
            units = item["units"]
            lines.append(
                {
                    "line_id": line["external_id"],
                    "eligible": True,
                    "requested_quantity": units,
                    "return_value": str(item["amount"]),
                }
            )
            w.items.add(
                item["id"],
                self.id,
                line["id"],
                item["reason"],
                item["comment"],
                decision,
                units,
                units if approved else 0,
                units if received else 0,
                item["amount"],
                0,
                item.get("exchange_variant"),
            )
        outcome = "review" if self.review else "approve"
        w.returns.add(
            self.id,
            plan.store_id,
            self.order_id,
            self.person.id,
            self.rma,
            self.status,
            self.resolution,
            self.method,
            plan.currency,
            plan.policy_version_id,
            {
                "outcome": outcome,
                "lines": lines,
                "trace": [],
                "currency": plan.currency,
                "requires_review": self.review,
                "return_value": str(self.amount),
                "return_shipping_fee": str(self.fee),
            },
            self.review,
            self.amount,
            self.fee,
            self.bonus,
            max(self.amount - self.fee, Decimal(0)),
            Decimal("0.00"),
            self.token,
            self.person.address if self.method == "pickup" else {},
            self.shipment["pickup_date"] if self.shipment else None,
            self.person.language,
            "demo",
            self.requested,
            self.updated,
            self.person.tier,
        )
        shipment = self.shipment
        if shipment:
            code = shipment["carrier"][0]
            w.shipments.add(
                shipment["id"],
                plan.store_id,
                self.id,
                self.rma,
                f"{self.rma}-1-{w._code(self.index, ':ref', 6)}",
                1,
                self.method,
                shipment["account"],
                shipment["booking_state"],
                shipment["status"],
                shipment["status_at"],
                f"{code}-{self.index}",
                shipment["tracking"],
                f"DO{self.index:08d}" if self.method == "drop_off" else "",
                shipment["pickup_date"],
                Decimal("4.90"),
                plan.currency,
                PARCEL,
                w.candidates[code],
                shipment["created"],
                shipment["created"],
                shipment["updated"],
            )
        exchange = getattr(self, "exchange", None)
        if exchange:
            w.exchanges.add(
                exchange["id"],
                plan.store_id,
                self.order_id,
                self.person.id,
                self.id,
                self.rma,
                f"EX-{w._code(self.index, ':exchange', 8)}",
                exchange["state"],
                self.instant,
                self.approved_at + timedelta(days=21) if self.instant else None,
                plan.currency,
                self.approved_at,
                exchange["updated"],
                exchange["released"],
            )
