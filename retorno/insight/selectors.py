"""Insight reads, always for one store: predictions of a return, returns by predicted reason,
and the comment-insight panel (top phrases per product and reason)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from retorno.domain.insight.classifier import Prediction
from retorno.domain.insight.model import LinearModel
from retorno.insight import classifying
from retorno.insight.models import CommentPrediction, StoreModel
from retorno.stores.models import Store


def predictions_for_return(*, store: Store, return_id: int) -> dict[int, CommentPrediction]:
    """The predictions of a return's items, by return item id."""
    rows = CommentPrediction.objects.filter(store=store, return_id=return_id)
    return {row.return_item_id: row for row in rows}


def predictions_for_returns(
    *, store: Store, return_ids: list[int]
) -> dict[int, list[CommentPrediction]]:
    """The predictions of several returns (one query), by return id."""
    found: dict[int, list[CommentPrediction]] = {}
    rows = CommentPrediction.objects.filter(store=store, return_id__in=return_ids).order_by(
        "return_item_id"
    )
    for row in rows:
        found.setdefault(row.return_id, []).append(row)
    return found


def return_ids_predicted(
    *, store: Store, reason: str = "", mismatch: bool = False
) -> QuerySet[CommentPrediction, dict[str, Any]]:
    """Ids of the store's returns with an item whose comment was answered `reason` (not an
    abstention), or whose comment contradicts the picked reason: a subquery for queue filters."""
    rows = CommentPrediction.objects.filter(store=store, abstained=False)
    if reason:
        rows = rows.filter(reason=reason)
    if mismatch:
        rows = rows.filter(mismatch=True)
    return rows.values("return_id")


def active_store_model(*, store: Store) -> StoreModel | None:
    return StoreModel.objects.filter(store=store, active=True).first()


@dataclass
class PhraseGroup:
    """Comments of one product answered one reason, and the phrases that said so most."""

    product_key: str
    product_title: str
    reason: str
    comments: int = 0
    picked_otherwise: int = 0
    phrases: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class CommentInsight:
    groups: list[PhraseGroup]
    comments: int
    abstained: int
    mismatches: int
    by_reason: list[tuple[str, int]]


PANEL_ROWS = 5000
PHRASES_PER_GROUP = 5


def comment_insight_for_store(
    *,
    store: Store,
    since: datetime,
    reason: str = "",
    product: str = "",
    limit: int = 30,
) -> CommentInsight:
    """Top phrases per product and reason over the comments written since `since` (the most
    recent PANEL_ROWS at most), the largest groups first. Two queries."""
    rows = CommentPrediction.objects.filter(store=store, commented_at__gte=since)
    if product:
        rows = rows.filter(product_key=product)
    counts = Counter(rows.filter(abstained=False).values_list("reason", flat=True))
    recent = rows.order_by("-commented_at", "-id").values_list(
        "product_key",
        "product_title",
        "reason",
        "picked_reason",
        "abstained",
        "mismatch",
        "phrases",
    )[:PANEL_ROWS]
    groups: dict[tuple[str, str], PhraseGroup] = {}
    phrase_counts: dict[tuple[str, str], Counter[str]] = {}
    total = abstained = mismatches = 0
    for key, title, answer, picked, was_abstained, mismatch, phrases in recent:
        total += 1
        mismatches += bool(mismatch)
        if was_abstained:
            abstained += 1
            continue
        if reason and answer != reason:
            continue
        group = groups.setdefault((key, answer), PhraseGroup(key, title, answer))
        group.comments += 1
        group.picked_otherwise += picked != answer
        phrase_counts.setdefault((key, answer), Counter()).update(set(phrases or []))
    for group_key, group in groups.items():
        group.phrases = phrase_counts[group_key].most_common(PHRASES_PER_GROUP)
    ordered = sorted(groups.values(), key=lambda g: (-g.comments, g.product_title, g.reason))
    return CommentInsight(
        groups=ordered[:limit],
        comments=total,
        abstained=abstained,
        mismatches=mismatches,
        by_reason=sorted(counts.items(), key=lambda item: (-item[1], item[0])),
    )


def model_for_store(store_id: int) -> LinearModel:
    """The store's active model, or the shipped one."""
    version = (
        StoreModel.objects.filter(store_id=store_id, active=True)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        return classifying.shipped_model()
    cached = classifying.cached_store_model(version)
    if cached is not None:
        return cached
    artefact = StoreModel.objects.get(version=version).artefact
    return classifying.model_from_artefact(artefact)


def comment_classification(*, store_id: int, text: str, language: str | None) -> Prediction:
    """The reason a comment gives, under the store's model (or the shipped one). Nothing is
    stored."""
    return classifying.classify_comment(text, language=language, model=model_for_store(store_id))
