"""The queue's returns as a table for a spreadsheet: headings and codes in the staff member's
language, amounts as numbers with their currency beside them, times in the store's zone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from retorno.core import labels
from retorno.core.spreadsheets import csv_lines, xlsx_bytes
from retorno.domain.money import quantize
from retorno.domain.returns.sla import sla_level


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[list[Any]]


def _header() -> list[str]:
    return [
        _("RMA"),
        _("State"),
        _("Timer"),
        _("In this state since"),
        _("Requested"),
        _("Customer"),
        _("Customer e-mail"),
        _("Customer tier"),
        _("Order"),
        _("Reasons"),
        _("Resolution"),
        _("Method"),
        _("Value"),
        _("Currency"),
        _("Assigned to"),
    ]


def _row(r: Any, store_zone: tzinfo, now: datetime) -> list[Any]:
    since = r.in_status_since
    level = sla_level(r.status, now - since)
    reasons = dict.fromkeys(item.reason for item in r.items.all())
    assignee = r.assignee.get_full_name() or r.assignee.get_username() if r.assignee else ""
    return [
        r.rma,
        labels.label("status", r.status),
        labels.label("sla", level.value) if level else "",
        since.astimezone(store_zone),
        r.created_at.astimezone(store_zone),
        r.customer.name,
        r.customer.email,
        labels.tier_label(r.customer.tier) if r.customer.tier else "",
        r.order.number,
        ", ".join(labels.label("reason", code) for code in reasons),
        labels.label("resolution", r.resolution),
        labels.label("method", r.method),
        quantize(r.items_amount, r.currency),
        r.currency,
        assignee,
    ]


def table(returns: Iterable[Any], *, store_zone: tzinfo, now: datetime) -> Table:
    """The header now, the rows as they are read (a CSV streams after the view has returned,
    so the rows keep the request's language themselves)."""
    language = translation.get_language()

    def rows() -> Iterator[list[Any]]:
        with translation.override(language):
            for r in returns:
                yield _row(r, store_zone, now)

    return Table(_header(), rows())


def csv(data: Table) -> Iterator[str]:
    return csv_lines(data.header, data.rows)


def xlsx(data: Table) -> bytes:
    return xlsx_bytes(data.header, data.rows, title=_("Returns"))
