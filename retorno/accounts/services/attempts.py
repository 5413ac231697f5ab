"""Guessing is throttled by subject and by address, in the database so that every web process
counts the same attempts: passwords on the staff and admin sign-ins (retorno.accounts.services.signin),
an order's e-mail on the portal's order lookup.

An attempt is recorded before the guess is checked and removed if it succeeds: a burst of
concurrent guesses is counted as it arrives, not after. Recording and counting run one at a time
per subject and per address (a transaction-scoped lock on PostgreSQL, the single writer on
SQLite): otherwise a guess could count before an earlier one is committed, and a burst would get
more checks than the limit. Each limit is a number of attempts in a sliding window, so nobody is
locked out for longer than the window. A success removes that subject's attempts from that
address only; attempts from other addresses keep counting.

Each kind of guess is a `Throttle` with a scope of its own: its rows, subjects and addresses
never count against another's (a shopper's lookups never lock a colleague's sign-in).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet

from retorno.accounts.models import SignInAttempt


@dataclass(frozen=True)
class Limits:
    per_subject: int
    per_address: int
    window: timedelta


@dataclass(frozen=True)
class Attempt:
    """An attempt under way (`blocked_minutes` None), or one refused before any check."""

    scope: str
    subject_digest: str
    address_digest: str
    attempt_id: int | None
    blocked_minutes: int | None


@dataclass(frozen=True)
class Throttle:
    """One kind of guess. `subject_kind` and `address_kind` salt the digests (sign-in keeps the
    ones its rows were first written with); `limits` is read at each attempt, so settings apply
    at once."""

    scope: str
    subject_kind: str
    address_kind: str
    limits: Callable[[], Limits]

    def begin(self, *, subject: str, address: str, now: datetime) -> Attempt:
        """Record an attempt at `subject` from `address`, or refuse it (blocked_minutes set,
        nothing recorded) when either has had its limit of attempts within the window."""
        subject_digest = _digest(self.subject_kind, subject)
        address_digest = _digest(self.address_kind, address)
        with transaction.atomic():
            _one_at_a_time(subject_digest, address_digest)
            return self._record(subject_digest, address_digest, now)

    def succeeded(self, attempt: Attempt) -> None:
        """The guess was right: this subject's attempts from this address stop counting."""
        SignInAttempt.objects.filter(
            scope=self.scope,
            username_digest=attempt.subject_digest,
            address_digest=attempt.address_digest,
        ).delete()

    def _record(self, subject_digest: str, address_digest: str, now: datetime) -> Attempt:
        current = self.limits()
        since = now - current.window
        rows = SignInAttempt.objects.filter(scope=self.scope)
        rows.filter(created_at__lt=since).delete()
        row = SignInAttempt.objects.create(
            scope=self.scope,
            username_digest=subject_digest,
            address_digest=address_digest,
            created_at=now,
        )
        earlier = rows.filter(created_at__gte=since, id__lt=row.id)
        waits = [
            _retry_after(
                earlier.filter(username_digest=subject_digest), current.per_subject, current, now
            ),
            _retry_after(
                earlier.filter(address_digest=address_digest), current.per_address, current, now
            ),
        ]
        blocked = [wait for wait in waits if wait is not None]
        if blocked:
            row.delete()  # refused before any check: not a guess
            return Attempt(self.scope, subject_digest, address_digest, None, max(blocked))
        return Attempt(self.scope, subject_digest, address_digest, row.id, None)


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


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


def _retry_after(
    rows: QuerySet[SignInAttempt], limit: int, limits: Limits, now: datetime
) -> int | None:
    """Minutes until fewer than `limit` of `rows` are in the window."""
    times = list(rows.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return max(1, math.ceil((times[limit - 1] + limits.window - now).total_seconds() / 60))
