from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something, for the audit trail: kind (system, api_key, staff, shopper, carrier),
    a stable id and a label people can read."""

    kind: str
    id: str = ""
    label: str = ""

    def __str__(self) -> str:
        return self.label or f"{self.kind}:{self.id}"


SYSTEM = Actor(kind="system", id="", label="Retorno")
