"""Carrier credentials are encrypted with RETORNO_ENCRYPTION_KEY, apart from SECRET_KEY: the
first key encrypts, every key decrypts, and `retorno reencrypt-secrets` moves everything to the
first key."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from retorno.core.errors import Unprocessable
from retorno.logistics.crypto import decrypt_credentials, encrypt_credentials
from retorno.logistics.models import CarrierAccount
from retorno.logistics.tests.factories import make_carriers

pytestmark = pytest.mark.django_db

OLD = "old-key-0123456789-0123456789-0123456789"
NEW = "new-key-9876543210-9876543210-9876543210"


def test_secret_key_rotation_does_not_touch_stored_credentials() -> None:
    with override_settings(RETORNO_ENCRYPTION_KEYS=[OLD], SECRET_KEY="a" * 50):
        token = encrypt_credentials({"api_key": "k"})
    with override_settings(RETORNO_ENCRYPTION_KEYS=[OLD], SECRET_KEY="b" * 50):
        assert decrypt_credentials(token) == {"api_key": "k"}


def test_a_new_key_first_reads_old_tokens_and_the_command_moves_them_to_it(store) -> None:
    with override_settings(RETORNO_ENCRYPTION_KEYS=[OLD]):
        accounts = make_carriers(store)
        assert all(a.credentials_encrypted for a in accounts.values())
    with override_settings(RETORNO_ENCRYPTION_KEYS=[NEW, OLD]):
        readable = {a.code: decrypt_credentials(a.credentials_encrypted) for a in accounts.values()}
        call_command("reencrypt_secrets", stdout=io.StringIO())
    with override_settings(RETORNO_ENCRYPTION_KEYS=[NEW]):
        for account in CarrierAccount.objects.filter(store=store):
            assert decrypt_credentials(account.credentials_encrypted) == readable[account.code]
    with override_settings(RETORNO_ENCRYPTION_KEYS=[OLD]):
        account = CarrierAccount.objects.filter(store=store).first()
        with pytest.raises(Unprocessable):
            decrypt_credentials(account.credentials_encrypted)


def test_credentials_no_key_reads_are_named_and_left_alone(store) -> None:
    with override_settings(RETORNO_ENCRYPTION_KEYS=["lost-key-" + "x" * 32]):
        accounts = make_carriers(store)
    lost = next(iter(accounts.values()))
    before = lost.credentials_encrypted
    with override_settings(RETORNO_ENCRYPTION_KEYS=[NEW]), pytest.raises(CommandError) as error:
        call_command("reencrypt_secrets", stdout=io.StringIO())
    assert f"{store.slug}/{lost.code}" in str(error.value)
    lost.refresh_from_db()
    assert lost.credentials_encrypted == before
