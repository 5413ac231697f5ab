"""Password guessing on the staff sign-in and the admin's sign-in is throttled by account and by
address, for a time, in the database (every web process counts the same attempts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from retorno.accounts.models import SignInAttempt
from retorno.backoffice import signin_forms

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PAGES = ["/staff/login", "/admin/login/"]


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    frozen = Clock()
    monkeypatch.setattr(signin_forms.timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def staff() -> object:
    return get_user_model().objects.create_user(
        "marta", email="marta@example.com", password=PASSWORD, is_staff=True
    )


def sign_in(url: str, username: str, password: str, *, address: str, lang: str = "en") -> object:
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=lang)
    response = client.post(url, {"username": username, "password": password, "next": "/"})
    response.signed_in = "_auth_user_id" in client.session
    return response


@pytest.mark.parametrize("login_page", PAGES)
def test_after_five_wrong_passwords_even_the_right_one_waits_for_the_window(
    login_page, staff, clock
) -> None:
    for _ in range(5):
        wrong = sign_in(login_page, "marta", "guess", address="203.0.113.9")
        assert wrong.status_code == 200
        assert not wrong.signed_in
    refused = sign_in(login_page, "marta", PASSWORD, address="203.0.113.9")
    assert refused.status_code == 429
    assert not refused.signed_in
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in refused.content.decode()
    # The account is throttled, whoever asks: a real user elsewhere waits too, for a while.
    assert sign_in(login_page, "marta", PASSWORD, address="198.51.100.7").status_code == 429
    clock.advance(minutes=14)
    late = sign_in(login_page, "marta", PASSWORD, address="198.51.100.7")
    assert late.status_code == 429
    assert "Try again in 1 minute." in late.content.decode()
    clock.advance(minutes=1, seconds=1)
    assert sign_in(login_page, "marta", PASSWORD, address="198.51.100.7").signed_in


@pytest.mark.parametrize("login_page", PAGES)
def test_the_message_is_in_the_visitors_language(login_page, staff, clock) -> None:
    for _ in range(5):
        sign_in(login_page, "marta", "guess", address="203.0.113.9")
    refused = sign_in(login_page, "marta", PASSWORD, address="203.0.113.9", lang="es")
    assert refused.status_code == 429
    assert (
        "Demasiados intentos fallidos de inicio de sesión. Vuelve a intentarlo dentro de 15 "
        "minutos." in refused.content.decode()
    )


@pytest.mark.parametrize("login_page", PAGES)
def test_one_address_guessing_many_accounts_is_throttled(login_page, staff, clock) -> None:
    for number in range(20):
        assert (
            sign_in(login_page, f"user{number}", "guess", address="203.0.113.9").status_code == 200
        )
    assert sign_in(login_page, "marta", PASSWORD, address="203.0.113.9").status_code == 429
    assert sign_in(login_page, "marta", PASSWORD, address="198.51.100.7").signed_in


@pytest.mark.parametrize("login_page", PAGES)
def test_a_success_elsewhere_does_not_reset_the_guessers_count(login_page, staff, clock) -> None:
    for _ in range(3):
        sign_in(login_page, "marta", "guess", address="203.0.113.9")
    assert sign_in(login_page, "marta", PASSWORD, address="198.51.100.7").signed_in
    for _ in range(2):
        assert sign_in(login_page, "marta", "guess", address="203.0.113.9").status_code == 200
    assert sign_in(login_page, "marta", "guess", address="203.0.113.9").status_code == 429


@pytest.mark.parametrize("login_page", PAGES)
def test_a_success_clears_only_that_accounts_attempts_from_that_address(
    login_page, staff, clock
) -> None:
    for _ in range(3):
        sign_in(login_page, "marta", "typo", address="198.51.100.7")
    sign_in(login_page, "marta", "guess", address="203.0.113.9")
    assert sign_in(login_page, "marta", PASSWORD, address="198.51.100.7").signed_in
    assert SignInAttempt.objects.count() == 1  # the other address's attempt still counts


def test_attempts_are_stored_as_digests_and_expire(staff, clock) -> None:
    sign_in("/staff/login", "marta", "guess", address="203.0.113.9")
    row = SignInAttempt.objects.get()
    assert "marta" not in row.username_digest
    assert "203.0.113.9" not in row.address_digest
    clock.advance(minutes=16)
    sign_in("/staff/login", "someone", "guess", address="198.51.100.7")
    assert SignInAttempt.objects.count() == 1  # the expired one is gone


def test_behind_a_proxy_the_forwarded_address_counts(staff, clock, settings) -> None:
    settings.RETORNO_TRUSTED_PROXIES = 1
    for number in range(20):
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.4, 203.0.113.{number}")
        client.post("/staff/login", {"username": f"user{number}", "password": "guess"})
    # Twenty addresses behind one proxy: none of them, nor the proxy, is throttled.
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    response = client.post("/staff/login", {"username": "marta", "password": PASSWORD})
    assert response.status_code == 302
    # The client's own entries (left of the proxy's) are not trusted: forging them changes
    # nothing for a throttled address.
    for number in range(20):
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.99").post(
            "/staff/login", {"username": f"x{number}", "password": "guess"}
        )
    forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.99")
    assert forged.post("/staff/login", {"username": "y", "password": "z"}).status_code == 429
