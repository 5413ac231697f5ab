"""Password guessing on the staff and admin sign-ins is throttled by account and by address
(retorno.accounts.services.attempts says how), 5 and 20 attempts in 15 minutes unless the settings say
otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from retorno.accounts.services.attempts import Attempt, Limits, Throttle


def limits() -> Limits:
    return Limits(
        per_subject=settings.SIGNIN_ATTEMPTS_PER_ACCOUNT,
        per_address=settings.SIGNIN_ATTEMPTS_PER_ADDRESS,
        window=timedelta(seconds=settings.SIGNIN_WINDOW_SECONDS),
    )


SIGN_IN = Throttle(scope="signin", subject_kind="account", address_kind="address", limits=limits)


def signin_attempt_begin(*, username: str, address: str, now: datetime) -> Attempt:
    """Record a sign-in attempt of `username` from `address`, or refuse it (blocked_minutes
    set, nothing recorded) when either has had its limit of attempts within the window."""
    return SIGN_IN.begin(subject=username.strip().lower(), address=address, now=now)


def signin_attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: this account's attempts from this address stop counting."""
    SIGN_IN.succeeded(attempt)
