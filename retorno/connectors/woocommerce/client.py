"""Calls to a store's WooCommerce REST API v3, through the guarded outbound client, with the REST
API key as HTTP Basic credentials (WooCommerce takes them so over HTTPS).

Failures come out as one of three exceptions, so each caller knows whether to wait, retry or
give up:

- `WooThrottled(wait)`: HTTP 429 (its `Retry-After`; the host's limit, WooCommerce has none of
  its own). Nothing was done.
- `WooUnavailable`: a timeout, a refused connection, a 5xx that is not one of WooCommerce's own
  refusals, an answer that is not JSON. The outcome is unknown: look up, then retry.
- `WooRejected`: 4xx, or a 500 carrying one of WooCommerce's error codes
  (`woocommerce_rest_cannot_create_order_refund`: the gateway refused and nothing was made).
  `code` is WooCommerce's, `message` what it said.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from retorno.core.outbound import outbound_client

TIMEOUT_SECONDS = 10.0


class WooError(Exception):
    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class WooThrottled(WooError):
    def __init__(self, wait: float, message: str) -> None:
        super().__init__("woocommerce_throttled", message, 429)
        self.wait = wait


class WooUnavailable(WooError):
    pass


class WooRejected(WooError):
    pass


@dataclass(frozen=True)
class Answer:
    data: Any
    total: int | None
    total_pages: int | None


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value or "2"))
    except ValueError:
        return 2.0


def _header_int(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers.get(name, ""))
    except ValueError:
        return None


class WooClient:
    """One store's REST API: `<api_base_url>/<path>` (api_base_url ends in /wp-json/wc/v3)."""

    def __init__(
        self,
        *,
        base_url: str,
        key: str,
        secret: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        credentials = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {credentials}", "Accept": "application/json"}
        self.transport = transport

    def get(self, path: str, params: dict[str, Any] | None = None) -> Answer:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Answer:
        return self.call("POST", path, body=body)

    def put(self, path: str, body: dict[str, Any]) -> Answer:
        return self.call("PUT", path, body=body)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Answer:
        try:
            with outbound_client(
                timeout=TIMEOUT_SECONDS, headers=self.headers, transport=self.transport
            ) as client:
                response = client.request(
                    method, f"{self.base_url}/{path.lstrip('/')}", params=params, json=body
                )
        except httpx.TimeoutException as error:
            raise WooUnavailable(
                "woocommerce_timeout", f"WooCommerce did not answer: {error}"
            ) from None
        except httpx.HTTPError as error:
            raise WooUnavailable(
                "woocommerce_unreachable", f"WooCommerce could not be reached: {error}"
            ) from None
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> Answer:
        status = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if status == 429:
            wait = _retry_after(response.headers.get("Retry-After"))
            raise WooThrottled(wait, f"WooCommerce answered 429; retry after {wait:g} s.")
        code = str(data.get("code") or "") if isinstance(data, dict) else ""
        message = str(data.get("message") or "") if isinstance(data, dict) else ""
        if status >= 500 and not code.startswith("woocommerce_rest_"):
            raise WooUnavailable("woocommerce_unavailable", f"WooCommerce answered HTTP {status}.")
        if status == 401:
            raise WooRejected(
                code or "woocommerce_unauthorized",
                f"WooCommerce refused the REST API key (HTTP 401: {message or 'no message'}); "
                "check the consumer key and secret and that the key may read and write.",
                status,
            )
        if status >= 400:
            raise WooRejected(
                code or "woocommerce_http_error",
                f"WooCommerce: {message or f'HTTP {status}'}",
                status,
            )
        if data is None:
            raise WooUnavailable("woocommerce_bad_answer", "WooCommerce's answer is not JSON.")
        return Answer(
            data,
            _header_int(response, "X-WP-Total"),
            _header_int(response, "X-WP-TotalPages"),
        )
