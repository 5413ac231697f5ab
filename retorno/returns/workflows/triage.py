"""Where returns meet insight: a new return's comments are sent to be classified.

The classification runs in a job (insight's outbox kind), never in the shopper's request: the
handler of `created` only queues it, with the items' facts, in the return's transaction. A
sweeper classifies what a job missed (a comment written before the job existed, a job that
failed for good).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from retorno.insight import services as insight
from retorno.insight.models import CommentPrediction
from retorno.orders.models import Variant
from retorno.returns.events import Recorded
from retorno.returns.models import Return, ReturnItem

SWEEP_AFTER = timedelta(minutes=10)
SWEEP_LIMIT = 500


def comment_facts(items: Iterable[ReturnItem]) -> list[insight.CommentFacts]:
    """The items with a comment, as insight takes them: the product they belong to (by the
    variant's product, else the line's SKU) and the reason the shopper picked."""
    commented = [item for item in items if item.comment.strip()]
    variant_ids = {item.order_line.variant_id for item in commented} - {None}
    products = dict(
        Variant.objects.filter(id__in=variant_ids).values_list("id", "product_id")
        if variant_ids
        else []
    )
    return [
        insight.CommentFacts(
            return_item_id=item.id,
            comment=item.comment,
            picked_reason=item.reason,
            product_key=(
                f"product:{products[item.order_line.variant_id]}"
                if item.order_line.variant_id in products
                else f"sku:{item.order_line.sku}"
            ),
            product_title=item.order_line.title,
        )
        for item in commented
    ]


def _items(return_request: Return) -> list[ReturnItem]:
    prefetched = getattr(return_request, "_prefetched_objects_cache", {})
    items = prefetched.get("items")
    if items is None:
        items = return_request.items.select_related("order_line")
    return list(items)


def on_created(recorded: Recorded) -> None:
    """Handler of `created`: queue the classification of the items' comments, if any."""
    return_request = recorded.return_request
    items = _items(return_request)
    if not any(item.comment.strip() for item in items):
        return
    insight.classification_enqueue(
        store_id=return_request.store_id,
        return_id=return_request.id,
        rma=return_request.rma,
        language=return_request.language,
        items=comment_facts(items),
        commented_at=return_request.created_at,
    )


def return_comments_classify(return_request: Return, *, now: datetime | None = None) -> int:
    """Classify a return's comments at once (the demo, and the sweeper). Returns how many."""
    facts = comment_facts(_items(return_request))
    if not facts:
        return 0
    rows = insight.comments_classify(
        store_id=return_request.store_id,
        return_id=return_request.id,
        rma=return_request.rma,
        language=return_request.language,
        items=facts,
        now=now,
        commented_at=return_request.created_at,
    )
    return len(rows)


def comments_classify_sweep(
    *, now: datetime | None = None, limit: int = SWEEP_LIMIT, store_id: int | None = None
) -> int:
    """Classify the comments of returns created more than SWEEP_AFTER ago that have none
    classified yet (oldest first, at most `limit` returns; of one store with `store_id`).
    Returns how many comments it classified. Safe to run twice at once: the prediction of an
    item is one row, written again with the same answer."""
    now = now or timezone.now()
    # A comment of blanks only is no comment (the job leaves it out): never picked, or returns
    # with such comments would fill every sweep and hold back the rest.
    unclassified = ReturnItem.objects.filter(comment__regex=r"\S").filter(
        ~Exists(
            CommentPrediction.objects.filter(
                store_id=OuterRef("return_request__store_id"), return_item_id=OuterRef("pk")
            )
        ),
        return_request__created_at__lte=now - SWEEP_AFTER,
    )
    if store_id is not None:
        unclassified = unclassified.filter(return_request__store_id=store_id)
    return_ids = list(
        unclassified.order_by("return_request_id")
        .values_list("return_request_id", flat=True)
        .distinct()[:limit]
    )
    classified = 0
    for return_request in Return.objects.filter(id__in=return_ids).prefetch_related(
        "items__order_line"
    ):
        classified += return_comments_classify(return_request, now=now)
    return classified


def comments_classify_backlog(
    *, store_id: int | None = None, now: datetime | None = None, batch: int = SWEEP_LIMIT
) -> int:
    """Sweep, `batch` returns at a time, until no comment is left unclassified (a history
    loaded in bulk, a store whose comments predate the jobs): what `retorno comments-sweep`
    runs. Returns how many comments it classified."""
    total = 0
    while swept := comments_classify_sweep(now=now, store_id=store_id, limit=batch):
        total += swept
    return total
