"""The site's own error pages: what a person sees for a wrong address, an expired form or a
failure, in the shopper portal's look and their language; under /api/ the same errors are
problem+json, as every API error is."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from retorno.core.problems import (
    DATABASE_RETRY_AFTER_SECONDS,
    database_unavailable,
    database_unavailable_response,
    problem_response,
)
from retorno.portal import display

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


@dataclass(frozen=True)
class _Refusal:
    status: int
    code: str  # the problem's `code` under /api/
    detail: str
    title: Promise  # the page's, translated when it renders
    message: Promise


NOT_FOUND = _Refusal(
    404,
    "not_found",
    "No API endpoint at this address.",
    _("Page not found"),
    _("This link is not valid. Check that you copied the whole link from your email."),
)
TOO_LARGE = _Refusal(
    413,
    "body_too_large",
    "The request body is too large.",
    _("What you sent is too large"),
    _("Nothing was saved. Go back and send fewer or smaller photos."),
)
BAD_REQUEST = _Refusal(
    400,
    "bad_request",
    "The request could not be understood.",
    _("Something is wrong with this request"),
    _("Go back and try again."),
)
FORBIDDEN = _Refusal(
    403,
    "forbidden",
    "This key may not do that.",
    _("You cannot open this page"),
    _("Your account does not have access to it. Ask an administrator of your store."),
)
# A form sent without its security token: most often a page left open for a long time, or
# cookies blocked.
CSRF_FAILED = _Refusal(
    403,
    "csrf_failed",
    "The form's security check failed.",
    _("This page has expired"),
    _(
        "Nothing was saved. Go back, reload the page and send the form again. If it keeps "
        "happening, allow cookies for this site."
    ),
)


def _answer(request: HttpRequest, refusal: _Refusal) -> HttpResponse:
    """problem+json under /api/, else a page in the visitor's language, also when the refusal
    came before the locale middleware ran."""
    if _is_api(request):
        return problem_response(refusal.status, refusal.code, refusal.detail)
    with translation.override(translation.get_language_from_request(request)):
        response = TemplateResponse(
            request,
            "portal/error.html",
            {
                "store": None,
                "lang": display.language(),
                "title": refusal.title,
                "message": refusal.message,
            },
            status=refusal.status,
        )
        response.render()
    response.headers["Cache-Control"] = "no-store"
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, NOT_FOUND)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, TOO_LARGE if isinstance(exception, RequestDataTooBig) else BAD_REQUEST)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, FORBIDDEN)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _answer(request, CSRF_FAILED)


def server_error(request: HttpRequest) -> HttpResponse:
    """The failure page renders without the database or the request's context: whatever
    failed must not fail it too. A database out of reach (a restart, a failover) is a 503
    with Retry-After: the same page, but clients and proxies know to try again."""
    unavailable = database_unavailable(sys.exc_info()[1])
    if _is_api(request):
        if unavailable:
            return database_unavailable_response()
        return problem_response(500, "internal_error", "Something went wrong on our side.")
    with translation.override(translation.get_language_from_request(request)):
        # The CSP nonce is the one thing taken from the request: the page's style is inline.
        page = render_to_string(
            "portal/server_error.html", {"csp_nonce": getattr(request, "csp_nonce", "")}
        )
    response = HttpResponse(page, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
