"""Money: refunds (list, preview, execute, retry, mark paid), charges (list, read, retry, mark
paid), store credit, claims, keep-the-item.

Every operation works inside the API key's store; another store's refund, charge, return, claim
or customer is a 404. Amounts are strings in the currency's minor unit ("12.50").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from retorno.api.v1.auth import actor_of, require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.core.idempotency import idempotent
from retorno.domain.money import quantize
from retorno.money import selectors as money_selectors
from retorno.money.models import Charge, ChargeKind, ClaimReason, ClaimResolution, Refund
from retorno.money.services import charges as money_charges
from retorno.money.services import refunds as money_refunds
from retorno.money.services import store_credit as money_credit
from retorno.returns.selectors import return_get_for_store
from retorno.returns.workflows import charges as charge_flow
from retorno.returns.workflows import claims as claim_services
from retorno.returns.workflows import refunds as refund_flow
from retorno.returns.workflows import resolving as resolve_flow

router = Router(tags=["money"])

AmountText = Annotated[
    str,
    Field(
        max_length=24,
        pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$",
        description="An amount as a string, e.g. 12.50.",
    ),
]
Note = Annotated[str, Field(max_length=2000)]


class CapOut(Schema):
    code: str
    line: str | None
    message: str


class PreviewItemOut(Schema):
    line: str
    units: int
    gross_amount: str
    discount_amount: str
    tax_amount: str
    deduction_amount: str
    deduction_reason_code: str
    deduction_message: str
    restocking_fee: str
    net_amount: str


class PreviewOut(Schema):
    rma: str
    destination: str
    refundable: bool
    currency: str
    timing: str
    items: list[PreviewItemOut]
    items_gross: str
    items_deduction: str
    items_restocking_fee: str
    items_net: str
    shipping_refund_amount: str
    return_shipping_fee_charged: str
    return_shipping_fee_uncharged: str
    tax_amount: str
    refundable_remaining: str
    total_amount: str
    caps: list[CapOut]


class RefundLineOut(Schema):
    line: str
    units: int
    gross_amount: str
    deduction_amount: str
    deduction_reason_code: str
    deduction_message: str
    restocking_fee_amount: str
    net_amount: str


class PaymentAttemptOut(Schema):
    """What refunds and charges share: one payment attempt through the store's adapter."""

    id: int
    rma: str
    order: str
    kind: str
    state: str
    attempt: int
    idempotency_key: str
    currency: str
    amount: str
    provider: str
    provider_reference: str
    awaiting_manual: bool
    last_error: str
    created_at: str
    succeeded_at: str | None
    failed_at: str | None


class RefundOut(PaymentAttemptOut):
    claim: str | None
    destination: str
    sequence: int
    bonus_amount: str
    items_amount: str
    deduction_amount: str
    restocking_fee_amount: str
    shipping_amount: str
    return_shipping_fee_amount: str
    tax_amount: str
    lines: list[RefundLineOut]


class RefundListOut(Schema):
    results: list[RefundOut]
    # The next page of the store's list; a return's own refunds come in one answer (None).
    next_cursor: str | None = None


class RefundFilters(Schema):
    state: str | None = Field(None, pattern=r"^(pending|succeeded|failed)$")
    rma: str | None = Field(None, max_length=24)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class ChargeOut(PaymentAttemptOut):
    exchange: str
    exchange_state: str
    refunded_amount: str
    note: str
    refunds: list[int]


class ChargeListOut(Schema):
    results: list[ChargeOut]


class ChargeFilters(Schema):
    state: str | None = Field(None, pattern=r"^(pending|succeeded|failed)$")
    kind: str | None = Field(None, pattern=rf"^({'|'.join(ChargeKind.values)})$")
    rma: str | None = Field(None, max_length=24)
    limit: int = Field(50, ge=1, le=200)


class RefundExecuteIn(Schema):
    amount: AmountText | None = Field(
        None,
        description="An agent's amount instead of the previewed one (never above what is left).",
    )
    refund_shipping: bool | None = Field(
        None, description="Refund the outbound shipping (once per order); default: the policy."
    )
    note: Note = ""


class MarkPaidIn(Schema):
    reference: Annotated[str, Field(min_length=1, max_length=200)]


class NoteOnlyIn(Schema):
    note: Note = ""


