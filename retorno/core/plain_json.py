"""Domain values as plain JSON data: how a decision, its reasons and its trace are stored on a
return and shown by the API, one mapping for both."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def to_json(value: Any) -> Any:
    """Domain values (dataclasses, enums, Decimal, datetimes) as plain JSON data."""
    if is_dataclass(value) and not isinstance(value, type):
        # Field by field rather than dataclasses.asdict, which deep-copies the whole tree first.
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
