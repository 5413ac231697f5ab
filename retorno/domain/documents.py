"""What every configuration document (policy, allocation rules, dispositions, checklists) shares:
errors that name the exact field, collected so the author sees every problem at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from retorno.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a document. `field` is a path such as "rules[2].then.window_days"
    ("" for the document itself). `message` is the English the API shows; `code` and `params`
    let a page say it in its own language (a label table keyed by the code), "" where no page
    words it. Two problems are the same when their field and English are."""

    field: str
    message: str
    code: str = dataclasses.field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = dataclasses.field(default=(), compare=False)


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
            FieldError(field_path([*where, key]), "is not a known field", "unknown_field")
            for key in sorted(str(key) for key in instance if key not in known)
        ]
    if error.validator == "required" and isinstance(instance, dict):
        return [
            FieldError(field_path([*where, key]), "is required", "required")
            for key in error.validator_value
            if key not in instance
        ]
    return None


# jsonschema keywords whose failure a page can word itself, with the schema's limit as `limit`.
_WORDED_KEYWORDS = frozenset(
    {"type", "enum", "const", "pattern", "uniqueItems"}
    | {"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"}
)
_LIMITED_KEYWORDS = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"}
)


def schema_field_error(error: Any) -> FieldError:
    """Any other jsonschema failure, its English as jsonschema words it and, for the keywords a
    page can word, the code `schema_<keyword>` (and the limit the schema sets)."""
    keyword = str(error.validator)
    if keyword not in _WORDED_KEYWORDS:
        return FieldError(field_path(list(error.absolute_path)), error.message)
    params = (("limit", str(error.validator_value)),) if keyword in _LIMITED_KEYWORDS else ()
    return FieldError(
        field_path(list(error.absolute_path)), error.message, f"schema_{keyword}", params
    )
