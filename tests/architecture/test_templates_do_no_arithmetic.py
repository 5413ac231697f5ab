"""Templates never compute: amounts (and any other figure) reach them already computed.

`|add:` turns "78.45" and "7.85" into integers and shows 85 instead of 86.30; `floatformat`
rounds a float; `widthratio` multiplies and divides. Every template of every Retorno app is
tokenised with Django's own lexer and each variable and tag is checked for an arithmetic
filter or tag, so none can come back in any template.
"""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.template import engines
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
# Django's arithmetic filters and tags, and those of the usual math add-ons (django-mathfilters).
ARITHMETIC_FILTERS = frozenset(
    {"add", "divisibleby", "floatformat", "get_digit"}
    | {"sub", "mul", "div", "intdiv", "abs", "mod", "addition"}
)
ARITHMETIC_TAGS = frozenset({"widthratio"})
FILTER = re.compile(r"\|\s*(\w+)")


def _template_files() -> list[Path]:
    files: list[Path] = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if ROOT in folder.parents and folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt"))
    return files


def _arithmetic_in(source: str) -> list[str]:
    found = []
    for token in Lexer(source).tokenize():
        if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
            continue
        words = token.contents.split()
        if token.token_type is TokenType.BLOCK and words and words[0] in ARITHMETIC_TAGS:
            found.append(f"line {token.lineno}: {{% {token.contents} %}}")
        for name in FILTER.findall(token.contents):
            if name in ARITHMETIC_FILTERS:
                found.append(f"line {token.lineno}: |{name} in {token.contents!r}")
    return found


def test_every_app_template_is_scanned() -> None:
    files = _template_files()
    assert any(f.match("portal/templates/portal/tracking.html") for f in files)
    assert any(f.match("backoffice/templates/backoffice/queue.html") for f in files)
    assert any(f.match("notifications/templates/notifications/email/message.txt") for f in files)


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_does_arithmetic(path: Path) -> None:
    found = _arithmetic_in(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(ROOT)} computes in the template; pass the figure computed by the "
        f"domain instead: {found}"
    )


@pytest.mark.parametrize(
    ("source", "hit"),
    [
        ("{{ a|add:b|money:c }}", True),
        ("{{ a | add : b }}", True),
        ("{% blocktranslate with n=d|add:0 %}{{ n }}{% endblocktranslate %}", True),
        ("{% querystring page=page.page|add:'-1' %}", True),
        ('{{ x|floatformat:"-2" }}', True),
        ("{% widthratio a b 100 %}", True),
        ("{{ a|money:c }} | add more", False),
        ("{{ address|default:'' }}", False),
    ],
)
def test_the_scan_finds_arithmetic_wherever_it_is_written(source: str, hit: bool) -> None:
    assert bool(_arithmetic_in(source)) is hit


def test_retorno_registers_no_arithmetic_filter_or_tag() -> None:
    engine = engines["django"].engine  # type: ignore[attr-defined]
    ours = {name: path for name, path in engine.libraries.items() if path.startswith("retorno.")}
    assert "portal" in ours
    for name, path in ours.items():
        library = import_module(path).register
        assert not ARITHMETIC_FILTERS & set(library.filters), name
        assert not ARITHMETIC_TAGS & set(library.tags), name
