"""Calls to Stripe's API through Stripe's own Python library, over the guarded outbound session.

The library sends its requests through `retorno.core.outbound.requests_session`, so every call
on a store's behalf passes the same outbound-URL check as a carrier's (the library's own
connections would not). Its own retries are off: a call whose outcome is unknown is retried by
the outbox with the same Idempotency-Key. The API version is pinned.

Failures come out as two exceptions:

- `StripeUnavailable`: a timeout, a lost connection, 429, 409 (the same idempotency key still
  running) or a 5xx. The outcome is unknown: the same call is made again with the same key.
- `StripeRejected`: any other 4xx. Nothing was done; `code` is Stripe's error code and
  `message` what Stripe said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from retorno.core.outbound import requests_session

API_VERSION = "2026-04-22.basil"
TIMEOUT_SECONDS = 20.0


class StripeUnavailable(Exception):
    pass


class StripeRejected(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class StripeClient:
    def __init__(self, *, base_url: str, secret_key: str) -> None:
        self.library = stripe.StripeClient(
            secret_key,
            stripe_version=API_VERSION,
            base_addresses={"api": base_url.rstrip("/")},
            max_network_retries=0,
            http_client=stripe.RequestsClient(
                timeout=TIMEOUT_SECONDS, session=requests_session(timeout=TIMEOUT_SECONDS)
            ),
        )

    def refund_create(self, params: Mapping[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        """POST /v1/refunds with the Idempotency-Key: the refund as Stripe answers it."""
        try:
            refund = self.library.v1.refunds.create(
                params=dict(params),  # type: ignore[arg-type]  # Stripe's TypedDict
                options={"idempotency_key": idempotency_key},
            )
        except stripe.APIConnectionError as error:
            raise StripeUnavailable(
                f"Stripe: POST /v1/refunds failed: {error.user_message}."
            ) from None
        except stripe.StripeError as error:
            raise _failure(error) from None
        return refund.to_dict()

    def refunds_peek(self) -> None:
        """GET /v1/refunds?limit=1: the key opens the account and may read its refunds (the
        connection's check; nothing is written)."""
        try:
            self.library.v1.refunds.list(params={"limit": 1})
        except stripe.APIConnectionError as error:
            raise StripeUnavailable(
                f"Stripe: GET /v1/refunds failed: {error.user_message}."
            ) from None
        except stripe.StripeError as error:
            raise _failure(error, "GET /v1/refunds") from None


def _failure(
    error: stripe.StripeError, call: str = "POST /v1/refunds"
) -> StripeUnavailable | StripeRejected:
    status = error.http_status or 0
    if status in (409, 429) or status >= 500 or status == 0:
        return StripeUnavailable(f"Stripe: {call} answered {status or 'nothing'}.")
    said = error.error
    code = str((said.code or said.type) if said else "") or error.code or f"http_{status}"
    message = str(
        (said.message if said else None) or error.user_message or f"Stripe answered {status}."
    )
    return StripeRejected(status, code, message)
