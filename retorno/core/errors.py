"""Application errors with a stable `code`. Interfaces turn them into HTTP in one place."""

from __future__ import annotations

from typing import Any


class RetornoError(Exception):
    """Base error: `code` is stable and documented; `status` is the HTTP status it maps to."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra


class NotFound(RetornoError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(RetornoError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(RetornoError):
    status = 422
    code = "unprocessable"
    title = "Unprocessable request"


def invalid_amount(message: str, field: str = "amount") -> Unprocessable:
    """A typed amount the currency cannot express (or not an amount at all): 422 `invalid_amount`
    naming the field, in the shape of the API's validation errors."""
    return Unprocessable(
        message,
        code="invalid_amount",
        errors=[{"field": field, "message": message, "type": "invalid_amount"}],
    )


class PermissionDenied(RetornoError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


# Domain codes that mean "the thing exists but is in the wrong state": 409 rather than 422.
CONFLICT_CODES = frozenset({"illegal_transition", "over_received"})


def http_status(exc: Exception) -> int:
    """The HTTP status an application or domain error maps to, for the API and the pages alike."""
    if isinstance(exc, RetornoError):
        return exc.status
    return 409 if getattr(exc, "code", "") in CONFLICT_CODES else 422
