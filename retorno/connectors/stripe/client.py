"""Calls to Stripe's API (v1, form-encoded) through the guarded outbound client.

Stripe's own Python library would open its own connections, outside the outbound-URL check every
call on a store's behalf passes (retorno.core.outbound); the few calls the adapter needs are
made here instead, as the API reference describes them, with the API version pinned.

Failures come out as two exceptions:

- `StripeUnavailable`: a timeout, a lost connection, 429, 409 (the same idempotency key still
  running) or a 5xx. The outcome is unknown: the same call is made again with the same key.
- `StripeRejected`: any other 4xx. Nothing was done; `code` is Stripe's error code and
  `message` what Stripe said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from retorno.core.outbound import outbound_client

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


def form(params: Mapping[str, Any]) -> dict[str, str]:
    """Nested parameters as Stripe's form encoding wants them: `metadata[key]=value`."""
    flat: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, Mapping):
            for key, inner in value.items():
                flat[f"{name}[{key}]"] = str(inner)
        elif value is not None:
            flat[name] = str(value)
    return flat


class StripeClient:
    def __init__(
        self,
        *,
        base_url: str,
        secret_key: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.transport = transport

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str = "",
    ) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self.secret_key}",
            "Stripe-Version": API_VERSION,
        }
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            with outbound_client(
                base_url=self.base_url,
                timeout=TIMEOUT_SECONDS,
                headers=headers,
                transport=self.transport,
            ) as client:
                if method == "GET":
                    response = client.get(path, params=form(params or {}))
                else:
                    response = client.request(method, path, data=form(params or {}))
        except httpx.TimeoutException:
            raise StripeUnavailable(f"Stripe: {method} {path} timed out.") from None
        except httpx.HTTPError as error:
            raise StripeUnavailable(f"Stripe: {method} {path} failed: {error}.") from None
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if status == 429 or status == 409 or status >= 500:
            raise StripeUnavailable(f"Stripe: {method} {path} answered {status}.")
        if not isinstance(body, dict):
            raise StripeUnavailable(f"Stripe: {method} {path} answered {status} without JSON.")
        if status >= 400:
            said = body.get("error") or {}
            code = str(said.get("code") or said.get("type") or f"http_{status}")
            message = str(said.get("message") or f"Stripe answered {status}.")
            raise StripeRejected(status, code, message)
        return body
