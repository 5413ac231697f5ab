"""What the local Stripe knows: payment intents (each with its charge) and their refunds, as the
API reference describes the objects, and the rules of `POST /v1/refunds`.

- A refund names `payment_intent` (or `charge`); `amount` in the currency's smallest unit,
  defaulting to what is left; `reason` one of duplicate, fraudulent, requested_by_customer;
  `metadata` string pairs (at most 50 keys, keys up to 40 characters, values up to 500).
- Errors are Stripe's: 400 `parameter_missing` / `parameter_invalid_integer` /
  `amount_too_large` / `charge_already_refunded`, 404 `resource_missing`, each as
  `{"error": {"type", "code", "message", "param"}}`.
- A refund of a card payment is `succeeded` at once; of a bank debit (`sepa_debit`,
  `us_bank_account`) `pending` until the bank settles it (`settle`: succeeded, failed with a
  `failure_reason`, or canceled). Each change is an event: `refund.created`, `refund.updated`,
  `charge.refunded`, `charge.refund.updated`.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

API_VERSION = "2026-04-22.basil"
ASYNC_METHODS = frozenset({"sepa_debit", "us_bank_account", "bacs_debit"})
REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
FAILURE_REASONS = frozenset({"lost_or_stolen_card", "expired_or_canceled_card", "unknown"})


class StripeError(Exception):
    def __init__(self, status: int, code: str, message: str, param: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "type": "invalid_request_error",
            "code": self.code,
            "message": self.message,
            "doc_url": f"https://docs.stripe.com/error-codes/{self.code.replace('_', '-')}",
        }
        if self.param:
            error["param"] = self.param
        return {"error": error}


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


@dataclass
class Event:
    type: str
    body: dict[str, Any]


class Ledger:
    """Payment intents, charges and refunds in memory, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, str] = {}  # charge id -> payment intent id
        self.refunds: dict[str, dict[str, Any]] = {}
        self.events: list[Event] = []

    # -- payment intents --------------------------------------------------------------------

    def intent_create(self, params: dict[str, Any]) -> dict[str, Any]:
        """A confirmed, captured payment (`POST /v1/payment_intents` with `confirm=true`)."""
        amount = _integer(params.get("amount"), "amount")
        if amount is None or amount < 1:
            raise StripeError(400, "parameter_missing", "Missing required param: amount.", "amount")
        currency = str(params.get("currency") or "").lower()
        if len(currency) != 3:
            raise StripeError(
                400, "parameter_missing", "Missing required param: currency.", "currency"
            )
        method = str(params.get("payment_method") or "pm_card_visa")
        kind = next((m for m in ASYNC_METHODS if m in method), "card")
        with self.lock:
            intent_id, charge_id = new_id("pi"), new_id("ch")
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
                "created": int(time.time()),
                "latest_charge": charge_id,
                "livemode": False,
                "metadata": _metadata(params),
                "payment_method": method,
                "payment_method_types": [kind],
                "status": "succeeded",
            }
            self.intents[intent_id] = intent
            self.charges[charge_id] = intent_id
            return dict(intent)

    def intent_get(self, intent_id: str) -> dict[str, Any]:
        with self.lock:
            intent = self.intents.get(intent_id)
            if intent is None:
                raise _missing("payment_intent", intent_id)
            return dict(intent)

    def refunded(self, intent_id: str) -> int:
        """What is refunded of the payment or on its way (pending and succeeded refunds)."""
        return sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent_id and r["status"] in ("pending", "succeeded")
        )

    # -- refunds -----------------------------------------------------------------------------

    def refund_create(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = str(params.get("payment_intent") or "")
        charge_id = str(params.get("charge") or "")
        if not intent_id and not charge_id:
            raise StripeError(
                400,
                "parameter_missing",
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
            )
        reason = params.get("reason")
        if reason is not None and reason not in REASONS:
            raise StripeError(
                400,
                "parameter_invalid_string",
                f"Invalid reason: must be one of {', '.join(sorted(REASONS))}",
                "reason",
            )
        with self.lock:
            if charge_id and not intent_id:
                if charge_id not in self.charges:
                    raise _missing("charge", charge_id)
                intent_id = self.charges[charge_id]
            intent = self.intents.get(intent_id)
            if intent is None:
                raise _missing("payment_intent", intent_id)
            left = intent["amount_received"] - self.refunded(intent_id)
            if left <= 0:
                raise StripeError(
                    400,
                    "charge_already_refunded",
                    f"Charge {intent['latest_charge']} has already been refunded.",
                )
            amount = _integer(params.get("amount"), "amount")
            if amount is None:
                amount = left
            if amount < 1:
                raise StripeError(
                    400,
                    "parameter_invalid_integer",
                    "Invalid positive integer",
                    "amount",
                )
            if amount > left:
                raise StripeError(
                    400,
                    "amount_too_large",
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                    f"({left})",
                    "amount",
                )
            pending = intent["payment_method_types"][0] in ASYNC_METHODS
            refund = {
                "id": new_id("re"),
                "object": "refund",
                "amount": amount,
                "balance_transaction": new_id("txn"),
                "charge": intent["latest_charge"],
                "created": int(time.time()),
                "currency": intent["currency"],
                "failure_reason": None,
                "metadata": _metadata(params),
                "payment_intent": intent_id,
                "reason": reason,
                "status": "pending" if pending else "succeeded",
            }
            self.refunds[refund["id"]] = refund
            self._event("refund.created", refund)
            if not pending:
                self._event("charge.refunded", self._charge(intent))
            return dict(refund)

    def refund_get(self, refund_id: str) -> dict[str, Any]:
        with self.lock:
            refund = self.refunds.get(refund_id)
            if refund is None:
                raise _missing("refund", refund_id)
            return dict(refund)

    def refund_list(self, intent_id: str = "") -> list[dict[str, Any]]:
        with self.lock:
            return [
                dict(r)
                for r in reversed(self.refunds.values())
                if not intent_id or r["payment_intent"] == intent_id
            ]

    def settle(self, refund_id: str, status: str, failure_reason: str = "") -> dict[str, Any]:
        """The bank's answer on a pending refund (a card refund can fail later too)."""
        if status not in ("succeeded", "failed", "canceled"):
            raise StripeError(400, "parameter_invalid_string", "Unknown status.", "status")
        with self.lock:
            refund = self.refunds.get(refund_id)
            if refund is None:
                raise _missing("refund", refund_id)
            if refund["status"] not in ("pending", "requires_action", "succeeded"):
                raise StripeError(
                    400, "refund_not_pending", f"Refund {refund_id} is {refund['status']}."
                )
            refund["status"] = status
            if status == "failed":
                reason = failure_reason or "expired_or_canceled_card"
                refund["failure_reason"] = reason if reason in FAILURE_REASONS else "unknown"
                refund["failure_balance_transaction"] = new_id("txn")
            self._event("refund.updated", refund)
            self._event("charge.refund.updated", refund)
            if status == "succeeded":
                self._event("charge.refunded", self._charge(self.intents[refund["payment_intent"]]))
            return dict(refund)

    # -- events ------------------------------------------------------------------------------

    def _charge(self, intent: dict[str, Any]) -> dict[str, Any]:
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] == "succeeded"
        )
        return {
            "id": intent["latest_charge"],
            "object": "charge",
            "amount": intent["amount_received"],
            "amount_refunded": refunded,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "refunded": refunded >= intent["amount_received"],
        }

    def _event(self, type_: str, obj: dict[str, Any]) -> None:
        body = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": dict(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }
        self.events.append(Event(type_, body))


def _missing(kind: str, ident: str) -> StripeError:
    return StripeError(404, "resource_missing", f"No such {kind}: '{ident}'", kind)


def _integer(value: Any, param: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise StripeError(
            400, "parameter_invalid_integer", "Invalid integer: " + str(value), param
        ) from None


def _metadata(params: dict[str, Any]) -> dict[str, str]:
    metadata = params.get("metadata") or {}
    if not isinstance(metadata, dict):
        return {}
    if len(metadata) > 50:
        raise StripeError(400, "parameter_invalid_metadata", "Too many metadata keys.", "metadata")
    for key, value in metadata.items():
        if len(key) > 40 or len(str(value)) > 500:
            raise StripeError(
                400, "parameter_invalid_metadata", f"Metadata {key!r} is too long.", "metadata"
            )
    return {str(k): str(v) for k, v in metadata.items()}
