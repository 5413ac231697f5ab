"""One way to talk HTTP to carriers: an httpx client with timeouts, and errors mapped onto the
gateway's kinds.

Transient failures (timeouts, connection errors, 429 and 5xx) become `CarrierUnavailable`, so the
caller retries or falls back to the next carrier. Other statuses are returned to the adapter,
which knows what a 4xx means for its carrier (usually `CarrierRejected`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from retorno.domain.logistics.gateway import CarrierUnavailable

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 3.0
USER_AGENT = "Retorno (+https://github.com/retorno)"

# Inbound webhooks: the view passes the request's raw query string to `parse_webhook` under
# this pseudo-header (set by the view, overwriting anything a client sent with that name), for
# carriers that authenticate webhooks with a token in the URL (Shippo).
WEBHOOK_QUERY_HEADER = "X-Retorno-Webhook-Query"


def make_client(
    *,
    base_url: str,
    timeout: float | None = None,
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | tuple[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client for one carrier account. `timeout` is the read/write/pool timeout in
    seconds; connecting never waits more than CONNECT_TIMEOUT_SECONDS (or `timeout` if
    shorter). `transport` is for tests (httpx.MockTransport)."""
    seconds = DEFAULT_TIMEOUT_SECONDS if timeout is None else float(timeout)
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT_SECONDS)),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        auth=auth,
        transport=transport,
        follow_redirects=False,
    )


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    carrier: str,
    json: Any = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Send one request; raise CarrierUnavailable for what a retry may fix, return the response
    for anything else (2xx, and 4xx other than 429) for the adapter to read."""
    try:
        response = client.request(method, url, json=json, params=params, headers=headers)
    except httpx.TimeoutException as error:
        raise CarrierUnavailable(f"{carrier}: {method} {url} timed out ({error}).") from None
    except httpx.HTTPError as error:
        raise CarrierUnavailable(f"{carrier}: {method} {url} failed: {error}.") from None
    if response.status_code == 429 or response.status_code >= 500:
        logger.warning("%s: %s %s answered %s", carrier, method, url, response.status_code)
        raise CarrierUnavailable(
            f"{carrier}: {method} {url} answered {response.status_code}.",
        )
    return response


def json_body(response: httpx.Response, *, carrier: str) -> Any:
    """The response's JSON; a carrier answering 2xx with something else is having a bad day."""
    try:
        return response.json()
    except ValueError:
        raise CarrierUnavailable(
            f"{carrier}: {response.request.method} {response.request.url} answered "
            f"{response.status_code} without JSON."
        ) from None


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value whatever the case of its name ("" when absent). Works on plain dicts
    as well as on Django's and httpx's case-insensitive mappings."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                return candidate
        return ""
    return value


def timestamp(value: object) -> dt.datetime:
    """An ISO 8601 time from a carrier, in UTC; one without an offset is taken as UTC.

    Converted because Python accepts offsets up to ±23:59 and PostgreSQL only up to ±15:59: a
    stored event time must never be one the database refuses. Raises ValueError when `value`
    is not such a time, or has none in UTC (year 1 at +14:00)."""
    parsed = dt.datetime.fromisoformat(str(value))
    try:
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except OverflowError:
        raise ValueError(f"{value!r} has no UTC equivalent.") from None
