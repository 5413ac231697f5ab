"""The one place where errors become HTTP: application/problem+json with a stable `code`."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from retorno.core.errors import RetornoError, http_status
from retorno.core.problems import (
    database_unavailable,
    database_unavailable_response,
    problem_response,
)
from retorno.domain.errors import DomainError

logger = logging.getLogger(__name__)


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(RetornoError, _retorno_error)
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(Exception, _unexpected)


def _retorno_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(exc.status, exc.code, exc.detail, **exc.extra)


def _domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(http_status(exc), exc.code, str(exc))


def _validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
    errors = [_field_error(e) for e in exc.errors]
    return problem_response(
        422, "validation_error", "The request does not match the expected shape.", errors=errors
    )


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
    return {
        "field": ".".join(loc),
        "message": str(error.get("msg", "invalid")),
        "type": error.get("type", ""),
    }


def _authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
    response = problem_response(
        401, "unauthorized", "A valid API key is required: Authorization: Bearer <key>."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    if exc.status_code == 400:
        return problem_response(400, "malformed_body", "The request body is not valid JSON.")
    return problem_response(exc.status_code, f"http_{exc.status_code}", str(exc))


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(404, "not_found", "Not found.")


def _unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    if database_unavailable(exc):
        logger.warning("database unavailable in %s %s: %r", request.method, request.path, exc)
        return database_unavailable_response()
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem_response(
        500, "internal_error", "Something went wrong on our side; it has been logged."
    )
