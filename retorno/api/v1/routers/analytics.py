"""Analytics API: the figures of the staff's analytics pages, for the key's store, as JSON or
(`?format=csv`) as the CSV the pages export. Definitions: docs/analytics.md.

A key with the `read` scope whose role may read the analytics (analysts and those who lead, as
on the pages) may call them; they change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from ninja import Query, Router, Schema
from pydantic import Field

from retorno.accounts.models import ApiKey
from retorno.accounts.selectors import api_key_role
from retorno.analytics import evidence, fit, returns, suppliers
from retorno.analytics.scope import Scope, scope_from_params
from retorno.analytics.tables import Table
from retorno.api.v1.auth import require_scope
from retorno.api.v1.periods import PeriodFields, PeriodOut
from retorno.api.v1.routers.common import ERRORS
from retorno.core.errors import PermissionDenied
from retorno.domain.analytics.rates import Rate
from retorno.domain.staff import ADMIN, ANALYST, MANAGER, OWNER

router = Router(tags=["analytics"])

# The roles the pages let in (`analytics_view` in retorno.backoffice.permissions, which the API
# may not import): analysts and those who lead.
READERS = frozenset({OWNER, ADMIN, MANAGER, ANALYST})

CSV_RESPONSE = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


class PeriodQuery(PeriodFields):
    format: Literal["json", "csv"] = "json"


class BreakdownQuery(PeriodQuery):
    dimension: Literal[
        "product",
        "variant",
        "category",
        "supplier",
        "reason",
        "tier",
        "region",
        "carrier",
        "resolution",
        "channel",
    ]
    limit: int = Field(50, ge=1, le=500)


class RateOut(Schema):
    value: float | None = Field(description="The ratio; null when there is not enough data.")
    percent: float | None
    enough: bool


class TotalsOut(Schema):
    returns: int
    orders_returned: int
    units_returned: int
    value_returned: str
    orders_sold: int
    units_sold: int
    value_sold: str
    rate_orders: RateOut
    rate_units: RateOut
    rate_value: RateOut


class OverviewOut(Schema):
    period: PeriodOut
    previous_period: PeriodOut
    currency: str
    current: TotalsOut
    previous: TotalsOut
    change: dict[str, float | None] = Field(
        description="Each rate's change from the previous period (0.015 is 1.5 points)."
    )


class BreakdownRowOut(Schema):
    key: str
    label: str
    returns: int
    orders_returned: int
    units_returned: int
    value_returned: str
    share_units: RateOut
    orders_sold: int | None
    units_sold: int | None
    value_sold: str | None
    rate_orders: RateOut | None
    rate_units: RateOut | None
    rate_value: RateOut | None
    filter: dict[str, str] = Field(description="The returns queue's filters for these returns.")


class BreakdownOut(Schema):
    period: PeriodOut
    currency: str
    dimension: str
    total_rows: int
    units_returned: int
    rows: list[BreakdownRowOut]


class ProductFitOut(Schema):
    product: str
    title: str
    n_small: int
    n_large: int
    n: int
    fit_index: float | None
    p_value: float | None
    fit: Literal["runs_small", "runs_large", ""]
    flagged: bool
    items: int
    kept_sizes: dict[str, str]
    filter: dict[str, str]


class FitOut(Schema):
    period: PeriodOut
    products: list[ProductFitOut]


class ProductDefectsOut(Schema):
    product: str
    title: str
    units_returned: int
    defects: int


class SupplierQualityOut(Schema):
    supplier: str
    name: str
    units_sold: int
    units_returned: int
    defects: int
    defect_rate: RateOut
    threshold: float = Field(description="The supplier's defect-rate threshold (a fraction).")
    over_threshold: bool
    return_rate: RateOut = Field(description="Units returned ÷ units sold.")
    return_rate_threshold: float | None = Field(
        description="The return-rate threshold the store set for the supplier; null for none."
    )
    over_return_rate_threshold: bool
    rtv_deadline_at: datetime | None
    rtv_days_left: int | None
    products: list[ProductDefectsOut]
    filter: dict[str, str]


class SuppliersOut(Schema):
    period: PeriodOut
    suppliers: list[SupplierQualityOut]


# --- serialising ---------------------------------------------------------------------------------


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rate_body(figure: Rate | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {"value": _num(figure.value), "percent": _num(figure.percent), "enough": figure.enough}


def period_body(scope: Scope) -> dict[str, Any]:
    p = scope.period
    return {"from": p.start, "to": p.end, "days": p.days, "basis": p.basis.value}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def totals_body(t: returns.Totals) -> dict[str, Any]:
    return {
        "returns": t.returns,
        "orders_returned": t.orders_returned,
        "units_returned": t.units_returned,
        "value_returned": _money(t.value_returned),
        "orders_sold": t.orders_sold,
        "units_sold": t.units_sold,
        "value_sold": _money(t.value_sold),
        "rate_orders": rate_body(t.rate_orders),
        "rate_units": rate_body(t.rate_units),
        "rate_value": rate_body(t.rate_value),
    }


def overview_body(o: returns.Overview) -> dict[str, Any]:
    return {
        "period": period_body(o.scope),
        "previous_period": period_body(o.scope.previous()),
        "currency": o.scope.store.currency,
        "current": totals_body(o.current),
        "previous": totals_body(o.previous),
        "change": {name: _num(value) for name, value in o.changes.items()},
    }


def breakdown_body(b: returns.Breakdown) -> dict[str, Any]:
    return {
        "period": period_body(b.scope),
        "currency": b.scope.store.currency,
        "dimension": b.dimension,
        "total_rows": b.total_rows,
        "units_returned": b.units_returned,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "returns": r.returns,
                "orders_returned": r.orders_returned,
                "units_returned": r.units_returned,
                "value_returned": _money(r.value_returned),
                "share_units": rate_body(r.share_units),
                "orders_sold": r.orders_sold,
                "units_sold": r.units_sold,
                "value_sold": _money(r.value_sold),
                "rate_orders": rate_body(r.rate_orders),
                "rate_units": rate_body(r.rate_units),
                "rate_value": rate_body(r.rate_value),
                "filter": r.filter,
            }
            for r in b.rows
        ],
    }


def fit_body(report: fit.FitReport) -> dict[str, Any]:
    return {
        "period": period_body(report.scope),
        "products": [
            {
                "product": p.product,
                "title": p.title,
                "n_small": p.figure.n_small,
                "n_large": p.figure.n_large,
                "n": p.figure.n,
                "fit_index": _num(p.figure.index),
                "p_value": p.figure.p_value,
                "fit": p.figure.fit.value,
                "flagged": p.figure.flagged,
                "items": p.items,
                "kept_sizes": p.kept_sizes,
                "filter": p.filter,
            }
            for p in report.products
        ],
    }


def suppliers_body(report: suppliers.SupplierReport) -> dict[str, Any]:
    return {
        "period": period_body(report.scope),
        "suppliers": [
            {
                "supplier": s.supplier,
                "name": s.name,
                "units_sold": s.units_sold,
                "units_returned": s.units_returned,
                "defects": s.defects,
                "defect_rate": rate_body(s.defect_rate),
                "threshold": float(s.threshold),
                "over_threshold": s.over_threshold,
                "return_rate": rate_body(s.return_rate),
                "return_rate_threshold": _num(s.return_threshold),
                "over_return_rate_threshold": s.over_return_threshold,
                "rtv_deadline_at": s.rtv_deadline_at,
                "rtv_days_left": s.rtv_days_left,
                "products": [p.__dict__ for p in s.products],
                "filter": s.filter,
            }
            for s in report.suppliers
        ],
    }


def csv_response(figures: Table, name: str) -> HttpResponse:
    response = HttpResponse(figures.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def analytics_key(request: HttpRequest) -> ApiKey:
    """The key, if it may read the analytics: the `read` scope and a role the pages let in
    (the role of the key's maker, retorno.accounts.selectors.api_key_role)."""
    api_key = require_scope(request, "read")
    if api_key_role(api_key) not in READERS:
        raise PermissionDenied(
            "The role of this key's maker may not read the analytics.", code="role_not_allowed"
        )
    return api_key


class FiguresQuery(Protocol):
    """What a figures operation is asked: a format and the period's parameters."""

    @property
    def format(self) -> str: ...

    def params(self) -> dict[str, str]: ...


def analytics_scope(request: HttpRequest, query: FiguresQuery) -> Scope:
    api_key = analytics_key(request)
    return scope_from_params(store=api_key.store, params=query.params(), now=timezone.now())


class HasTable(Protocol):
    """What a figures selector returns: figures that are also a table."""

    def table(self) -> Table: ...


F = TypeVar("F", bound=HasTable)


def figures_get(router: Router, path: str, out: type[Schema], summary: str) -> Any:
    """Registers a GET of figures: JSON in `out`, or its table as CSV (`?format=csv`), with
    the API's errors declared."""
    return router.get(
        path,
        response={200: out, **ERRORS},
        by_alias=True,
        summary=summary,
        openapi_extra=CSV_RESPONSE,
    )


def figures_answer(
    request: HttpRequest,
    query: FiguresQuery,
    name: str,
    compute: Callable[[Scope], F],
    body: Callable[[F], dict[str, Any]],
    *,
    table: Callable[[F], Table] | None = None,
) -> Any:
    """The figures of the key's store for the query's period: `body` of them as JSON, or their
    table (`table` of them, else `.table()`) as `<name>.csv` when the query asks for CSV."""
    figures = compute(analytics_scope(request, query))
    if query.format == "csv":
        return csv_response(table(figures) if table else figures.table(), name)
    return body(figures)


# --- operations ----------------------------------------------------------------------------------


@figures_get(router, "/overview", OverviewOut, "Return rate of a period, with the previous period")
def overview(request: HttpRequest, query: Query[PeriodQuery]):
    """Units, orders and value returned and sold in the period and in the one before, and the
    return rate by each (null when fewer than 30 were sold)."""
    return figures_answer(request, query, "overview", returns.overview, overview_body)


@figures_get(
    router,
    "/breakdown",
    BreakdownOut,
    "Returns per product, variant, category, supplier, reason, tier, region, carrier, "
    "resolution or channel",
)
def breakdown(request: HttpRequest, query: Query[BreakdownQuery]):
    """Rows most units returned first, with the rates against what was sold where the
    dimension has sales, and each row's share of the units returned."""
    return figures_answer(
        request,
        query,
        f"breakdown-{query.dimension}",
        lambda scope: returns.breakdown(scope, query.dimension, limit=query.limit),
        breakdown_body,
    )


@figures_get(router, "/fit", FitOut, "Runs small / runs large per product")
def fit_index(request: HttpRequest, query: Query[PeriodQuery]):
    """Products with sized items returned, flagged ones first: the fit index, the binomial
    test's p-value and the size shoppers exchanged each returned size for."""
    return figures_answer(request, query, "fit", fit.fit_report, fit_body)


@figures_get(
    router,
    "/suppliers",
    SuppliersOut,
    "Supplier quality: confirmed defects and return-to-vendor deadlines",
)
def supplier_quality(request: HttpRequest, query: Query[PeriodQuery]):
    """Suppliers over their defect threshold first; a defect counts only when inspection
    confirmed it."""
    return figures_answer(
        request,
        query,
        "suppliers",
        lambda scope: suppliers.supplier_report(scope, now=timezone.now()),
        suppliers_body,
    )


class EvidenceQuery(PeriodFields):
    format: Literal["csv", "pdf"] = "csv"
    lang: Literal["es", "en"] | None = Field(
        None, description="The PDF's language; the store's by default."
    )


@router.get(
    "/suppliers/{supplier}/evidence",
    response={200: str, **ERRORS},
    by_alias=True,
    summary="A supplier's evidence pack as CSV or PDF",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                }
            }
        }
    },
)
def supplier_evidence(request: HttpRequest, supplier: str, query: Query[EvidenceQuery]):
    """Every confirmed defect of the supplier in the period: the return, the shopper's reason
    and comment, the grade, whether the inspector confirmed the reason, the inspector's notes
    and the photos. `?format=pdf`: the pack as a PDF, with the supplier's totals (units sold and
    returned, rates and thresholds) and its reasons. 404 `supplier_not_found`."""
    api_key = analytics_key(request)
    scope = scope_from_params(store=api_key.store, params=query.params(), now=timezone.now())
    name = f"evidence-{slugify(supplier)[:60] or 'supplier'}"
    if query.format == "pdf":
        pack = evidence.evidence_pack(scope, supplier[:120], now=timezone.now())
        language = query.lang or (
            api_key.store.default_language if api_key.store.default_language == "es" else "en"
        )
        response = HttpResponse(
            evidence.render_evidence_pdf(pack, language=language), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return csv_response(suppliers.supplier_evidence(scope, supplier[:120]), name)
