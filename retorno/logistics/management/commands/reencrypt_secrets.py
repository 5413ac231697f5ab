"""`retorno reencrypt-secrets`: encrypt every stored secret with the current encryption key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.logistics.services.accounts import carrier_credentials_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored carrier credential with the first key of RETORNO_ENCRYPTION_KEY "
        "(run after putting a new key first; then the old key can be removed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = carrier_credentials_reencrypt()
        self.stdout.write(f"Re-encrypted the credentials of {result.accounts} carrier account(s).")
        if result.unreadable:
            raise CommandError(
                "No configured key reads the credentials of: "
                + ", ".join(result.unreadable)
                + ". Give these accounts their credentials again (or add the key they used)."
            )
