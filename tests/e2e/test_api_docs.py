"""The API docs page in a real browser: every operation of the document is listed, nothing is
loaded from anywhere but this server, and Swagger UI reports no error."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_docs_page_renders_every_operation_from_local_assets(
    live_server: Any, page: Page, shoot: Any
) -> None:
    base = live_server.url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))

    document = json.loads(page.request.get(f"{base}/api/v1/openapi.json").text())
    # Swagger UI lists the operations of the paths and, under OpenAPI 3.1, the webhooks the store's
    # endpoints receive (one block per event type, named by the event).
    calls = [(method.upper(), path) for path, item in document["paths"].items() for method in item]
    received = [
        (method.upper(), name)
        for name, item in document.get("webhooks", {}).items()
        for method in item
    ]
    expected = sorted(calls + received)
    assert len(calls) > 40

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/api/v1/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    expect(operations).to_have_count(len(expected))
    listed = sorted(
        (
            block.locator(".opblock-summary-method").inner_text().strip(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in operations.all()
    )
    shoot(page, "api-docs")
    assert listed == expected
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    assert failures == []
    ours = urlsplit(base).netloc
    assert requested
    assert all(urlsplit(url).netloc == ours for url in requested), [
        url for url in requested if urlsplit(url).netloc != ours
    ]
