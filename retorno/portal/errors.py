"""The site's own error pages: what a person sees for a wrong address, an expired form or a
failure, in the shopper portal's look and their language; under /api/ the same errors are
problem+json, as every API error is."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from retorno.core.problems import problem_response
from retorno.portal import display

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error(
    request: HttpRequest,
    status: int,
    *,
    code: str,
    detail: str,
    title: str | Promise,
    message: str | Promise,
) -> HttpResponse:
    """problem+json (`code`, `detail`) under /api/, else a page (`title`, `message`, lazy
    translations) in the visitor's language, also when the refusal came before the locale
    middleware ran."""
    if _is_api(request):
        return problem_response(status, code, detail)
    with translation.override(translation.get_language_from_request(request)):
        response = TemplateResponse(
            request,
            "portal/error.html",
            {"store": None, "lang": display.language(), "title": title, "message": message},
            status=status,
        )
        response.render()
    response.headers["Cache-Control"] = "no-store"
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        code="not_found",
        detail=f"No API endpoint at {request.path}.",
        title=_("Page not found"),
        message=_("This link is not valid. Check that you copied the whole link from your email."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return _error(
            request,
            413,
            code="body_too_large",
            detail="The request body is too large.",
            title=_("What you sent is too large"),
            message=_("Nothing was saved. Go back and send fewer or smaller photos."),
        )
    return _error(
        request,
        400,
        code="bad_request",
        detail="The request could not be understood.",
        title=_("Something is wrong with this request"),
        message=_("Go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        code="forbidden",
        detail="This key may not do that.",
        title=_("You cannot open this page"),
        message=_("Your account does not have access to it. Ask an administrator of your store."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token: most often a page left open for a long time,
    or cookies blocked. Nothing was saved."""
    return _error(
        request,
        403,
        code="csrf_failed",
        detail="The form's security check failed.",
        title=_("This page has expired"),
        message=_(
            "Nothing was saved. Go back, reload the page and send the form again. If it keeps "
            "happening, allow cookies for this site."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The failure page renders without the database or the request's context: whatever
    failed must not fail it too."""
    if _is_api(request):
        return problem_response(500, "internal_error", "Something went wrong on our side.")
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponse(render_to_string("portal/server_error.html"), status=500)
