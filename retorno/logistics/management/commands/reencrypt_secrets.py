"""`retorno reencrypt-secrets`: encrypt every stored secret with the current encryption key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retorno.core.crypto import reencrypters


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (carrier credentials, webhook endpoint secrets) with the "
        "first key of RETORNO_ENCRYPTION_KEY (run after putting a new key first; then the old "
        "key can be removed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        unreadable: list[str] = []
        for kind, reencrypt in sorted(reencrypters().items()):
            done, lost = reencrypt()
            self.stdout.write(f"Re-encrypted {done} {kind}.")
            unreadable.extend(f"{name} ({kind})" for name in lost)
        if unreadable:
            raise CommandError(
                "No configured key reads: "
                + ", ".join(unreadable)
                + ". Give these their secrets again (rotate a webhook endpoint's secret), or add "
                "the key they used."
            )
