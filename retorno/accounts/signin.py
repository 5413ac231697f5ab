"""Password guessing is throttled by account and by address, in the database so that every web
process counts the same attempts.

An attempt is recorded before the password is checked and removed if it succeeds: a burst of
concurrent guesses is counted as it arrives, not after. Recording and counting run one at a time
per account and per address (a transaction-scoped lock on PostgreSQL, the single writer on
SQLite): otherwise a guess could count before an earlier one is committed, and a burst would get
more checks than the limit. Each limit is a number of attempts in a
sliding window, so nobody is locked out for longer than the window: the real user can sign in
again once the oldest counted attempt has aged out. A success removes that account's attempts
from that address only; attempts from other addresses keep counting.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from retorno.accounts.models import SignInAttempt


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_address: int
    window: timedelta


def limits() -> Limits:
    return Limits(
        per_account=settings.SIGNIN_ATTEMPTS_PER_ACCOUNT,
        per_address=settings.SIGNIN_ATTEMPTS_PER_ADDRESS,
        window=timedelta(seconds=settings.SIGNIN_WINDOW_SECONDS),
    )


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """An attempt under way (`blocked_minutes` None), or one refused before any check."""

    username_digest: str
    address_digest: str
    attempt_id: int | None
    blocked_minutes: int | None


def _retry_after(rows: QuerySet[SignInAttempt], limit: int, window: timedelta, now: datetime):
    """Minutes until fewer than `limit` of `rows` are in the window (rows newest first)."""
    times = list(rows.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return max(1, math.ceil((times[limit - 1] + window - now).total_seconds() / 60))


def _one_at_a_time(*digests: str) -> None:
    """Hold, until the transaction ends, a lock per digest (PostgreSQL advisory locks, taken in
    one global order so two attempts never wait for each other). SQLite lets one writer in at a
    time, and the transaction writes first, so it needs none."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({int(digest[:15], 16) for digest in digests})  # fits a signed bigint
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def signin_attempt_begin(*, username: str, address: str, now: datetime) -> Attempt:
    """Record a sign-in attempt of `username` from `address`, or refuse it (blocked_minutes
    set, nothing recorded) when either has had its limit of attempts within the window."""
    account = _digest("account", username.strip().lower())
    origin = _digest("address", address)
    with transaction.atomic():
        _one_at_a_time(account, origin)
        return _attempt_record(account, origin, now)


def _attempt_record(account: str, origin: str, now: datetime) -> Attempt:
    current = limits()
    since = now - current.window
    SignInAttempt.objects.filter(created_at__lt=since).delete()
    row = SignInAttempt.objects.create(
        username_digest=account, address_digest=origin, created_at=now
    )
    earlier = SignInAttempt.objects.filter(created_at__gte=since, id__lt=row.id)
    waits = [
        _retry_after(
            earlier.filter(username_digest=account), current.per_account, current.window, now
        ),
        _retry_after(
            earlier.filter(address_digest=origin), current.per_address, current.window, now
        ),
    ]
    blocked = [wait for wait in waits if wait is not None]
    if blocked:
        row.delete()  # refused before any check: not a guess
        return Attempt(account, origin, None, max(blocked))
    return Attempt(account, origin, row.id, None)


def signin_attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: this account's attempts from this address stop counting."""
    SignInAttempt.objects.filter(
        username_digest=attempt.username_digest, address_digest=attempt.address_digest
    ).delete()
