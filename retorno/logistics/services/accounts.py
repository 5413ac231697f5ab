"""Carrier accounts (saved with their URLs checked and their secrets encrypted, switched on
and off, re-encrypted under a new key) and a store's allocation rules."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from retorno.core.actors import Actor
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.logistics import (
    AllocationRulesDocumentError,
    CarrierError,
    parse_allocation_rules,
)
from retorno.logistics import adapters
from retorno.logistics.crypto import encrypt_credentials, reencrypt
from retorno.logistics.destinations import config_urls_check, credentials_destination
from retorno.logistics.models import (
    AllocationRuleSet,
    CarrierAccount,
    CarrierKind,
)
from retorno.stores.models import Store

logger = logging.getLogger(__name__)


def carrier_account_save(
    *,
    store: Store,
    code: str,
    data: Mapping[str, Any],
    credentials: Mapping[str, Any] | None = None,
    actor: Actor,
) -> tuple[CarrierAccount, bool]:
    """Create or update the store's carrier account `code` from `data` (the model's profile and
    config fields). `credentials`, when given, replace the stored ones (encrypted); None keeps
    them, unless the account now sends them elsewhere (retorno.logistics.destinations): then
    they are cleared, so a stored API key never follows a changed base URL. An unusable profile
    (422 `invalid_carrier`) or URL (422 `invalid_outbound_url`, naming the field) saves nothing.
    Returns (account, created)."""
    editable = {
        "name",
        "kind",
        "enabled",
        "config",
        "capabilities",
        "service_areas",
        "max_weight_grams",
        "max_dimensions_cm",
        "max_length_plus_girth_cm",
        "rates",
        "transit_days",
        "daily_pickup_capacity",
    }
    with transaction.atomic():
        account = CarrierAccount.objects.select_for_update().filter(store=store, code=code).first()
        created = account is None
        if account is None:
            account = CarrierAccount(
                store=store, code=code, webhook_code=_webhook_code(store, code)
            )
        destination_before = credentials_destination(account)
        for name, value in data.items():
            if name in editable and value is not None:
                setattr(account, name, value)
        if not account.name:
            account.name = code
        if account.kind not in CarrierKind.values:
            raise Unprocessable(f"Unknown carrier kind {account.kind!r}.", code="invalid_carrier")
        config_urls_check(account.config)
        adapters.rates_check(data.get("rates"))
        try:
            adapters.carrier_profile(account)
        except (CarrierError, ValueError, TypeError, ArithmeticError) as error:
            raise Unprocessable(str(error), code="invalid_carrier") from None
        if credentials is not None:
            account.credentials_encrypted = encrypt_credentials(dict(credentials))
        elif credentials_destination(account) != destination_before:
            account.credentials_encrypted = ""
        account.save()
    logger.info("carrier account %s saved by %s", account.webhook_code, actor)
    return account, created


def carrier_account_set_enabled(
    *, store: Store, code: str, enabled: bool, actor: Actor
) -> CarrierAccount:
    """Enable or disable the store's carrier account `code` (a disabled carrier is dropped by
    allocation). Another store's account, or an unknown code, is 404 `carrier_not_found`."""
    with transaction.atomic():
        account = (
            CarrierAccount.objects.for_store(store).select_for_update().filter(code=code).first()
        )
        if account is None:
            raise NotFound(f"No carrier account {code!r} in this store.", code="carrier_not_found")
        if account.enabled != enabled:
            account.enabled = enabled
            account.save(update_fields=["enabled", "updated_at"])
    logger.info(
        "carrier account %s %s by %s",
        account.webhook_code,
        "enabled" if enabled else "disabled",
        actor,
    )
    return account


@dataclass(frozen=True)
class Reencrypted:
    accounts: int
    unreadable: list[str]  # "store/code" of the accounts no configured key reads


def carrier_credentials_reencrypt() -> Reencrypted:
    """Encrypt every carrier account's stored credentials with the current (first) encryption
    key, one account at a time. Accounts whose credentials no key reads are left as they are and
    named in the result: they need their credentials given again."""
    done, unreadable = 0, []
    candidates = CarrierAccount.objects.exclude(credentials_encrypted="").order_by("id")
    for account_id in candidates.values_list("id", flat=True):
        with transaction.atomic():
            account = (
                CarrierAccount.objects.select_for_update()
                .select_related("store")
                .get(id=account_id)
            )
            try:
                account.credentials_encrypted = reencrypt(account.credentials_encrypted)
            except Unprocessable:
                unreadable.append(f"{account.store.slug}/{account.code}")
                continue
            # updated_at stays: the account's settings did not change.
            CarrierAccount.objects.filter(id=account.id).update(
                credentials_encrypted=account.credentials_encrypted
            )
            done += 1
    return Reencrypted(done, unreadable)


def _webhook_code(store: Store, code: str) -> str:
    base = f"{store.slug}-{code}"[:80]
    if not CarrierAccount.objects.filter(webhook_code=base).exists():
        return base
    return f"{base}-{secrets.token_hex(4)}"


def allocation_rules_publish(
    *,
    store: Store,
    document: Mapping[str, Any],
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> AllocationRuleSet:
    """Validate the rules document against the store's carriers and store it as the next
    version. Invalid documents raise 422 `invalid_allocation_rules` naming every field."""
    now = now or timezone.now()
    known = CarrierAccount.objects.filter(store=store).values_list("code", flat=True)
    try:
        parse_allocation_rules(document, known_carrier_codes=list(known))
    except AllocationRulesDocumentError as error:
        raise Unprocessable(
            str(error),
            code=error.code,
            errors=[{"field": e.field, "message": e.message} for e in error.errors],
        ) from None
    with transaction.atomic():
        latest = (
            AllocationRuleSet.objects.select_for_update()
            .filter(store=store)
            .aggregate(v=Max("version"))["v"]
        )
        return AllocationRuleSet.objects.create(
            store=store,
            version=(latest or 0) + 1,
            document=dict(document),
            note=note,
            created_by=str(actor),
            created_at=now,
        )
