"""Money is written one way everywhere: through the `money` filter (retorno.core.formatting).

Staff saw "EUR 2.50" beside "2,50 €": a template had put an amount and its currency side by
side. Every template of every Retorno app is tokenised with Django's lexer and fails when an
amount (a variable named `amount` or `*_amount`, as money fields and domain amounts are) is
shown without `|money`, in a variable or a `blocktranslate with`, or when a currency is written
next to another value. Text already formatted reaches templates named `*_text`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

from tests.architecture.test_templates_do_no_arithmetic import ROOT, _template_files

AMOUNT = re.compile(r"(^|[._])amount$")
# A form's field echoed back as the person typed it is not an amount to format.
TYPED = re.compile(r"^form\.")
ASSIGNMENT = re.compile(r"(\w+)=([^\s]+)")
CURRENCY_BESIDE_A_VALUE = re.compile(
    r"\}\}\s*\{\{\s*[\w.]*currency\s*\}\}|\{\{\s*[\w.]*currency\s*\}\}\s*\{\{"
)


def _shown_without_money(expression: str) -> bool:
    variable, *filters = [part.strip() for part in expression.split("|")]
    names = {f.split(":")[0].strip() for f in filters}
    return bool(AMOUNT.search(variable)) and not TYPED.search(variable) and "money" not in names


def money_formatted_otherwise(source: str) -> list[str]:
    found = []
    translating = False  # inside blocktranslate a variable is a placeholder: its `with` counts
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents.split() else ""
            translating = word == "blocktranslate" or (translating and word == "plural")
            if word == "blocktranslate":
                for _name, value in ASSIGNMENT.findall(token.contents):
                    if _shown_without_money(value):
                        found.append(f"line {token.lineno}: {value} in {{% {token.contents} %}}")
        elif (
            token.token_type is TokenType.VAR
            and not translating
            and _shown_without_money(token.contents)
        ):
            found.append(f"line {token.lineno}: {{{{ {token.contents} }}}}")
    for match in CURRENCY_BESIDE_A_VALUE.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        found.append(f"line {line}: a currency beside a value: {match.group(0)!r}")
    return found


def test_the_scan_finds_money_formatted_otherwise() -> None:
    assert money_formatted_otherwise("{{ v.price_amount }} {{ allocation.currency }}") == [
        "line 1: {{ v.price_amount }}",
        "line 1: a currency beside a value: '}} {{ allocation.currency }}'",
    ]
    assert money_formatted_otherwise("{{ r.amount|floatformat:2 }}") == [
        "line 1: {{ r.amount|floatformat:2 }}"
    ]
    text = "{% blocktranslate with amount=recycle_amount %}{{ amount }} {{ currency }}{% endblocktranslate %}"
    assert len(money_formatted_otherwise(text)) == 2
    assert money_formatted_otherwise("{{ r.amount|money:r.currency }}") == []
    text = "{% blocktranslate with cost=k.cost_amount|money:c %}{{ cost }}{% endblocktranslate %}"
    assert money_formatted_otherwise(text) == []
    assert money_formatted_otherwise("<input value=\"{{ form.amount|default:'' }}\">") == []
    assert money_formatted_otherwise("Value ({{ currency }})") == []


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_formats_money_another_way(path: Path) -> None:
    found = money_formatted_otherwise(path.read_text())
    assert not found, f"{path.relative_to(ROOT)}: show amounts with |money: {found}"
