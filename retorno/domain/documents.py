"""What every configuration document (policy, allocation rules, dispositions, checklists) shares:
errors that name the exact field, collected so the author sees every problem at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from retorno.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a document. `field` is a path such as "rules[2].then.window_days"
    ("" for the document itself)."""

    field: str
    message: str


class DocumentError(DomainError):
    """An invalid document. `errors` lists every problem found, in document order."""

    def __init__(
        self, errors: Iterable[FieldError], *, code: str, intro: str = "The document is invalid"
    ) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        summary = "; ".join(
            f"{error.field or 'document'}: {error.message}" for error in self.errors
        )
        super().__init__(f"{intro}: {summary}", code=code)


def field_path(parts: Iterable[str | int]) -> str:
    """A JSON path people read: `rules[2].then.window_days`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def unknown_or_missing_fields(error: Any) -> list[FieldError] | None:
    """The errors of a jsonschema `additionalProperties` or `required` failure, one per field
    named; None for any other kind of failure (the caller explains those)."""
    where = list(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        return [
            FieldError(field_path([*where, key]), "is not a known field")
            for key in sorted(str(key) for key in instance if key not in known)
        ]
    if error.validator == "required" and isinstance(instance, dict):
        return [
            FieldError(field_path([*where, key]), "is required")
            for key in error.validator_value
            if key not in instance
        ]
    return None