class CreditEntryOut(Schema):
    entry_id: str
    kind: str
    amount: str
    expires_at: str | None
    target_entry_id: str
    created_at: str


class StoreCreditOut(Schema):
    customer: str
    currency: str
    balance: str
    entries: list[CreditEntryOut]


class SpendIn(Schema):
    amount: AmountText
    entry_id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


class ClaimIn(Schema):
    order: Annotated[str, Field(min_length=1, max_length=120)]
    reason: str = Field(description=f"One of: {', '.join(ClaimReason.values)}.", max_length=40)
    lines: dict[Annotated[str, Field(max_length=120)], Annotated[int, Field(ge=1, le=100_000)]] = (
        Field(..., min_length=1, max_length=100)
    )
    description: Annotated[str, Field(max_length=4000)] = ""
    photos: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=20)] = []


class ClaimResolveIn(Schema):
    resolution: str = Field(
        description=f"One of: {', '.join(ClaimResolution.values)}.", max_length=12
    )
    amount: AmountText | None = None
    destination: str = Field("original_payment", pattern=r"^(original_payment|store_credit)$")
    note: Note = ""


class ClaimLineOut(Schema):
    line: str
    units: int


class ClaimOut(Schema):
    number: str
    order: str
    reason: str
    state: str
    resolution: str
    description: str
    resolution_note: str
    photos: list[str]
    lines: list[ClaimLineOut]
    refunds: list[int]
    created_at: str
    resolved_at: str | None


class ClaimListOut(Schema):
    results: list[ClaimOut]
    next_cursor: str | None


# --- bodies --------------------------------------------------------------------------------------


def _money(value: Any, currency: str) -> str:
    return str(quantize(Decimal(value), currency))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def attempt_body(row: Refund | Charge) -> dict[str, Any]:
    """The fields of PaymentAttemptOut, the same for a refund and a charge."""
    return {
        "id": row.id,
        "rma": row.rma,
        "order": row.order.external_id,
        "kind": row.kind,
        "state": row.state,
        "attempt": row.attempt,
        "idempotency_key": row.idempotency_key,
        "currency": row.currency,
        "amount": _money(row.amount, row.currency),
        "provider": row.provider,
        "provider_reference": row.provider_reference,
        "awaiting_manual": row.awaiting_manual,
        "last_error": row.last_error,
        "created_at": row.created_at.isoformat(),
        "succeeded_at": _iso(row.succeeded_at),
        "failed_at": _iso(row.failed_at),
    }


def refund_body(refund: Refund) -> dict[str, Any]:
    c = refund.currency
    return {
        **attempt_body(refund),
        "claim": refund.claim.number if refund.claim is not None else None,
        "destination": refund.destination,
        "sequence": refund.sequence,
        **{
            name: _money(getattr(refund, name), c)
            for name in (
                "bonus_amount",
                "items_amount",
                "deduction_amount",
                "restocking_fee_amount",
                "shipping_amount",
                "return_shipping_fee_amount",
                "tax_amount",
            )
        },
        "lines": [
            {
                "line": line.order_line.external_id,
                "units": line.units,
                "gross_amount": _money(line.gross_amount, c),
                "deduction_amount": _money(line.deduction_amount, c),
                "deduction_reason_code": line.deduction_reason_code,
                "deduction_message": line.deduction_message,
                "restocking_fee_amount": _money(line.restocking_fee_amount, c),
                "net_amount": _money(line.net_amount, c),
            }
            for line in refund.lines.all()
        ],
    }


def charge_body(charge: Charge) -> dict[str, Any]:
    c = charge.currency
    refunds = list(charge.refunds.all())
    return {
        **attempt_body(charge),
        "exchange": charge.exchange.number,
        "exchange_state": charge.exchange.state,
        "refunded_amount": _money(sum((r.amount for r in refunds), Decimal(0)), c),
        "note": charge.note,
        "refunds": [r.id for r in refunds],
    }


def claim_body(claim: Any) -> dict[str, Any]:
    return {
        "number": claim.number,
        "order": claim.order.external_id,
        "reason": claim.reason,
        "state": claim.state,
        "resolution": claim.resolution,
        "description": claim.description,
        "resolution_note": claim.resolution_note,
        "photos": [photo.path for photo in claim.photos.all()],
        "lines": [
            {"line": cl.order_line.external_id, "units": cl.units} for cl in claim.lines.all()
        ],
        "refunds": [refund.id for refund in claim.refunds.all()],
        "created_at": claim.created_at.isoformat(),
        "resolved_at": _iso(claim.resolved_at),
    }


