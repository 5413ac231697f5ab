"""Helpers for the warehouse's configuration documents: every problem with its field path.

The policy document uses JSON Schema (jsonschema); these documents are small enough to check by
hand, which keeps this package on the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from retorno.domain.documents import FieldError

_DECIMAL_CHARS = frozenset("0123456789.")


class Collector:
    """Gathers FieldErrors while a document is read, so the author sees all problems at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def mapping(
        self, value: Any, field: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, Any]:
        """`value` if it is an object with only `allowed` keys and every `required` one."""
        if not isinstance(value, dict):
            self.add(field, "must be an object")
            return {}
        allowed_keys = frozenset(allowed)
        for key in value:
            if key not in allowed_keys:
                self.add(_join(field, str(key)), "is not a known field")
        for key in required:
            if key not in value:
                self.add(_join(field, key), "is required")
        return value

    def names(
        self, value: Any, field: str, choices: Iterable[str] | None = None
    ) -> frozenset[str] | None:
        """A non-empty list of distinct non-empty strings (optionally from `choices`)."""
        if not isinstance(value, list) or not value:
            self.add(field, "must be a non-empty list")
            return None
        allowed = frozenset(choices) if choices is not None else None
        result: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.add(f"{field}[{index}]", "must be a non-empty string")
            elif allowed is not None and item not in allowed:
                self.add(
                    f"{field}[{index}]", f"{item!r} is not one of: {', '.join(sorted(allowed))}"
                )
            elif item in result:
                self.add(f"{field}[{index}]", f"{item!r} is listed twice")
            else:
                result.append(item)
        return frozenset(result)

    def decimal(self, value: Any, field: str, *, maximum: Decimal | None = None) -> Decimal | None:
        """A non-negative decimal written as a string ("12.50"); floats are refused."""
        if not isinstance(value, str) or not value or not set(value) <= _DECIMAL_CHARS:
            self.add(field, 'must be a non-negative decimal written as a string, like "12.50"')
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.add(field, f"{value!r} is not a decimal number")
            return None
        if maximum is not None and number > maximum:
            self.add(field, f"must be at most {maximum}")
            return None
        return number

    def text(self, value: Any, field: str, *, max_length: int = 500) -> str | None:
        if not isinstance(value, str) or not value.strip() or len(value) > max_length:
            self.add(field, f"must be a non-empty string of at most {max_length} characters")
            return None
        return value


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key
