"""One way to talk HTTP to carriers: the outbound client (retorno.core.outbound: timeouts, the
outbound-URL check at connect time), and errors mapped onto the gateway's kinds.

Transient failures (timeouts, connection errors, 429 and 5xx) become `CarrierUnavailable`, so the
caller retries or falls back to the next carrier. Other statuses are returned to the adapter,
which knows what a 4xx means for its carrier (usually `CarrierRejected`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from retorno.core.outbound import outbound_client
from retorno.domain.errors import DomainError
from retorno.domain.logistics.gateway import CarrierRejected, CarrierUnavailable

logger = logging.getLogger(__name__)

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
    """The outbound client for one carrier account. `timeout` is the read/write/pool timeout
    in seconds; connecting never waits more than a few seconds. `transport` is for tests
    (httpx.MockTransport)."""
    return outbound_client(
        base_url=base_url, timeout=timeout, headers=headers, auth=auth, transport=transport
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


# What reading a body of the wrong shape raises: a missing key, a list where an object was
# expected, a number that is not one, a time that is not one.
MALFORMED = (KeyError, IndexError, TypeError, AttributeError, ValueError, ArithmeticError)

Method = TypeVar("Method", bound=Callable[..., Any])


def carrier_answers_checked(method: Method) -> Method:
    """For a gateway's calls to its carrier (book, cancel, track...): an answer of any
    unexpected shape becomes CarrierUnavailable, like a carrier answering 5xx, instead of an
    uncaught exception. The gateway's own errors pass through unchanged."""

    @functools.wraps(method)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except DomainError:
            raise
        except MALFORMED as error:
            raise CarrierUnavailable(
                f"{self.code}: unexpected answer to {method.__name__} "
                f"({type(error).__name__}: {error})."
            ) from None

    return checked  # type: ignore[return-value]


def webhook_body_checked(method: Method) -> Method:
    """For `parse_webhook`: a body of any unexpected shape is CarrierRejected (answered 422 to
    the sender), never an uncaught exception."""

    @functools.wraps(method)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except DomainError:
            raise
        except MALFORMED as error:
            raise CarrierRejected(
                f"{self.code}: malformed webhook ({type(error).__name__}: {error})."
            ) from None

    return checked  # type: ignore[return-value]


# Readers of a carrier's answer: each gives the promised type or raises ValueError (one of
# MALFORMED), so a value of the wrong type never travels further than the adapter.


def text(value: object, *, required: bool = False) -> str:
    """A string or a whole number, as text; None is "" (ValueError when `required`)."""
    if isinstance(value, bool) or not isinstance(value, str | int | type(None)):
        raise ValueError(f"expected text, got {type(value).__name__}")
    result = "" if value is None else str(value)
    if required and not result:
        raise ValueError("a required value is missing")
    return result


def amount(value: object) -> Decimal | None:
    """A finite decimal amount from a string or a number; None (or "") when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected an amount, got {type(value).__name__}")
    result = Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def mapping(value: object) -> Mapping[str, Any]:
    """An object (a dict); None is an empty one."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return value


def objects(value: object) -> list[Mapping[str, Any]]:
    """A list of objects; None is an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return [mapping(item) for item in value]


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
    if not isinstance(value, str | dt.datetime):
        raise ValueError(f"expected a time, got {type(value).__name__}")
    parsed = dt.datetime.fromisoformat(str(value))
    try:
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except OverflowError:
        raise ValueError(f"{value!r} has no UTC equivalent.") from None
