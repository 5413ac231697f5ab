"""Calls to a shop's Admin GraphQL API, through the guarded outbound client.

Failures come out as one of three exceptions, so each caller knows whether to wait, retry or
give up:

- `ShopifyThrottled(wait)`: HTTP 429 (its `Retry-After`) or a THROTTLED error (the wait the
  bucket needs to hold the query's requested cost at its restore rate). Nothing was done.
- `ShopifyUnavailable`: a timeout, a refused connection, a 5xx. The outcome is unknown: retry
  the same call (mutations that create carry an idempotency key or are looked up first).
- `ShopifyRejected`: 401/403/404, a GraphQL error, or `userErrors`: retrying the same call cannot
  help. `code` is stable and `message` says what Shopify said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import httpx

from retorno.core.outbound import outbound_client

TIMEOUT_SECONDS = 10.0


class ShopifyError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ShopifyThrottled(ShopifyError):
    def __init__(self, wait: float, message: str) -> None:
        super().__init__("shopify_throttled", message)
        self.wait = wait


class ShopifyUnavailable(ShopifyError):
    pass


class ShopifyRejected(ShopifyError):
    pass


@dataclass(frozen=True)
class Cost:
    """The cost extension of an answer: what the query asked and cost, and the bucket after."""

    requested: float
    actual: float | None
    available: float
    maximum: float
    restore_rate: float

    def wait_for(self, points: float) -> float:
        """Seconds until the bucket holds `points` (0 when it does already)."""
        missing = points - self.available
        if missing <= 0 or self.restore_rate <= 0:
            return 0.0
        return math.ceil(missing / self.restore_rate * 10) / 10


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    cost: Cost | None


def _cost(body: dict[str, Any]) -> Cost | None:
    cost = (body.get("extensions") or {}).get("cost")
    if not isinstance(cost, dict):
        return None
    status = cost.get("throttleStatus") or {}
    return Cost(
        requested=float(cost.get("requestedQueryCost") or 0),
        actual=None if cost.get("actualQueryCost") is None else float(cost["actualQueryCost"]),
        available=float(status.get("currentlyAvailable") or 0),
        maximum=float(status.get("maximumAvailable") or 0),
        restore_rate=float(status.get("restoreRate") or 0),
    )


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value or "2"))
    except ValueError:
        return 2.0


class AdminClient:
    """One shop's Admin GraphQL endpoint: `<base>/admin/api/<version>/graphql.json`."""

    def __init__(
        self,
        *,
        base_url: str,
        version: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = f"{base_url.rstrip('/')}/admin/api/{version}/graphql.json"
        self.token = token
        self.transport = transport

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> Answer:
        try:
            with outbound_client(
                timeout=TIMEOUT_SECONDS,
                headers={"X-Shopify-Access-Token": self.token},
                transport=self.transport,
            ) as client:
                response = client.post(
                    self.endpoint, json={"query": query, "variables": variables or {}}
                )
        except httpx.TimeoutException as error:
            raise ShopifyUnavailable(
                "shopify_timeout", f"Shopify did not answer: {error}"
            ) from None
        except httpx.HTTPError as error:
            raise ShopifyUnavailable(
                "shopify_unreachable", f"Shopify could not be reached: {error}"
            ) from None
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> Answer:
        status = response.status_code
        if status == 429:
            wait = _retry_after(response.headers.get("Retry-After"))
            raise ShopifyThrottled(wait, f"Shopify answered 429; retry after {wait:g} s.")
        if status >= 500:
            raise ShopifyUnavailable("shopify_unavailable", f"Shopify answered HTTP {status}.")
        if status in (401, 403):
            raise ShopifyRejected(
                "shopify_unauthorized",
                f"Shopify refused the access token (HTTP {status}); check the custom app's "
                "Admin API token and its scopes.",
            )
        if status != 200:
            raise ShopifyRejected("shopify_http_error", f"Shopify answered HTTP {status}.")
        try:
            body = response.json()
        except ValueError:
            raise ShopifyUnavailable(
                "shopify_bad_answer", "Shopify's answer is not JSON."
            ) from None
        if not isinstance(body, dict):
            raise ShopifyUnavailable("shopify_bad_answer", "Shopify's answer is not an object.")
        cost = _cost(body)
        errors = body.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else {}
            code = (first.get("extensions") or {}).get("code") if isinstance(first, dict) else None
            message = first.get("message") if isinstance(first, dict) else str(errors)
            if code == "THROTTLED":
                wait = cost.wait_for(cost.requested) if cost else 1.0
                raise ShopifyThrottled(max(wait, 0.5), "Shopify throttled the query (THROTTLED).")
            raise ShopifyRejected(
                f"shopify_{str(code or 'graphql_error').lower()}", f"Shopify: {message}"
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise ShopifyUnavailable("shopify_bad_answer", "Shopify's answer has no data.")
        return Answer(data, cost)

    def mutate(self, query: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
        """Run a mutation; its payload, or ShopifyRejected naming the first userError."""
        answer = self.execute(query, variables)
        payload = answer.data.get(field)
        if not isinstance(payload, dict):
            raise ShopifyRejected("shopify_graphql_error", f"Shopify returned no {field} payload.")
        problems = payload.get("userErrors") or []
        if problems:
            first = problems[0]
            where = ".".join(first.get("field") or [])
            code = str(first.get("code") or "user_error").lower()
            raise ShopifyRejected(
                f"shopify_{code}", f"Shopify refused {field}: {first.get('message')} ({where})"
            )
        return payload
