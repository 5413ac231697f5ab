"""What a team does to many returns at once from the queue: decide them, give them to an agent,
print their labels.

Each return is decided on its own, by the same service as on its page (its own transaction,
lock, events and messages): one that cannot be decided any more (someone else did it first) is
reported with its reason and the others go on, so a bulk action never half-changes a return
and never stops a whole batch for one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from retorno.accounts.selectors import assignable_member
from retorno.core.actors import Actor
from retorno.core.errors import RetornoError, Unprocessable
from retorno.domain.errors import DomainError
from retorno.domain.returns.rma import normalise_rma
from retorno.logistics import selectors as logistics_selectors
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.selectors.queue import returns_by_rma_for_store
from retorno.stores.models import Store

logger = logging.getLogger(__name__)

# A bulk action takes at most this many returns (a page of the queue at its largest).
BULK_MAX = 100
DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class BulkOutcome:
    done: list[str] = field(default_factory=list)
    # (RMA, stable code of why it was left as it was)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _checked(rmas: list[str]) -> list[str]:
    rmas = list(dict.fromkeys(rma.strip() for rma in rmas if rma.strip()))
    if not rmas:
        raise Unprocessable("Choose at least one return.", code="nothing_selected")
    if len(rmas) > BULK_MAX:
        raise Unprocessable(f"Choose at most {BULK_MAX} returns at once.", code="too_many_selected")
    return rmas


def returns_bulk_decide(
    *, store: Store, rmas: list[str], decision: str, actor: Actor, note: str = ""
) -> BulkOutcome:
    """Approve or reject each of these returns as its page would; report those left as they
    were with the service's code (illegal_transition, note_required, return_not_found...)."""
    if decision not in DECISIONS:
        raise Unprocessable(f"Unknown decision {decision!r}.", code="invalid_decision")
    decide = services.return_approve if decision == "approve" else services.return_reject
    outcome = BulkOutcome()
    for rma in _checked(rmas):
        try:
            decide(store=store, rma=rma, actor=actor, note=note)
        except (RetornoError, DomainError) as exc:
            outcome.refused.append((rma, getattr(exc, "code", "") or "refused"))
        else:
            outcome.done.append(rma)
    return outcome


def returns_assign(
    *, store: Store, rmas: list[str], assignee_id: int | None, actor: Actor
) -> BulkOutcome:
    """Give these returns to a staff member of the store who decides returns (None: to nobody).
    Another store's return, or an RMA that does not exist, is reported as not found."""
    rmas = _checked(rmas)
    if assignee_id is not None and assignable_member(store=store, user_id=assignee_id) is None:
        raise Unprocessable(
            "Returns can be assigned to this store's admins and agents only.",
            code="invalid_assignee",
        )
    found = returns_by_rma_for_store(store=store, rmas=rmas)
    with transaction.atomic():
        Return.objects.filter(store=store, id__in=[r.id for r in found]).update(
            assignee_id=assignee_id
        )
    done = [r.rma for r in found]
    missing = [(rma, "return_not_found") for rma in rmas if normalise_rma(rma) not in done]
    logger.info("%s assigned %s to %s", actor.label, ",".join(done), assignee_id)
    return BulkOutcome(done=done, refused=missing)


@dataclass(frozen=True)
class LabelBundle:
    pdf: bytes | None  # every stored label, one after the other; None when there is none
    included: list[str]
    # (RMA, why not: no_label, carrier_hosted, return_not_found, unreadable)
    left_out: list[tuple[str, str]]


def labels_for_returns(*, store: Store, rmas: list[str], build: bool = True) -> LabelBundle:
    """One PDF with the return labels of these returns, to print in one go. A label only the
    carrier hosts is left out (it opens from the return's page), as is a return without one.
    Without `build`, only which labels would be in it (for the confirmation)."""
    rmas = _checked(rmas)
    found = returns_by_rma_for_store(store=store, rmas=rmas)
    by_rma = {r.rma: r for r in found}
    shipments = logistics_selectors.latest_label_shipments(
        store=store, return_ids=[r.id for r in found]
    )
    writer = PdfWriter()
    included: list[str] = []
    left_out: list[tuple[str, str]] = []
    for rma in rmas:
        return_request = by_rma.get(normalise_rma(rma))
        if return_request is None:
            left_out.append((rma, "return_not_found"))
            continue
        shipment = shipments.get(return_request.id)
        if shipment is None:
            left_out.append((return_request.rma, "no_label"))
            continue
        if not shipment.label_file or not default_storage.exists(shipment.label_file):
            left_out.append((return_request.rma, "carrier_hosted"))
            continue
        if not build or _append_pdf(writer, shipment.label_file):
            included.append(return_request.rma)
        else:
            left_out.append((return_request.rma, "unreadable"))
    if not included or not build:
        return LabelBundle(pdf=None, included=included, left_out=left_out)
    out = io.BytesIO()
    writer.write(out)
    return LabelBundle(pdf=out.getvalue(), included=included, left_out=left_out)


def _append_pdf(writer: PdfWriter, path: str) -> bool:
    try:
        with default_storage.open(path, "rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
            for page in reader.pages:
                writer.add_page(page)
    except (OSError, PdfReadError, ValueError) as exc:
        logger.warning("label %s could not be read: %s", path, exc)
        return False
    return True
