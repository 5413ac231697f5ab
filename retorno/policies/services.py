"""Writes of policies: every change publishes a new version."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from retorno.core.actors import Actor
from retorno.core.errors import Unprocessable
from retorno.domain.policies import (
    PolicyDocumentError,
    complete_policy_document,
    default_policy_document,
    parse_policy,
)
from retorno.policies.models import PolicyVersion
from retorno.stores.models import Store


def policy_publish(
    *, store: Store, document: dict[str, Any], actor: Actor, note: str = ""
) -> PolicyVersion:
    """Validate `document` and store it as the store's next policy version.

    The stored document spells out the settings added since schema 1 (with their defaults), so
    a version says what it means on its own. Raises Unprocessable (code `invalid_policy`, with
    `errors` naming each field) and writes nothing when the document is invalid.
    """
    try:
        parse_policy(document)
        document = complete_policy_document(document)
    except PolicyDocumentError as exc:
        raise Unprocessable(str(exc), code="invalid_policy", errors=policy_errors(exc)) from exc
    for _ in range(3):
        try:
            with transaction.atomic():
                latest = (
                    PolicyVersion.objects.filter(store=store).aggregate(v=Max("version"))["v"] or 0
                )
                return PolicyVersion.objects.create(
                    store=store,
                    version=latest + 1,
                    document=document,
                    note=note,
                    created_by=str(actor),
                )
        except IntegrityError:
            continue  # another publish took this number; take the next one
    raise Unprocessable(
        "The policy is being changed by someone else; try again.", code="policy_busy"
    )


def policy_ensure_default(*, store: Store, actor: Actor) -> PolicyVersion:
    existing = PolicyVersion.objects.filter(store=store).order_by("-version").first()
    if existing is not None:
        return existing
    return policy_publish(
        store=store, document=default_policy_document(), actor=actor, note="Default policy"
    )


def policy_errors(exc: PolicyDocumentError) -> list[dict[str, str]]:
    return [{"field": e.field, "message": e.message} for e in exc.errors]
