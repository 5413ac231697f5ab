"""Pages work under the Content-Security-Policy (retorno/core/csp.py) only if no template has an
inline script or style without the request's nonce, an inline event handler, a style attribute
or a javascript: URL. E-mail templates are not pages and are left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EMAILS = ("notifications/templates/notifications/email", "analytics/templates/analytics/email")

INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>"
)
INLINE_STYLE = re.compile(r"<style\b(?![^>]*\bnonce=)[^>]*>")
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
RULES = {
    "inline script without the nonce": INLINE_SCRIPT,
    "inline style without the nonce": INLINE_STYLE,
    "inline event handler": HANDLER,
    "style attribute": STYLE_ATTRIBUTE,
    "javascript: URL": SCRIPT_URL,
}


def violations(text: str) -> list[str]:
    return [rule for rule, pattern in RULES.items() if pattern.search(text)]


def page_templates() -> list[Path]:
    found = sorted((ROOT / "retorno").rglob("templates/**/*.html"))
    return [p for p in found if not any(e in p.as_posix() for e in EMAILS)]


def test_no_page_template_needs_what_the_policy_forbids() -> None:
    templates = page_templates()
    assert len(templates) > 30
    offenders = {
        p.relative_to(ROOT).as_posix(): found
        for p in templates
        if (found := violations(p.read_text()))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<style>body{}</style>",
        '<input onchange="this.form.submit()">',
        '<div style="color:red">',
        '<a href="javascript:void(0)">',
    ],
)
def test_the_walk_sees_each_kind(snippet: str) -> None:
    assert violations(snippet)


def test_what_the_policy_allows_passes() -> None:
    allowed = (
        '<script src="/static/x.js" defer></script><style nonce="{{ csp_nonce }}">a{}</style>'
        '<script type="application/json" id="settings">{}</script><p class="stylish">on</p>'
    )
    assert violations(allowed) == []