def _refund(request: HttpRequest, store: Any, refund_id: int) -> dict[str, Any]:
    return refund_body(money_selectors.refund_get_for_store(store=store, refund_id=refund_id))


# --- refunds -------------------------------------------------------------------------------------


@router.get("/refunds", response={200: RefundListOut, **ERRORS}, summary="List refunds")
def refund_list(request: HttpRequest, filters: Query[RefundFilters]):
    """Newest first; filter by state (pending, succeeded, failed) or RMA; follow `next_cursor`
    for older refunds (a refund made meanwhile is newer than every cursor: never skipped or
    repeated)."""
    api_key = require_scope(request, "read")
    page = money_selectors.refund_list_for_store(
        store=api_key.store,
        state=filters.state,
        rma=filters.rma,
        limit=filters.limit,
        cursor=filters.cursor,
    )
    return {"results": [refund_body(r) for r in page.results], "next_cursor": page.next_cursor}


@router.get("/refunds/{refund_id}", response={200: RefundOut, **ERRORS}, summary="Read a refund")
def refund_get(request: HttpRequest, refund_id: int):
    api_key = require_scope(request, "read")
    return _refund(request, api_key.store, refund_id)


@router.post(
    "/refunds/{refund_id}/retry",
    response={200: RefundOut, **WRITE_ERRORS},
    summary="Retry a refund",
)
def refund_retry(request: HttpRequest, refund_id: int):
    """A failed refund is retried with a new idempotency key (the provider confirmed nothing was
    paid); a pending one nobody is sending is re-driven with its same key. 409
    `already_refunded` for a paid refund."""
    api_key = require_scope(request, "write")
    money_refunds.refund_retry(store=api_key.store, refund_id=refund_id, actor=actor_of(api_key))
    return _refund(request, api_key.store, refund_id)


@router.post(
    "/refunds/{refund_id}/mark-paid",
    response={200: RefundOut, **WRITE_ERRORS},
    summary="Record a refund paid by hand",
)
def refund_mark_paid(request: HttpRequest, refund_id: int, payload: MarkPaidIn):
    """For the manual payment adapter: finance paid it and gives the payment's reference."""
    api_key = require_scope(request, "write")
    refund_flow.refund_mark_paid(
        store=api_key.store,
        refund_id=refund_id,
        reference=payload.reference,
        actor=actor_of(api_key),
    )
    return _refund(request, api_key.store, refund_id)


@router.get(
    "/returns/{rma}/refunds/preview",
    response={200: PreviewOut, **ERRORS},
    summary="Preview a return's refund",
)
def refund_preview(request: HttpRequest, rma: str, refund_shipping: bool | None = None):
    """What refunding the return now would pay, per item (fees, deductions, shipping, tax) and
    every cap that applied. Nothing is written."""
    api_key = require_scope(request, "read")
    return refund_flow.refund_preview(store=api_key.store, rma=rma, refund_shipping=refund_shipping)


@router.get(
    "/returns/{rma}/refunds", response={200: RefundListOut, **ERRORS}, summary="A return's refunds"
)
def refund_list_for_return(request: HttpRequest, rma: str):
    api_key = require_scope(request, "read")
    return_request = return_get_for_store(store=api_key.store, rma=rma)
    refunds = money_selectors.refunds_for_return(store=api_key.store, return_id=return_request.id)
    return {"results": [refund_body(r) for r in refunds]}


