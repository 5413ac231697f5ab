"""Analytics API, supplier signals: the thresholds a store sets per supplier and the alerts
their crossings opened (docs/analytics.md, "Supplier quality")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from retorno.analytics import supplier_alerts
from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.analytics import analytics_key
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.warehouse import services as warehouse

router = Router(tags=["analytics"])

Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4)]


class ThresholdsIn(Schema):
    return_rate: Share | None = Field(
        None, description="Alert when units returned ÷ units sold pass this fraction (0.12)."
    )
    defect_rate: Share | None = Field(
        None,
        description="Alert when confirmed defects ÷ units sold pass this fraction; null: the "
        "default threshold.",
    )


class ThresholdsOut(Schema):
    supplier: str
    return_rate: float | None
    defect_rate: float | None


class SupplierAlertOut(Schema):
    id: int
    supplier: str
    kind: str = Field(description="`return_rate` or `defect_rate`.")
    rate: float
    threshold: float
    window_from: date
    window_to: date
    opened_at: datetime


@router.put(
    "/suppliers/{supplier}/thresholds",
    response={200: ThresholdsOut, **WRITE_ERRORS},
    summary="Set a supplier's alert thresholds",
)
def thresholds_set(request: HttpRequest, supplier: str, payload: ThresholdsIn) -> dict[str, Any]:
    """A supplier's return-rate and defect-rate thresholds, as fractions of its units sold. When
    a rate over the last 90 days crosses one, an alert opens (listed by GET
    /analytics/supplier-alerts and on the supplier panel) and the store's owners, admins, managers and analysts
    get one e-mail. Needs the `write` scope. 422 `invalid_supplier`, `invalid_threshold`."""
    api_key = require_scope(request, "write")
    saved = warehouse.supplier_thresholds_set(
        store=api_key.store,
        code=supplier[:120],
        return_rate=payload.return_rate,
        defect_rate=payload.defect_rate,
    )
    return {
        "supplier": saved.code,
        "return_rate": None
        if saved.return_rate_threshold is None
        else float(saved.return_rate_threshold),
        "defect_rate": None
        if saved.defect_rate_threshold is None
        else float(saved.defect_rate_threshold),
    }


@router.get(
    "/supplier-alerts",
    response={200: list[SupplierAlertOut], **ERRORS},
    summary="Suppliers over their thresholds",
)
def alerts_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The open alerts, newest first: each supplier and rate over its threshold, from the last
    check (hourly) until the rate is back under."""
    api_key = analytics_key(request)
    return [
        {
            "id": a.pk,
            "supplier": a.supplier,
            "kind": a.kind,
            "rate": float(a.rate),
            "threshold": float(a.threshold),
            "window_from": a.window_start,
            "window_to": a.window_end,
            "opened_at": a.opened_at,
        }
        for a in supplier_alerts.open_alerts(store=api_key.store)
    ]
