"""Idempotency keys: the same key and body give the same response; the same key with another
body is refused. The record is written in the transaction of the change itself."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from retorno.core.errors import RetornoError, Unprocessable
from retorno.core.models import IdempotencyRecord

Outcome = tuple[int, Any]


class _KeyTakenMeanwhile(Exception):
    pass


class _Refused(Exception):
    """The action refused the request; carried out of the transaction so it rolls back."""

    def __init__(self, refusal: RetornoError) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


def request_fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(
    *,
    store_id: int,
    operation: str,
    key: str | None,
    payload: Any,
    action: Callable[[], Outcome],
) -> Outcome:
    """The one way an API call or a page submission with a key is made at most once.

    With no `key` (an API call without an `Idempotency-Key`) the action just runs. With one,
    `payload` (what the request asked, JSON-able) is its fingerprint: the same key and payload
    answer what the first run answered; the same key with another payload is refused (422,
    `idempotency_key_reused`). See `run_idempotently` for races and refusals.
    """
    if key is None:
        return action()
    return run_idempotently(
        store_id=store_id,
        operation=operation,
        key=key,
        fingerprint=request_fingerprint(payload),
        action=action,
    )


def stored_body(*, store_id: int, operation: str, key: str) -> dict[str, Any] | None:
    """What the run with this key answered, whatever it was asked; None before any has run.

    A page pressed twice finds what its first press made here (the return, the claim) without
    running again."""
    if not key:
        return None
    record = IdempotencyRecord.objects.filter(
        store_id=store_id, operation=operation, key=key
    ).first()
    if record is None:
        return None
    return dict(record.response_body or {})


def run_idempotently(
    *, store_id: int, operation: str, key: str, fingerprint: str, action: Callable[[], Outcome]
) -> Outcome:
    """Run `action` (which writes) at most once per (store, operation, key).

    `action` returns (status, JSON-able body). A concurrent request with the same key that loses
    the race has its own writes rolled back and answers with the winner's stored response, also
    when the winner's writes made its own action fail. A refusal (RetornoError) stores nothing,
    so the client may retry with the same key.
    """
    for _ in range(2):
        try:
            with transaction.atomic():
                stored = _stored(store_id, operation, key, fingerprint)
                if stored is not None:
                    return stored
                try:
                    status, body = action()
                except RetornoError as refusal:
                    raise _Refused(refusal) from refusal
                body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            store_id=store_id,
                            operation=operation,
                            key=key,
                            request_hash=fingerprint,
                            response_status=status,
                            response_body=body,
                        )
                except IntegrityError as exc:
                    raise _KeyTakenMeanwhile from exc
                return status, body
        except _KeyTakenMeanwhile:
            continue
        except _Refused as exc:
            # A twin request with this key may have won while we waited on its locks, and what it
            # did (say, take the last units) is why we were refused: answer with its response.
            stored = _stored(store_id, operation, key, fingerprint)
            if stored is not None:
                return stored
            raise exc.refusal from None
    stored = _stored(store_id, operation, key, fingerprint)
    if stored is None:  # pragma: no cover - the record must exist after a unique violation
        raise RuntimeError("idempotency record vanished")
    return stored


def _stored(store_id: int, operation: str, key: str, fingerprint: str) -> Outcome | None:
    record = IdempotencyRecord.objects.filter(
        store_id=store_id, operation=operation, key=key
    ).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise Unprocessable(
            "This Idempotency-Key was already used with a different request body.",
            code="idempotency_key_reused",
        )
    return record.response_status, record.response_body
