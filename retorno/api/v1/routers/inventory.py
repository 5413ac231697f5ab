"""Warehouse systems' API: the advance notice of units on their way back (JSON, CSV or an X12
180 interchange) and the per-SKU reconciliation of a period's returns (JSON or CSV).
Formats and flags: docs/integrations.md ("Warehouse systems")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS
from retorno.core.errors import Unprocessable
from retorno.core.spreadsheets import csv_lines
from retorno.domain.days import local_day
from retorno.domain.warehouse.advance_notice import CSV_COLUMNS, notice_json, notice_rows, x12_180
from retorno.domain.warehouse.reconciliation import COUNTS, SkuReconciliation
from retorno.returns.selectors import inventory
from retorno.stores.models import Store

router = Router(tags=["warehouse"])

MEDIA = {
    "text/csv": {"schema": {"type": "string"}},
    "application/edi-x12": {"schema": {"type": "string"}},
}


class DaysQuery(Schema):
    from_: Annotated[
        date | None,
        Field(None, alias="from", description="First local day (YYYY-MM-DD); today if left out."),
    ] = None
    to: Annotated[
        date | None, Field(None, description="Last local day, included; `from` if left out.")
    ] = None


class NoticeQuery(DaysQuery):
    rma: Annotated[
        list[Annotated[str, Field(max_length=24)]],
        Field(default=[], max_length=200, description="Only these returns (any approval day)."),
    ] = []
    format: Literal["json", "csv", "x12"] = "json"
    receiver: Annotated[
        str,
        Field(
            "WMS",
            min_length=1,
            max_length=15,
            pattern=r"^[A-Za-z0-9 ._-]+$",
            description="ISA08: the warehouse's interchange id.",
        ),
    ] = "WMS"


class ReconciliationQuery(DaysQuery):
    format: Literal["json", "csv"] = "json"
    flagged: bool = Field(False, description="Only SKUs with a difference.")


class DaysOut(Schema):
    from_: date = Field(alias="from")
    to: date


class ExpectedLineOut(Schema):
    line: str
    sku: str
    title: str
    quantity: int
    reason: str
    unit_value: str
    currency: str


class ExpectedReturnOut(Schema):
    rma: str
    order: str
    approved_at: str
    customer: str
    country: str
    carrier: str
    tracking_number: str
    units: int
    lines: list[ExpectedLineOut]


class NoticeOut(Schema):
    period: DaysOut | None
    returns: list[ExpectedReturnOut]
    units: int


class SkuOut(Schema):
    sku: str
    expected: int
    received: int
    missing: int
    unexpected: int
    inspected: int
    disposed: int
    restocked: int
    stock_moved: int
    sent_to_vendor: int
    outstanding: int
    flags: list[str]


class ReconciliationOut(Schema):
    period: DaysOut
    skus: list[SkuOut]
    flagged: int


def _period(store: Store, query: DaysQuery) -> inventory.Period:
    today = local_day(timezone.now(), store.timezone)
    first = query.from_ or query.to or today
    last = query.to or query.from_ or today
    if last < first:
        raise Unprocessable("`to` is before `from`.", code="invalid_period", field="to")
    if last - first >= timedelta(days=inventory.MAX_DAYS):
        raise Unprocessable(
            f"A period holds at most {inventory.MAX_DAYS} days.", code="period_too_large"
        )
    return inventory.Period(first, last)


def _period_body(period: inventory.Period) -> dict[str, Any]:
    return {"from": period.first, "to": period.last}


def _csv(header: tuple[str, ...], rows: list[list[Any]], name: str) -> HttpResponse:
    response = HttpResponse(
        "".join(csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@router.get(
    "/warehouse/advance-notice",
    response={200: NoticeOut, 204: None, **ERRORS},
    by_alias=True,
    summary="Units on their way back: the advance notice for a warehouse system",
    openapi_extra={"responses": {200: {"content": MEDIA}}},
)
def advance_notice(request: HttpRequest, query: Query[NoticeQuery]):
    """The returns approved on the days asked for (today by default), or the returns named by
    `rma`, with the units still to arrive: approved, not received, not given up as missing.
    `format=csv` is one row per line; `format=x12` an X12 180 interchange (release 004010) with
    one transaction set per return, sender the store's slug and receiver `receiver`; 204 when
    nothing is expected."""
    api_key = require_scope(request, "read")
    store = api_key.store
    period = None if query.rma else _period(store, query)
    returns = inventory.advance_notice_returns(store=store, period=period, rmas=query.rma or None)
    if query.format == "csv":
        return _csv(CSV_COLUMNS, notice_rows(returns), "advance-notice")
    if query.format == "x12":
        if not returns:
            return Status(204, None)
        now = timezone.now()
        text = x12_180(
            returns,
            sender=store.slug,
            receiver=query.receiver,
            control_number=int(now.timestamp()) % 1_000_000_000 or 1,
            now=now,
        )
        response = HttpResponse(text, content_type="application/edi-x12")
        response["Content-Disposition"] = 'attachment; filename="advance-notice.x12"'
        return response
    body = notice_json(returns)
    return {
        "period": _period_body(period) if period else None,
        "returns": body,
        "units": sum(r.units for r in returns),
    }


def _sku_body(row: SkuReconciliation) -> dict[str, Any]:
    counts = row.counts
    return {
        "sku": row.sku,
        **{name: getattr(counts, name) for name in COUNTS},
        "outstanding": row.outstanding,
        "flags": list(row.flags),
    }


@router.get(
    "/warehouse/reconciliation",
    response={200: ReconciliationOut, **ERRORS},
    by_alias=True,
    summary="Per SKU: units expected, received, restocked, sent to the supplier; differences",
    openapi_extra={"responses": {200: {"content": {"text/csv": MEDIA["text/csv"]}}}},
)
def reconciliation(request: HttpRequest, query: Query[ReconciliationQuery]):
    """For the returns approved on the days asked for (today by default; rejected and
    cancelled ones left out), per SKU: units expected, received, given up as missing, arrived
    unannounced, inspected, disposed of, restocked, the stock the inventory events moved, sent
    to the supplier, still outstanding, and the differences flagged (`in_transit`, `missing`,
    `unexpected`, `not_inspected`, `undisposed`, `stock_mismatch`)."""
    api_key = require_scope(request, "read")
    period = _period(api_key.store, query)
    rows = inventory.sku_reconciliation(store=api_key.store, period=period)
    if query.flagged:
        rows = [row for row in rows if row.flags]
    if query.format == "csv":
        header = ("sku", *COUNTS, "outstanding", "flags")
        return _csv(
            header,
            [
                [
                    row.sku,
                    *(getattr(row.counts, n) for n in COUNTS),
                    row.outstanding,
                    " ".join(row.flags),
                ]
                for row in rows
            ],
            "reconciliation",
        )
    return {
        "period": _period_body(period),
        "skus": [_sku_body(row) for row in rows],
        "flagged": sum(1 for row in rows if row.flags),
    }
