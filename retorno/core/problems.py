"""RFC 9457 problem details: every API error is application/problem+json with a stable `code`."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


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
