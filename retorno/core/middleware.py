from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, unquote_plus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from retorno.core.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"


def _for_machines(request: HttpRequest) -> bool:
    """The API and the health check answer problem+json; everything else is a page, whose
    refusals go to the site's error pages (the exception handlers of config/urls.py)."""
    return request.path.startswith(API_PREFIX) or request.path == "/health"


class BodySizeLimitMiddleware:
    """Refuse oversized bodies before anything reads them: 413 problem+json for the API, the
    "too large" page for a form. Forms with files (shoppers' and staff's photos) may be larger
    than other bodies: Django streams their files to disk."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size < 0:
            return problem_response(
                400, "invalid_content_length", "Content-Length is not a number."
            )
        limit = settings.RETORNO_MAX_BODY_BYTES
        if not _for_machines(request) and (request.content_type or "").startswith("multipart/"):
            limit = settings.RETORNO_MAX_UPLOAD_BYTES
        if size > limit:
            if not _for_machines(request):
                raise RequestDataTooBig(f"The request body is larger than {limit} bytes.")
            return problem_response(
                413, "body_too_large", f"The request body is larger than {limit} bytes."
            )
        return self.get_response(request)


# A JSON "\u0000" escape that is not itself escaped (an even run of backslashes before it).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class NulCharacterMiddleware:
    """Refuse text containing NUL characters with 400 `nul_character`, wherever it comes in.

    PostgreSQL cannot store NUL in text or JSON, so such input would otherwise end as a 500
    deep in a query; no legitimate client sends it. Runs after the size limit, so the body
    looked at is bounded.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if not _for_machines(request):
                raise SuspiciousOperation("The request contains a NUL character.")
            return problem_response(
                400, "nul_character", "The request contains a NUL character, which is not allowed."
            )
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.META.get("CONTENT_LENGTH"):
        return False
    content_type = request.content_type or ""
    if content_type.endswith("json"):
        body = request.body
        return b"u0000" in body and _JSON_NUL.search(body) is not None
    if content_type == "application/x-www-form-urlencoded":
        return "\x00" in unquote_plus(request.body.decode("latin-1"))
    return False


class ApiMethodNotAllowedMiddleware:
    """Under /api/, answer a method an endpoint does not have (the router's plain 405) with
    problem+json like every other API error, keeping its Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            allowed = response.get("Allow", "")
            problem = problem_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here; allowed: {allowed or 'none'}.",
            )
            problem["Allow"] = allowed
            return problem
        return response
