from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retorno.domain.money import minor_units
from retorno.domain.money.store_credit import (
    CreditEntry,
    EntryKind,
    InsufficientCredit,
    WalletError,
    balance,
    bonus_for,
    expiry_entries,
    issue_credit,
    replay,
    reverse,
    spend,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)
D = Decimal
DAY = timedelta(days=1)


def at(days):
    return T0 + days * DAY


def test_credit_with_bonus_then_spend():
    entries = list(
        issue_credit([], D("50.00"), currency="EUR", now=T0, entry_id="c1", bonus_percent=D("10"))
    )
    assert [e.kind for e in entries] == [EntryKind.CREDIT, EntryKind.BONUS]
    assert entries[1].entry_id == "c1-bonus"
    assert entries[1].amount == D("5.00")
    assert balance(entries, at(1)) == D("55.00")
    entries.append(spend(entries, D("55.00"), currency="EUR", now=at(2), entry_id="s1"))
    assert balance(entries, at(2)) == 0


def test_overspending_raises_insufficient_credit():
    entries = list(issue_credit([], D("10.00"), currency="EUR", now=T0, entry_id="c1"))
    with pytest.raises(InsufficientCredit) as caught:
        spend(entries, D("10.01"), currency="EUR", now=at(1), entry_id="s1")
    assert caught.value.code == "insufficient_credit"
    assert caught.value.available == D("10.00")


def test_expired_credit_is_not_spendable_and_the_soonest_expiring_goes_first():
    entries = [
        *issue_credit([], D("10.00"), currency="EUR", now=T0, entry_id="late", expires_at=at(60)),
    ]
    entries += issue_credit(
        entries, D("10.00"), currency="EUR", now=T0, entry_id="soon", expires_at=at(30)
    )
    entries += issue_credit(entries, D("10.00"), currency="EUR", now=T0, entry_id="never")
    entries.append(spend(entries, D("15.00"), currency="EUR", now=at(1), entry_id="s1"))
    lots = {lot.lot_id: lot.remaining for lot in replay(entries, at(1)).lots}
    assert lots == {"soon": D("0"), "late": D("5.00"), "never": D("10.00")}
    assert balance(entries, at(60)) == D("10.00")  # expires_at itself is already too late
    with pytest.raises(InsufficientCredit):
        spend(entries, D("10.01"), currency="EUR", now=at(61), entry_id="s2")


def test_expiry_sweeper_is_idempotent():
    entries = list(
        issue_credit([], D("8.00"), currency="EUR", now=T0, entry_id="c1", expires_at=at(10))
    )
    (expiry,) = expiry_entries(entries, at(11))
    assert (expiry.entry_id, expiry.amount, expiry.target_entry_id) == (
        "c1-expiry",
        D("8.00"),
        "c1",
    )
    entries.append(expiry)
    assert expiry_entries(entries, at(12)) == ()
    assert replay(entries, at(12)).expired_amount == 0


def test_reversals():
    entries = list(issue_credit([], D("20.00"), currency="EUR", now=T0, entry_id="c1"))
    entries.append(spend(entries, D("15.00"), currency="EUR", now=at(1), entry_id="s1"))
    with pytest.raises(WalletError) as caught:
        reverse(entries, "c1", D("6.00"), now=at(2), entry_id="r1")  # only 5.00 unspent
    assert caught.value.code == "not_reversible"
    entries.append(reverse(entries, "c1", D("5.00"), now=at(2), entry_id="r1"))
    assert balance(entries, at(2)) == 0
    entries.append(reverse(entries, "s1", D("15.00"), now=at(3), entry_id="r2"))  # order cancelled
    assert balance(entries, at(3)) == D("15.00")
    with pytest.raises(WalletError) as caught:
        reverse(entries, "s1", D("0.01"), now=at(4), entry_id="r3")
    assert caught.value.code == "not_reversible"
    with pytest.raises(WalletError) as caught:
        reverse(entries, "nope", D("1.00"), now=at(4), entry_id="r4")
    assert caught.value.code == "unknown_entry"


