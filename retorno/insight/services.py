"""Insight writes: comments classified and kept with their prediction, store models trained.

Classifying a return's comments happens in a job (the outbox kind `insight.classify`), never
in the shopper's request: the return kernel queues it when a return is created, with the facts
of its items, and a sweeper queues what was missed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from retorno.core.errors import Unprocessable
from retorno.core.models import OutboxMessage
from retorno.core.outbox import outbox_enqueue
from retorno.domain.insight.classifier import Prediction
from retorno.domain.insight.model import LinearModel
from retorno.domain.insight.phrases import telling_phrases
from retorno.domain.returns.reasons import REASONS
from retorno.insight import classifying, evaluation, training
from retorno.insight.models import CommentPrediction, StoreModel
from retorno.insight.selectors import model_for_store
from retorno.stores.models import Store

CLASSIFY_KIND = "insight.classify"
MIN_STORE_EXAMPLES = 30
# A store's comments count half as much as the corpus's: the picked reason is a weak label.
STORE_EXAMPLE_WEIGHT = 0.5
# A store model is used only if it stays this close to the recipe on the held-out families.
TOLERATED_DROP = 0.02
STORE_HOLDOUT_EVERY = 5


@dataclass(frozen=True)
class CommentFacts:
    """A return item with a comment, as the return kernel hands it over."""

    return_item_id: int
    comment: str
    picked_reason: str
    product_key: str
    product_title: str = ""


def classification_enqueue(
    *,
    store_id: int,
    return_id: int,
    rma: str,
    language: str,
    items: Sequence[CommentFacts],
    commented_at: datetime | None = None,
) -> None:
    """Queue the classification of a return's comments, in the caller's transaction (one job
    per return, however often it is asked for). Items without a comment are left out.
    `commented_at` is when the return was asked for (default: now)."""
    commented = [item for item in items if item.comment.strip()]
    if not commented:
        return
    outbox_enqueue(
        store_id=store_id,
        kind=CLASSIFY_KIND,
        dedupe_key=f"{CLASSIFY_KIND}:{return_id}",
        payload={
            "return_id": return_id,
            "rma": rma,
            "language": language,
            "commented_at": (commented_at or timezone.now()).isoformat(),
            "items": [asdict(item) for item in commented],
        },
    )


def classification_deliver(message: OutboxMessage) -> dict[str, Any]:
    """Outbox handler of insight.classify."""
    payload = message.payload
    written = payload.get("commented_at")
    rows = comments_classify(
        store_id=message.store_id,
        return_id=int(payload["return_id"]),
        rma=str(payload["rma"]),
        language=str(payload.get("language") or ""),
        items=[CommentFacts(**item) for item in payload["items"]],
        commented_at=datetime.fromisoformat(written) if written else None,
    )
    return {"classified": len(rows), "model_version": rows[0].model_version if rows else ""}


def _phrases(prediction: Prediction) -> list[str]:
    if prediction.abstained:
        return []
    return telling_phrases(prediction.explanation)


def is_mismatch(prediction: Prediction, picked_reason: str) -> bool:
    """The comment clearly gives another reason than the one picked ("other" on either side
    is no contradiction: the shopper said nothing specific, or the comment does not)."""
    return (
        not prediction.abstained
        and prediction.reason != picked_reason
        and "other" not in (prediction.reason, picked_reason)
    )


def comments_classify(
    *,
    store_id: int,
    return_id: int,
    rma: str,
    language: str,
    items: Sequence[CommentFacts],
    now: datetime | None = None,
    commented_at: datetime | None = None,
) -> list[CommentPrediction]:
    """Classify each item's comment with the store's model and keep the prediction (replacing
    an earlier one for the same item), dated `commented_at` (when the return was asked for;
    default: now). Idempotent: running it again writes the same rows."""
    now = now or timezone.now()
    model = model_for_store(store_id)
    rows = []
    with transaction.atomic():
        for item in items:
            prediction = classifying.classify_comment(
                item.comment, model=model, default_language=language[:2] or "en"
            )
            row, _ = CommentPrediction.objects.update_or_create(
                store_id=store_id,
                return_item_id=item.return_item_id,
                defaults={
                    "return_id": return_id,
                    "rma": rma,
                    "product_key": item.product_key[:120],
                    "product_title": item.product_title[:255],
                    "comment": item.comment[:2000],
                    "picked_reason": item.picked_reason,
                    "reason": prediction.reason,
                    "group": prediction.group,
                    "confidence": prediction.confidence,
                    "language": prediction.language,
                    "abstained": prediction.abstained,
                    "explanation": [e.as_dict() for e in prediction.explanation],
                    "phrases": _phrases(prediction),
                    "size_direction": prediction.size_direction,
                    "model_version": prediction.model_version,
                    "mismatch": is_mismatch(prediction, item.picked_reason),
                    "classified_at": now,
                    "commented_at": commented_at or now,
                },
            )
            rows.append(row)
    return rows


# --- a store's own model -------------------------------------------------------------------


def _store_examples(store: Store) -> list[training.Example]:
    """The store's classified comments with the reason the shopper picked (not "other", which
    says nothing), as weak labels."""
    rows = CommentPrediction.objects.filter(store=store).exclude(picked_reason="other")
    examples = []
    for row in rows.only("return_item_id", "comment", "picked_reason", "language").iterator():
        if row.picked_reason not in REASONS or not row.comment.strip():
            continue
        held = int(hashlib.sha256(str(row.return_item_id).encode()).hexdigest()[:8], 16)
        examples.append(
            training.Example(
                id=f"store-{row.return_item_id}",
                family=f"store-{row.return_item_id}",
                language=row.language if row.language in ("es", "en") else "es",
                reason=row.picked_reason,
                text=row.comment,
                split="dev" if held % STORE_HOLDOUT_EVERY == 0 else "train",
                weight=STORE_EXAMPLE_WEIGHT,
            )
        )
    return examples


def _agreement(model: LinearModel, examples: Sequence[training.Example]) -> float | None:
    if not examples:
        return None
    report = training.evaluate(model, examples)
    return round(report.overall.accuracy, 4)


def store_model_train(*, store: Store, now: datetime | None = None) -> StoreModel:
    """Train a model for `store` from the shipped corpus and the store's own comments.

    The candidate is the recipe trained on the corpus's train and dev families plus four fifths
    of the store's comments; it is evaluated on the corpus's held-out test families (the same
    figures as docs/insight.md, which stay the shipped model's) and, for agreement with what
    shoppers picked, on the store's remaining fifth. It becomes the store's active model (then
    trained on the whole corpus and every store comment) only when its held-out accuracy stays
    within TOLERATED_DROP of the recipe's; otherwise it is kept, inactive, with the figures
    that say why. Raises Unprocessable (not_enough_comments) below MIN_STORE_EXAMPLES.
    """
    now = now or timezone.now()
    store_examples = _store_examples(store)
    if len(store_examples) < MIN_STORE_EXAMPLES:
        raise Unprocessable(
            f"{store.slug} has {len(store_examples)} classified comments with a picked reason; "
            f"a store model needs at least {MIN_STORE_EXAMPLES}.",
            code="not_enough_comments",
        )
    corpus = training.load_corpus()
    corpus_training, corpus_test, _ = training.evaluation_sets(corpus)
    store_train = [e for e in store_examples if e.split == "train"]
    store_check = [e for e in store_examples if e.split == "dev"]
    baseline = evaluation.run()
    candidate = LinearModel.from_artefact(
        training.fit(corpus_training + store_train, version="candidate")
    )
    candidate_test = training.evaluate(candidate, corpus_test).overall
    shipped = classifying.shipped_model()
    figures: dict[str, Any] = {
        "corpus_test_accuracy": round(candidate_test.accuracy, 4),
        "corpus_test_precision_answered": round(candidate_test.precision_answered, 4),
        "recipe_corpus_test_accuracy": round(baseline.test.overall.accuracy, 4),
        "store_check_comments": len(store_check),
        "store_check_agreement": _agreement(candidate, store_check),
        "shipped_store_check_agreement": _agreement(shipped, store_check),
        "store_examples": len(store_examples),
    }
    active = candidate_test.accuracy >= baseline.test.overall.accuracy - TOLERATED_DROP
    figures["decision"] = (
        "active: no worse on the held-out families"
        if active
        else "inactive: worse than the shipped recipe on the held-out families"
    )
    number = StoreModel.objects.filter(store=store).count() + 1
    version = f"store-{store.slug}-{number}"
    artefact = training.fit(
        corpus + store_examples,
        version=version,
        trained={"store": store.slug, "store_examples": len(store_examples)},
    )
    with transaction.atomic():
        if active:
            StoreModel.objects.filter(store=store, active=True).update(active=False)
        return StoreModel.objects.create(
            store=store,
            version=version,
            artefact=artefact,
            active=active,
            store_examples=len(store_examples),
            evaluation=figures,
            trained_at=now,
        )
