"""A store's own words for a message to shoppers: a subject, a headline and an opening
paragraph per kind of message and language, with {variables} filled from the return (or the
claim). Only the variables listed here for the kind exist; text between braces that names none
is refused when saved (and left as written if it ever reaches a message)."""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES: tuple[str, ...] = (
    "rma",
    "order",
    "customer_name",
    "store",
    "method",
    "resolution",
    "tracking_url",
)
# A claim has no return: no RMA, method or tracking page, but a number of its own.
CLAIM_VARIABLES: tuple[str, ...] = ("claim", "order", "customer_name", "store")
_TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_SUBJECT = 200
MAX_HEADLINE = 200
MAX_INTRO = 1000


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each {variable} replaced by its value (unknown names stay as written)."""
    return _TOKEN.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def variables_for(kind: str) -> tuple[str, ...]:
    """The variables a template of `kind` (a MessageKind value) may use."""
    return CLAIM_VARIABLES if kind.startswith("claim_") else VARIABLES


def unknown_variables(text: str, variables: tuple[str, ...] = VARIABLES) -> list[str]:
    """The names between braces in `text` that are not `variables`, in order, once each."""
    found = [m.group(1) for m in _TOKEN.finditer(text) if m.group(1) not in variables]
    return list(dict.fromkeys(found))


def problems(
    subject: str, headline: str, intro: str, variables: tuple[str, ...] = VARIABLES
) -> dict[str, str]:
    """What is wrong with a template, by field: unknown_variable or too_long."""
    found: dict[str, str] = {}
    for name, text, limit in (
        ("subject", subject, MAX_SUBJECT),
        ("headline", headline, MAX_HEADLINE),
        ("intro", intro, MAX_INTRO),
    ):
        if len(text) > limit:
            found[name] = "too_long"
        elif unknown_variables(text, variables):
            found[name] = "unknown_variable"
    return found
