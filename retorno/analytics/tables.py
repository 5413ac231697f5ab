"""A figure's table, the one shape the API's CSV and the pages' exports both write."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from retorno.core.spreadsheets import safe_cell
from retorno.domain.analytics.rates import Rate


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([cell(value) for value in row])
        return out.getvalue()


def cell(value: Any) -> Any:
    """Numbers as numbers, a rate as its value (empty when there is not enough data), text made
    safe for spreadsheets."""
    if isinstance(value, Rate):
        return "" if value.value is None else value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    return safe_cell(value)


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    return Table(tuple(columns), tuple(tuple(row) for row in rows))
