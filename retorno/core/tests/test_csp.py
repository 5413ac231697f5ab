"""Every response carries the Content-Security-Policy; inline styles that must stay inline carry
the request's own nonce, a new one per request."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def nonce_of(response) -> str:
    header = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", header)
    assert match, header
    assert f"style-src 'self' 'nonce-{match.group(1)}'" in header
    return match.group(1)


def test_pages_api_and_errors_carry_the_policy() -> None:
    client = Client()
    for path in ["/staff/login", "/api/v1/openapi.json", "/no-such-page", "/admin/login/"]:
        header = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in header, path
        assert "object-src 'none'" in header, path
        assert "frame-ancestors 'none'" in header, path
        assert "'unsafe-inline'" not in header, path


def test_the_portals_inline_style_carries_this_requests_nonce() -> None:
    store = StoreFactory(slug="moda")
    client = Client()
    first = client.get(f"/s/{store.slug}/")
    second = client.get(f"/s/{store.slug}/")
    assert first.status_code == 200
    assert nonce_of(first) != nonce_of(second)
    assert f'<style nonce="{nonce_of(first)}">' in first.content.decode()
