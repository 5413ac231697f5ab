"""A JSON client for /api/v1 and the assertion every error test makes."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from retorno.accounts.tests.factories import IssuedKey

API = "/api/v1"


class ApiClient:
    """The Django test client speaking JSON to /api/v1 with one key (or none)."""

    def __init__(self, key: IssuedKey | None = None, *, authorization: str | None = None) -> None:
        self.client = Client()
        self.authorization = authorization or (key.header if key else None)

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = dict(headers or {})
        if self.authorization:
            merged.setdefault("Authorization", self.authorization)
        return merged

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.get(
            API + path, params or {}, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def send(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """POST/PUT `body`: a dict/list is sent as JSON, str/bytes as they are."""
        data = (
            body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
        )
        return getattr(self.client, method)(
            API + path,
            data,
            content_type=kw.pop("content_type", "application/json"),
            headers=self._headers(kw.pop("headers", None)),
            **kw,
        )

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("post", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("put", path, body, **kw)


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert `response` is problem+json with `status` and `code`; return its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = json.loads(response.content)
    assert body["code"] == code, body
    assert body["status"] == status
    return body