def test_entries_cannot_be_back_dated_or_mix_currencies():
    entries = list(issue_credit([], D("20.00"), currency="EUR", now=at(5), entry_id="c1"))
    with pytest.raises(WalletError) as caught:
        spend(entries, D("1.00"), currency="EUR", now=at(4), entry_id="s1")
    assert caught.value.code == "entry_out_of_order"
    with pytest.raises(WalletError) as caught:
        spend(entries, D("1.00"), currency="USD", now=at(6), entry_id="s1")
    assert caught.value.code == "currency_mismatch"


def test_a_forged_overspend_is_detected_on_replay():
    entries = [
        *issue_credit([], D("5.00"), currency="EUR", now=T0, entry_id="c1"),
        CreditEntry(
            entry_id="s1", kind=EntryKind.SPEND, amount=D("6.00"), currency="EUR", created_at=at(1)
        ),
    ]
    with pytest.raises(WalletError) as caught:
        balance(entries, at(2))
    assert caught.value.code == "inconsistent_wallet"


@pytest.mark.parametrize(
    ("amount", "percent", "currency", "bonus"),
    [
        ("50.00", "10", "EUR", "5.00"),
        ("0.05", "10", "EUR", "0.01"),
        ("999", "15", "JPY", "150"),
        ("1.234", "10", "KWD", "0.123"),
        ("10.00", "0", "EUR", "0.00"),
    ],
)
def test_bonus_for(amount, percent, currency, bonus):
    assert bonus_for(D(amount), D(percent), currency) == D(bonus)


# --- properties --------------------------------------------------------------------------------


@st.composite
def operations(draw):
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["credit", "spend", "reverse", "expire", "wait"]),
                st.integers(1, 50_000),
                st.integers(0, 40),
                st.booleans(),
            ),
            max_size=30,
        )
    )


@settings(max_examples=250, deadline=None, database=None)
@given(st.sampled_from(["JPY", "EUR", "KWD"]), operations(), st.data())
def test_balance_never_negative_and_expired_credit_never_spendable(currency, ops, data):
    quantum = Decimal(1).scaleb(-minor_units(currency))
    entries: list[CreditEntry] = []
    refusals: set[str] = set()
    now = T0
    for index, (op, units, days, flag) in enumerate(ops):
        amount = units * quantum
        try:
            if op == "credit":
                expires = now + (days + 1) * DAY if flag else None
                entries += issue_credit(
                    entries,
                    amount,
                    currency=currency,
                    now=now,
                    entry_id=f"c{index}",
                    expires_at=expires,
                    bonus_percent=D(days),
                )
            elif op == "spend":
                entries.append(
                    spend(entries, amount, currency=currency, now=now, entry_id=f"s{index}")
                )
            elif op == "reverse" and entries:
                target = data.draw(st.sampled_from(entries))
                entries.append(
                    reverse(entries, target.entry_id, amount, now=now, entry_id=f"r{index}")
                )
            elif op == "expire":
                entries += expiry_entries(entries, now)
            else:
                now += days * DAY
        except WalletError as refused:
            refusals.add(refused.code)
        assert refusals <= {"insufficient_credit", "not_reversible"}
        wallet = replay(entries, now)
        assert wallet.balance >= 0
        assert all(lot.remaining >= 0 for lot in wallet.lots)
        unexpired_lots = sum(lot.remaining for lot in wallet.lots if lot.valid_at(now))
        assert wallet.balance == unexpired_lots
        # Everything spendable can be spent, and not one minor unit more.
        with pytest.raises(InsufficientCredit):
            spend(entries, wallet.balance + quantum, currency=currency, now=now, entry_id="probe")
        if wallet.balance:
            spend(entries, wallet.balance, currency=currency, now=now, entry_id="probe")
    # Expired credit: once every lot with an expiry has passed it, only never-expiring lots count.
    later = now + 10_000 * DAY
    never_expiring = sum(
        lot.remaining for lot in replay(entries, later).lots if lot.expires_at is None
    )
    assert balance(entries, later) == never_expiring
