"""RFC 9457 problem details: every API error is application/problem+json with a stable `code`."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
# A database restarting or failing over is back within seconds (bench/soak.py measures it):
# clients are told to send again after this long.
DATABASE_RETRY_AFTER_SECONDS = 5


def problem_body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def problem_response(status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    body = problem_body(status, code, detail, **extra)
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or what it was raised from) is the database out of reach: connections
    refused or cut while it restarts, fails over or is overloaded. Such a request can be sent
    again in a moment, so it is a 503, not a 500."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def database_unavailable_response() -> HttpResponse:
    """503 `database_unavailable` with Retry-After, for the API."""
    response = problem_response(
        503,
        "database_unavailable",
        "The database could not be reached for a moment. Send the request again after "
        "Retry-After seconds (a write with the same Idempotency-Key is applied once).",
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
