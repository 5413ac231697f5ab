"""Reading a store platform's payloads (Shopify's, WooCommerce's) into order intake data: pure
functions; a value that cannot be read raises MappingError naming the field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class MappingError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def parse_time(value: Any, field: str, *, naive_utc: bool = False) -> datetime | None:
    """An ISO 8601 time; one without a zone is refused, or read as UTC with `naive_utc` (the
    `_gmt` fields WooCommerce writes without one)."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(field, f"{value!r} is not a time.") from None
    if parsed.tzinfo is None:
        if not naive_utc:
            raise MappingError(field, f"{value!r} has no time zone.")
        parsed = datetime.fromisoformat(f"{parsed.isoformat()}+00:00")
    return parsed


def amount(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise MappingError(field, f"{value!r} is not an amount.") from None


def require(data: dict[str, Any], key: str, field: str) -> Any:
    value = data.get(key)
    if value in (None, "", []):
        raise MappingError(field, "is missing.")
    return value


def tag_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(t).strip() for t in value if str(t).strip()]
    return [t.strip() for t in str(value or "").split(",") if t.strip()]
