from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from retorno.core.problems import problem_response


class BodySizeLimitMiddleware:
    """Refuse oversized bodies with 413 before anything reads them (no 500 from RequestDataTooBig)."""

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
        if size > settings.RETORNO_MAX_BODY_BYTES:
            return problem_response(
                413,
                "body_too_large",
                f"The request body is larger than {settings.RETORNO_MAX_BODY_BYTES} bytes.",
            )
        return self.get_response(request)