@router.post(
    "/returns/{rma}/refunds",
    response={201: RefundOut, **WRITE_ERRORS},
    summary="Execute a return's refund",
)
def refund_execute(
    request: HttpRequest,
    rma: str,
    payload: RefundExecuteIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
):
    """Writes the refund of what is refundable now (as the preview shows) and sends it to the
    payment adapter after commit (201, state pending or succeeded). 409 `not_refundable` for a
    rejected, cancelled or undecided return; 422 `nothing_to_refund`, `invalid_amount`,
    `exceeds_refundable`. With an `Idempotency-Key`, a repeat answers the same refund."""
    api_key = require_scope(request, "write")

    def execute() -> tuple[int, dict[str, Any]]:
        refund = refund_flow.refund_execute(
            store=api_key.store,
            rma=rma,
            actor=actor_of(api_key),
            amount=payload.amount,
            refund_shipping=payload.refund_shipping,
            note=payload.note,
        )
        return 201, _refund(request, api_key.store, refund.id)

    status, body = idempotent(
        store_id=api_key.store_id,
        operation=f"refund_execute:{rma}",
        key=idempotency_key,
        payload=payload.model_dump(mode="json"),
        action=execute,
    )
    return Status(status, body)


@router.post(
    "/returns/{rma}/keep-item",
    response={200: RefundListOut, **WRITE_ERRORS},
    summary="Let the shopper keep the items",
)
def keep_item(request: HttpRequest, rma: str, payload: NoteOnlyIn):
    """Refund (or credit) an approved return without anything sent back, when the store's
    keep-the-item rule allows it for every item (422 `keep_item_not_allowed` otherwise)."""
    api_key = require_scope(request, "write")
    return_request = resolve_flow.return_keep_item(
        store=api_key.store, rma=rma, actor=actor_of(api_key), note=payload.note
    )
    refunds = money_selectors.refunds_for_return(store=api_key.store, return_id=return_request.id)
    return {"results": [refund_body(r) for r in refunds]}


# --- charges -------------------------------------------------------------------------------------


def _charge(store: Any, charge_id: int) -> dict[str, Any]:
    return charge_body(money_selectors.charge_get_for_store(store=store, charge_id=charge_id))


@router.get("/charges", response={200: ChargeListOut, **ERRORS}, summary="List charges")
def charge_list(request: HttpRequest, filters: Query[ChargeFilters]):
    """Money taken from shoppers, newest first: a dearer exchange's price difference
    (`exchange_difference`) or an instant exchange whose original never came back
    (`unreturned_item`). Filter by state, kind or RMA."""
    api_key = require_scope(request, "read")
    charges = money_selectors.charge_list_for_store(
        store=api_key.store,
        state=filters.state,
        kind=filters.kind,
        rma=filters.rma,
        limit=filters.limit,
    )
    return {"results": [charge_body(c) for c in charges]}


@router.get("/charges/{charge_id}", response={200: ChargeOut, **ERRORS}, summary="Read a charge")
def charge_get(request: HttpRequest, charge_id: int):
    api_key = require_scope(request, "read")
    return _charge(api_key.store, charge_id)


@router.post(
    "/charges/{charge_id}/retry",
    response={200: ChargeOut, **WRITE_ERRORS},
    summary="Retry a charge",
)
def charge_retry(request: HttpRequest, charge_id: int):
    """A failed charge is retried with a new idempotency key (the provider confirmed nothing was
    taken); a pending one nobody is sending is re-driven with its same key. 409
    `already_charged` for a charge already taken, `charge_in_flight` while it is being sent."""
    api_key = require_scope(request, "write")
    money_charges.charge_retry(store=api_key.store, charge_id=charge_id, actor=actor_of(api_key))
    return _charge(api_key.store, charge_id)


@router.post(
    "/charges/{charge_id}/mark-paid",
    response={200: ChargeOut, **WRITE_ERRORS},
    summary="Record a charge taken by hand",
)
def charge_mark_paid(request: HttpRequest, charge_id: int, payload: MarkPaidIn):
    """For the manual payment adapter: finance took the payment and gives its reference. A
    dearer exchange held for this charge is then sent for fulfilment."""
    api_key = require_scope(request, "write")
    charge_flow.charge_mark_paid(
        store=api_key.store,
        charge_id=charge_id,
        reference=payload.reference,
        actor=actor_of(api_key),
    )
    return _charge(api_key.store, charge_id)


# --- store credit --------------------------------------------------------------------------------


def _wallet_body(view: Any) -> dict[str, Any]:
    currency = view.currency
    return {
        "customer": view.customer.external_id,
        "currency": currency,
        "balance": _money(view.balance, currency),
        "entries": [
            {
                "entry_id": e.entry_id,
                "kind": e.kind,
                "amount": _money(e.amount, currency),
                "expires_at": _iso(e.expires_at),
                "target_entry_id": e.target_entry_id,
                "created_at": e.created_at.isoformat(),
            }
            for e in view.entries
        ],
    }


