"""Per-item quantity ledger and the item status derived from it.

The ledger keeps what happened to the units of one returned line; the status is never stored
on its own, so it can never disagree with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from retorno.domain.errors import DomainError


class ItemDecision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MANUAL_REVIEW = "manual_review"


class ItemStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    MISSING = "missing"
    RESOLVED = "resolved"


class LedgerError(DomainError):
    code = "invalid_quantity"


@dataclass(frozen=True, slots=True)
class QuantityLedger:
    requested: int
    approved: int = 0
    received: int = 0
    missing: int = 0
    refunded: int = 0
    exchanged: int = 0

    def __post_init__(self) -> None:
        if (
            min(
                self.requested,
                self.approved,
                self.received,
                self.missing,
                self.refunded,
                self.exchanged,
            )
            < 0
        ):
            raise LedgerError("Quantities cannot be negative.")
        if self.approved > self.requested:
            raise LedgerError("More units approved than requested.")
        if self.received + self.missing > self.approved:
            raise LedgerError("More units received or missing than approved.")
        if self.refunded + self.exchanged > self.approved:
            raise LedgerError("More units refunded or exchanged than approved.")

    def approve(self, quantity: int | None = None) -> QuantityLedger:
        return replace(self, approved=self.requested if quantity is None else quantity)

    def receive(self, quantity: int) -> QuantityLedger:
        if quantity <= 0:
            raise LedgerError("Receive at least one unit.")
        if self.received + self.missing + quantity > self.approved:
            raise LedgerError(
                f"Only {self.approved - self.received - self.missing} more unit(s) are expected.",
                code="over_received",
            )
        return replace(self, received=self.received + quantity)

    @property
    def outstanding(self) -> int:
        """Approved units neither received nor written off as missing."""
        return self.approved - self.received - self.missing


def item_status(ledger: QuantityLedger, decision: ItemDecision | str) -> ItemStatus:
    """The physical status of a return item, derived from its decision and ledger."""
    if ItemDecision(decision) is ItemDecision.REJECTED:
        return ItemStatus.REJECTED
    if ledger.approved and ledger.refunded + ledger.exchanged == ledger.approved:
        return ItemStatus.RESOLVED
    if ledger.approved == 0:
        return ItemStatus.REQUESTED
    if ledger.received == 0 and ledger.missing == 0:
        return ItemStatus.APPROVED
    if ledger.received == ledger.approved:
        return ItemStatus.RECEIVED
    if ledger.received == 0 and ledger.missing == ledger.approved:
        return ItemStatus.MISSING
    return ItemStatus.PARTIALLY_RECEIVED


def returnable_quantity(bought: int, held_by_other_returns: int) -> int:
    """What is left to return of a line: bought minus what open or completed returns hold."""
    return max(0, bought - held_by_other_returns)
