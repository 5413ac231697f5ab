"""A burst of parallel wrong passwords for one account, each from its own address, is counted as
it arrives: no more attempts get a password check than the limit, on every engine.

Real threads, each on its own connection, committed transactions (`transaction=True`)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from retorno.accounts.models import SignInAttempt
from retorno.core.tests.threads import run_together

THREADS = 24
ROUNDS = 4  # the window between two attempts' inserts is short: several bursts to hit it
PASSWORD = "correct-horse-battery"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_parallel_wrong_passwords_never_get_more_checks_than_the_limit(settings, round_):
    settings.SIGNIN_ATTEMPTS_PER_ACCOUNT = 5
    settings.SIGNIN_ATTEMPTS_PER_ADDRESS = 5
    username = f"marta{round_}"
    get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)

    def guess(index: int) -> bool:
        # Half the burst from one address (its own limit), half from addresses of their own.
        address = "192.0.2.1" if index % 2 else f"198.51.100.{index + 1}"
        client = Client(REMOTE_ADDR=address)
        response = client.post("/staff/login", {"username": username, "password": f"x{index}"})
        return b"Too many failed sign-in attempts" in response.content

    results = run_together(guess, THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    checked = [blocked for blocked in results if blocked is False]
    assert len(checked) <= 5, f"{len(checked)} wrong passwords were checked, the limit is 5"
    assert SignInAttempt.objects.count() == len(checked)
    # And the right password, from yet another address, now waits too.
    right = Client(REMOTE_ADDR="203.0.113.9").post(
        "/staff/login", {"username": username, "password": PASSWORD}
    )
    assert b"Too many failed sign-in attempts" in right.content
