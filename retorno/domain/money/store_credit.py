"""The store-credit wallet: an append-only ledger of entries, replayed into lots and a balance.

Credit and bonus entries each open a *lot* (an amount with an optional expiry). A spend consumes
lots that are still valid at its time, earliest expiry first (lots that never expire last), so the
shopper never loses credit that could have been used. Credit is spendable strictly before its
`expires_at`; expired lots simply stop counting, and an EXPIRY entry (written by a sweeper, see
`expiry_entries`) records the amount lost, for finance. A REVERSAL undoes part of a credit or a
bonus that is still unspent (e.g. the refund behind it was taken back), or gives back part of a
spend (the purchase was cancelled) to the lots it came from.

Entries are never edited. Every new entry is built by a function here that checks it against
the replayed wallet, so the balance can never go negative; `replay` refuses a ledger that
breaks that rule (code inconsistent_wallet) instead of computing a wrong balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from retorno.domain.errors import DomainError
from retorno.domain.money import minor_units, quantize
from retorno.domain.money._checks import require_amount, require_aware

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


class EntryKind(StrEnum):
    CREDIT = "credit"
    BONUS = "bonus"
    SPEND = "spend"
    EXPIRY = "expiry"
    REVERSAL = "reversal"


_LOT_KINDS = frozenset({EntryKind.CREDIT, EntryKind.BONUS})


class WalletError(DomainError):
    """Codes: invalid_amount, invalid_datetime, invalid_entry, currency_mismatch,
    entry_out_of_order, unknown_entry, not_reversible, inconsistent_wallet."""

    code = "invalid_entry"


class InsufficientCredit(WalletError):
    """A spend larger than the spendable balance. `available` is what could be spent."""

    def __init__(self, requested: Decimal, available: Decimal, currency: str) -> None:
        super().__init__(
            f"Only {available} {currency} of store credit is available, not {requested}.",
            code="insufficient_credit",
        )
        self.requested = requested
        self.available = available


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditEntry:
    """One wallet ledger row. `amount` is a positive magnitude; the kind gives its direction.

    `expires_at` only on CREDIT and BONUS. `target_entry_id`: the lot an EXPIRY closes, or the
    entry (credit, bonus or spend) a REVERSAL undoes.
    """

    entry_id: str
    kind: EntryKind
    amount: Decimal
    currency: str
    created_at: datetime
    expires_at: datetime | None = None
    target_entry_id: str | None = None

    def __post_init__(self) -> None:
        minor_units(self.currency)
        kind = EntryKind(self.kind)
        require_amount(self.amount, f"Entry {self.entry_id} amount", self.currency, WalletError)
        if self.amount == 0:
            raise WalletError(f"Entry {self.entry_id} has a zero amount.", code="invalid_amount")
        require_aware(self.created_at, "created_at", WalletError)
        if self.expires_at is not None:
            require_aware(self.expires_at, "expires_at", WalletError)
            if kind not in _LOT_KINDS:
                raise WalletError(f"A {kind} entry cannot expire.")
        needs_target = kind in (EntryKind.EXPIRY, EntryKind.REVERSAL)
        if needs_target != (self.target_entry_id is not None):
            raise WalletError(f"A {kind} entry {'needs' if needs_target else 'has no'} target.")


@dataclass(frozen=True, slots=True)
class Lot:
    """Credit from one CREDIT or BONUS entry, with what is left of it."""

    lot_id: str
    kind: EntryKind
    remaining: Decimal
    expires_at: datetime | None
    created_at: datetime

    def valid_at(self, at: datetime) -> bool:
        return self.expires_at is None or at < self.expires_at


@dataclass(frozen=True, slots=True)
class Wallet:
    """A replayed ledger. `balance` is what can be spent at `at`; `expired_amount` is what
    expired lots still hold (not yet closed by an EXPIRY entry)."""

    currency: str | None
    at: datetime
    lots: tuple[Lot, ...]
    balance: Decimal
    expired_amount: Decimal
    last_entry_at: datetime | None


# --- replay --------------------------------------------------------------------------------------


def replay(entries: Iterable[CreditEntry], now: datetime) -> Wallet:
    """Replay `entries` (in ledger order; ties in time keep that order) into a Wallet at `now`.

    Raises WalletError("inconsistent_wallet") when an entry could not have been made (a spend
    larger than what was spendable at its time, a reversal of more than is left, ...).
    """
    require_aware(now, "now", WalletError)
    ordered = sorted(entries, key=lambda entry: entry.created_at)
    currency = ordered[0].currency if ordered else None
    lots: dict[str, _MutableLot] = {}
    spends: dict[str, list[tuple[str, Decimal]]] = {}  # spend id -> [(lot id, amount)], in order
    seen: set[str] = set()
    for entry in ordered:
        if entry.currency != currency:
            raise WalletError("A wallet holds one currency only.", code="currency_mismatch")
        if entry.entry_id in seen:
            raise WalletError(f"Entry {entry.entry_id} appears twice.", code="inconsistent_wallet")
        seen.add(entry.entry_id)
        _apply(entry, lots, spends)

    frozen = tuple(
        Lot(lot.lot_id, lot.kind, lot.remaining, lot.expires_at, lot.created_at)
        for lot in lots.values()
    )
    return Wallet(
        currency=currency,
        at=now,
        lots=frozen,
        balance=sum((lot.remaining for lot in frozen if lot.valid_at(now)), _ZERO),
        expired_amount=sum((lot.remaining for lot in frozen if not lot.valid_at(now)), _ZERO),
        last_entry_at=ordered[-1].created_at if ordered else None,
    )


@dataclass(slots=True)
class _MutableLot:
    lot_id: str
    kind: EntryKind
    remaining: Decimal
    expires_at: datetime | None
    created_at: datetime

    def valid_at(self, at: datetime) -> bool:
        return self.expires_at is None or at < self.expires_at


def _inconsistent(entry: CreditEntry, why: str) -> WalletError:
    return WalletError(f"Entry {entry.entry_id}: {why}", code="inconsistent_wallet")


def _spend_order(lot: _MutableLot | Lot) -> tuple[bool, datetime, datetime]:
    # Earliest expiry first; lots that never expire last, oldest first among equals.
    return (lot.expires_at is None, lot.expires_at or lot.created_at, lot.created_at)


def _apply(
    entry: CreditEntry,
    lots: dict[str, _MutableLot],
    spends: dict[str, list[tuple[str, Decimal]]],
) -> None:
    kind = EntryKind(entry.kind)
    if kind in _LOT_KINDS:
        lots[entry.entry_id] = _MutableLot(
            entry.entry_id, kind, entry.amount, entry.expires_at, entry.created_at
        )
        return
    if kind is EntryKind.SPEND:
        usable = sorted(
            (lot for lot in lots.values() if lot.remaining and lot.valid_at(entry.created_at)),
            key=_spend_order,
        )
        left = entry.amount
        taken: list[tuple[str, Decimal]] = []
        for lot in usable:
            part = min(left, lot.remaining)
            lot.remaining -= part
            left -= part
            taken.append((lot.lot_id, part))
            if not left:
                break
        if left:
            raise _inconsistent(entry, "spends more than was spendable at its time.")
        spends[entry.entry_id] = taken
        return

    target = entry.target_entry_id or ""
    if kind is EntryKind.EXPIRY:
        expired = lots.get(target)
        if (
            expired is None
            or expired.valid_at(entry.created_at)
            or entry.amount > expired.remaining
        ):
            raise _inconsistent(entry, "expires credit that is not expired or not there.")
        expired.remaining -= entry.amount
        return
    # REVERSAL
    if target in lots:
        lot = lots[target]
        if entry.amount > lot.remaining:
            raise _inconsistent(entry, "reverses more credit than is left unspent.")
        lot.remaining -= entry.amount
    elif target in spends:
        _give_back(entry, spends[target], lots)
    else:
        raise _inconsistent(entry, f"reverses unknown entry {target}.")


def _give_back(
    entry: CreditEntry, taken: list[tuple[str, Decimal]], lots: dict[str, _MutableLot]
) -> None:
    """Return `entry.amount` of a spend to the lots it came from, last taken first, so the
    credit that would expire soonest is the last to come back (the shopper keeps the longer-lived
    credit). `taken` is updated so a spend can never be given back twice."""
    left = entry.amount
    if left > sum((part for _, part in taken), _ZERO):
        raise _inconsistent(entry, "gives back more than the spend took.")
    for index in range(len(taken) - 1, -1, -1):
        lot_id, part = taken[index]
        back = min(left, part)
        lots[lot_id].remaining += back
        taken[index] = (lot_id, part - back)
        left -= back
        if not left:
            break


# --- queries and new entries ---------------------------------------------------------------------


def balance(entries: Iterable[CreditEntry], now: datetime) -> Decimal:
    """The spendable balance at `now`: what valid lots hold. Never negative."""
    return replay(entries, now).balance


def bonus_for(amount: Decimal, bonus_percent: Decimal, currency: str) -> Decimal:
    """The bonus credit for issuing `amount` as store credit: amount × percent / 100, rounded to
    the minor unit half up (as the returns service shows it to the shopper)."""
    require_amount(amount, "amount", currency, WalletError)
    if not isinstance(bonus_percent, Decimal) or not bonus_percent.is_finite() or bonus_percent < 0:
        raise WalletError(
            f"bonus_percent must be a non-negative Decimal, not {bonus_percent!r}.",
            code="invalid_amount",
        )
    return quantize(amount * bonus_percent / _HUNDRED, currency)


def _check_new_entry_time(wallet: Wallet, now: datetime) -> None:
    # A new entry dated before the last one could change what later spends consumed on replay.
    if wallet.last_entry_at is not None and now < wallet.last_entry_at:
        raise WalletError(
            "A new entry cannot be dated before the wallet's last entry.",
            code="entry_out_of_order",
        )


def _check_currency(wallet: Wallet, currency: str) -> None:
    if wallet.currency is not None and wallet.currency != currency:
        raise WalletError(
            f"This wallet is in {wallet.currency}, not {currency}.", code="currency_mismatch"
        )


def issue_credit(
    entries: Sequence[CreditEntry],
    amount: Decimal,
    *,
    currency: str,
    now: datetime,
    entry_id: str,
    expires_at: datetime | None = None,
    bonus_percent: Decimal = _ZERO,
    bonus_expires_at: datetime | None = None,
) -> tuple[CreditEntry, ...]:
    """The entries that credit `amount` (and its bonus) to the wallet holding `entries`.

    The bonus, when the percent gives a non-zero amount, is its own lot "<entry_id>-bonus" so
    finance can tell bought credit from gifted credit and reverse them separately; it expires at
    `bonus_expires_at`, else with the credit.
    """
    wallet = replay(entries, now)
    _check_currency(wallet, currency)
    _check_new_entry_time(wallet, now)
    for at in (expires_at, bonus_expires_at):
        if at is not None and require_aware(at, "expires_at", WalletError) <= now:
            raise WalletError("Credit cannot be issued already expired.", code="invalid_datetime")
    credit = CreditEntry(
        entry_id=entry_id,
        kind=EntryKind.CREDIT,
        amount=amount,
        currency=currency,
        created_at=now,
        expires_at=expires_at,
    )
    bonus = bonus_for(amount, bonus_percent, currency)
    if not bonus:
        return (credit,)
    return (
        credit,
        CreditEntry(
            entry_id=f"{entry_id}-bonus",
            kind=EntryKind.BONUS,
            amount=bonus,
            currency=currency,
            created_at=now,
            expires_at=bonus_expires_at or expires_at,
        ),
    )


def spend(
    entries: Sequence[CreditEntry],
    amount: Decimal,
    *,
    currency: str,
    now: datetime,
    entry_id: str,
) -> CreditEntry:
    """The SPEND entry for `amount` at `now`; InsufficientCredit (code insufficient_credit) when
    the balance at `now` is smaller. Expired credit is never counted."""
    wallet = replay(entries, now)
    _check_currency(wallet, currency)
    _check_new_entry_time(wallet, now)
    require_amount(amount, "amount", currency, WalletError)
    if amount == 0:
        raise WalletError("Spend more than zero.", code="invalid_amount")
    if amount > wallet.balance:
        raise InsufficientCredit(amount, wallet.balance, currency)
    return CreditEntry(
        entry_id=entry_id, kind=EntryKind.SPEND, amount=amount, currency=currency, created_at=now
    )


def reverse(
    entries: Sequence[CreditEntry],
    target_entry_id: str,
    amount: Decimal,
    *,
    now: datetime,
    entry_id: str,
) -> CreditEntry:
    """The REVERSAL entry undoing `amount` of entry `target_entry_id`.

    A credit or bonus can be reversed up to what is left of it unspent (spent credit cannot be
    taken back from the wallet); a spend up to what it took and was not given back yet. Raises
    WalletError("unknown_entry") or WalletError("not_reversible").
    """
    wallet = replay(entries, now)
    _check_new_entry_time(wallet, now)
    target = next((entry for entry in entries if entry.entry_id == target_entry_id), None)
    if target is None:
        raise WalletError(f"No entry {target_entry_id} in this wallet.", code="unknown_entry")
    new_entry = CreditEntry(
        entry_id=entry_id,
        kind=EntryKind.REVERSAL,
        amount=amount,
        currency=target.currency,
        created_at=now,
        target_entry_id=target_entry_id,
    )
    if EntryKind(target.kind) not in (*_LOT_KINDS, EntryKind.SPEND):
        raise WalletError(f"A {target.kind} entry cannot be reversed.", code="not_reversible")
    try:
        replay([*entries, new_entry], now)
    except WalletError as exc:
        if exc.code != "inconsistent_wallet":
            raise
        raise WalletError(
            f"{amount} {target.currency} of entry {target_entry_id} cannot be reversed.",
            code="not_reversible",
        ) from None
    return new_entry


def expiry_entries(entries: Sequence[CreditEntry], now: datetime) -> tuple[CreditEntry, ...]:
    """EXPIRY entries closing every lot expired at `now` that still holds credit.

    Ids are "<lot id>-expiry", so running the sweeper twice writes nothing new (a unique
    constraint on the id turns a concurrent double run into a no-op).
    """
    wallet = replay(entries, now)
    return tuple(
        CreditEntry(
            entry_id=f"{lot.lot_id}-expiry",
            kind=EntryKind.EXPIRY,
            amount=lot.remaining,
            currency=wallet.currency or "",
            # Dated at `now`, never at the expiry instant: entries stay in time order.
            created_at=max(now, wallet.last_entry_at or now),
            target_entry_id=lot.lot_id,
        )
        for lot in wallet.lots
        if lot.remaining and not lot.valid_at(now)
    )
