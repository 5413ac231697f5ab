"""Store-credit wallets: credit with its bonus lot, spend, never below zero (the ledger of
entries is the truth; the balance is kept beside it for lists)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import Conflict, Unprocessable, invalid_amount
from retorno.domain.money import MoneyError, parse_amount, quantize
from retorno.domain.money.store_credit import InsufficientCredit, balance, issue_credit, spend
from retorno.money import adapters, selectors
from retorno.money.models import (
    CreditEntry,
    Refund,
    StoreCreditWallet,
)
from retorno.orders.models import Customer
from retorno.stores.models import Store

ZERO = Decimal("0")


def _wallet_locked(
    store: Store, customer: Customer, currency: str, now: datetime
) -> StoreCreditWallet:
    wallet, _ = StoreCreditWallet.objects.get_or_create(
        store=store,
        customer=customer,
        defaults={"currency": currency, "created_at": now, "updated_at": now},
    )
    return StoreCreditWallet.objects.select_for_update().get(id=wallet.id)


def _wallet_save(
    wallet: StoreCreditWallet,
    new_entries: Iterable[Any],
    actor: Actor,
    refund: Refund | None,
    note: str,
    now: datetime,
) -> list[CreditEntry]:
    rows = [
        CreditEntry(
            wallet=wallet,
            entry_id=e.entry_id,
            kind=str(e.kind),
            amount=e.amount,
            currency=e.currency,
            expires_at=e.expires_at,
            target_entry_id=e.target_entry_id or "",
            refund=refund,
            note=note[:300],
            created_by=(actor.label or str(actor))[:200],
            created_at=e.created_at,
        )
        for e in new_entries
    ]
    try:
        with transaction.atomic():
            CreditEntry.objects.bulk_create(rows)
    except IntegrityError:
        raise Conflict("This credit entry was already made.", code="duplicate_entry") from None
    entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
    wallet.balance_amount = balance(entries, now)
    wallet.updated_at = now
    wallet.save(update_fields=["balance_amount", "updated_at"])
    return rows


def wallet_credit(
    *,
    store: Store,
    customer: Customer,
    currency: str,
    amount: Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime,
    bonus_percent: Decimal = ZERO,
    refund: Refund | None = None,
    note: str = "",
) -> list[CreditEntry]:
    """Credit `amount` (and its bonus lot, `<entry_id>-bonus`) to the customer's wallet."""
    wallet = _wallet_locked(store, customer, currency, now)
    entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
    new = issue_credit(
        entries,
        quantize(amount, currency),
        currency=currency,
        now=now,
        entry_id=entry_id,
        bonus_percent=Decimal(bonus_percent),
    )
    return _wallet_save(wallet, new, actor, refund, note, now)


def wallet_spend(
    *,
    store: Store,
    customer_external_id: str,
    amount: str | Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime | None = None,
) -> StoreCreditWallet:
    """Spend store credit (e.g. at checkout). Never below zero: InsufficientCredit (code
    insufficient_credit) and nothing written. `entry_id` makes a repeated spend a no-op error."""
    now = now or timezone.now()
    view = selectors.wallet_for_customer(store=store, external_id=customer_external_id, now=now)
    if view.wallet is None:
        raise Unprocessable("This customer has no store credit.", code="insufficient_credit")
    currency = view.wallet.currency
    try:
        value = parse_amount(amount, currency)
    except MoneyError as exc:
        raise invalid_amount(exc.message) from None
    return wallet_spend_for_customer(
        store=store,
        customer=view.customer,
        currency=currency,
        amount=value,
        entry_id=entry_id,
        actor=actor,
        now=now,
    )


def wallet_spend_for_customer(
    *,
    store: Store,
    customer: Customer,
    currency: str,
    amount: Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime,
    note: str = "",
) -> StoreCreditWallet:
    """Spend `amount` of a customer's store credit (a guest's too: no external id needed).
    Never below zero (InsufficientCredit, code insufficient_credit, nothing written); a repeated
    `entry_id` is a Conflict (duplicate_entry)."""
    with transaction.atomic():
        wallet = _wallet_locked(store, customer, currency, now)
        if CreditEntry.objects.filter(entry_id=entry_id).exists():
            raise Conflict("This spend was already recorded.", code="duplicate_entry")
        entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
        new = spend(
            entries, quantize(amount, currency), currency=currency, now=now, entry_id=entry_id
        )
        _wallet_save(wallet, [new], actor, None, note, now)
    return wallet


def wallet_move_out(
    *,
    store: Store,
    customer: Customer,
    currency: str,
    amount: Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime,
    refund: Refund | None = None,
    note: str = "",
) -> bool:
    """Take `amount` out of the wallet because it is issued elsewhere (the store platform's own
    store credit), so it can be spent in one place only: a SPEND entry `entry_id`, once (True
    when it exists already). False, with nothing written, when the balance is smaller (the
    shopper spent part of it here first): then it must not be issued elsewhere."""
    with transaction.atomic():
        wallet = _wallet_locked(store, customer, currency, now)
        if CreditEntry.objects.filter(entry_id=entry_id).exists():
            return True
        entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
        try:
            new = spend(
                entries, quantize(amount, currency), currency=currency, now=now, entry_id=entry_id
            )
        except InsufficientCredit:
            return False
        _wallet_save(wallet, [new], actor, refund, note, now)
    return True


def wallet_move_back(
    *,
    store: Store,
    customer: Customer,
    currency: str,
    amount: Decimal,
    entry_id: str,
    actor: Actor,
    now: datetime,
    refund: Refund | None = None,
    note: str = "",
) -> None:
    """Give back to the wallet what `wallet_move_out` took when it could not be issued
    elsewhere after all (a definite refusal): a CREDIT entry `entry_id`, once, no bonus."""
    with transaction.atomic():
        wallet = _wallet_locked(store, customer, currency, now)
        if CreditEntry.objects.filter(entry_id=entry_id).exists():
            return
        entries = [adapters.domain_entry(e) for e in wallet.entries.all()]
        new = issue_credit(
            entries, quantize(amount, currency), currency=currency, now=now, entry_id=entry_id
        )
        _wallet_save(wallet, new, actor, refund, note, now)