@router.get(
    "/customers/{external_id}/store-credit",
    response={200: StoreCreditOut, **ERRORS},
    summary="A customer's store credit",
)
def store_credit(request: HttpRequest, external_id: str):
    """The spendable balance (expired credit excluded) and every ledger entry, oldest first."""
    api_key = require_scope(request, "read")
    return _wallet_body(
        money_selectors.wallet_for_customer(store=api_key.store, external_id=external_id)
    )


@router.post(
    "/customers/{external_id}/store-credit/spend",
    response={200: StoreCreditOut, **WRITE_ERRORS},
    summary="Spend store credit",
)
def store_credit_spend(request: HttpRequest, external_id: str, payload: SpendIn):
    """Spend credit at checkout. 422 `insufficient_credit` (the balance never goes negative);
    409 `duplicate_entry` when `entry_id` was already used."""
    api_key = require_scope(request, "write")
    money_credit.wallet_spend(
        store=api_key.store,
        customer_external_id=external_id,
        amount=payload.amount,
        entry_id=f"api-{api_key.store_id}-{payload.entry_id}",
        actor=actor_of(api_key),
    )
    return _wallet_body(
        money_selectors.wallet_for_customer(store=api_key.store, external_id=external_id)
    )


# --- claims --------------------------------------------------------------------------------------


class ClaimFilters(Schema):
    state: str | None = Field(None, pattern=r"^(open|resolved|rejected)$")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


@router.get("/claims", response={200: ClaimListOut, **ERRORS}, summary="List claims")
def claim_list(request: HttpRequest, filters: Query[ClaimFilters]):
    """Newest first; follow `next_cursor` for older claims."""
    api_key = require_scope(request, "read")
    page = money_selectors.claim_list_for_store(
        store=api_key.store, state=filters.state, limit=filters.limit, after=filters.cursor
    )
    return {"results": [claim_body(c) for c in page.results], "next_cursor": page.next_cursor}


@router.post("/claims", response={201: ClaimOut, **WRITE_ERRORS}, summary="Open a claim")
def claim_open(request: HttpRequest, payload: ClaimIn):
    """A damaged, missing or wrong item reported without sending it back, photos as evidence.
    Claim reasons are their own list (not return reasons)."""
    api_key = require_scope(request, "write")
    claim = claim_services.claim_open(
        store=api_key.store,
        order_external_id=payload.order,
        reason=payload.reason,
        lines=dict(payload.lines),
        description=payload.description,
        photos=payload.photos,
        actor=actor_of(api_key),
    )
    return Status(
        201,
        claim_body(money_selectors.claim_get_for_store(store=api_key.store, number=claim.number)),
    )


@router.get("/claims/{number}", response={200: ClaimOut, **ERRORS}, summary="Read a claim")
def claim_get(request: HttpRequest, number: str):
    api_key = require_scope(request, "read")
    return claim_body(money_selectors.claim_get_for_store(store=api_key.store, number=number))


@router.post(
    "/claims/{number}/resolve", response={200: ClaimOut, **WRITE_ERRORS}, summary="Resolve a claim"
)
def claim_resolve(request: HttpRequest, number: str, payload: ClaimResolveIn):
    """By refund (the same refund engine as returns), replacement (stock reserved, an exchange
    order emitted) or both."""
    api_key = require_scope(request, "write")
    claim_services.claim_resolve(
        store=api_key.store,
        number=number,
        resolution=payload.resolution,
        amount=payload.amount,
        destination=payload.destination,
        note=payload.note,
        actor=actor_of(api_key),
    )
    return claim_body(money_selectors.claim_get_for_store(store=api_key.store, number=number))


@router.post(
    "/claims/{number}/reject", response={200: ClaimOut, **WRITE_ERRORS}, summary="Reject a claim"
)
def claim_reject(request: HttpRequest, number: str, payload: NoteOnlyIn):
    api_key = require_scope(request, "write")
    claim_services.claim_reject(
        store=api_key.store, number=number, note=payload.note, actor=actor_of(api_key)
    )
    return claim_body(money_selectors.claim_get_for_store(store=api_key.store, number=number))
