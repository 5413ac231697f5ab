"""What the insight capability keeps: each classified comment with its prediction, and the
models trained for a store. Returns are referred to by plain ids (ADR 4): insight sits below
the return kernel."""

from __future__ import annotations

from django.db import models

from retorno.core.models import StoreScopedQuerySet
from retorno.stores.models import Store


class CommentPrediction(models.Model):
    """A return item's comment, the reason the shopper picked, and what the classifier read in
    it, with the version of the model that answered. One row per item: classifying again
    replaces it."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField()
    return_item_id = models.BigIntegerField()
    rma = models.CharField(max_length=24)
    product_key = models.CharField(max_length=120, help_text="Product id, or the line's SKU.")
    product_title = models.CharField(max_length=255, blank=True)
    comment = models.TextField(max_length=2000)
    picked_reason = models.CharField(max_length=40)
    reason = models.CharField(max_length=40)
    group = models.CharField(max_length=40)
    confidence = models.FloatField()
    language = models.CharField(max_length=8)
    abstained = models.BooleanField()
    explanation = models.JSONField(default=list, blank=True)
    phrases = models.JSONField(
        default=list, blank=True, help_text="The phrases and words that decided, for panels."
    )
    size_direction = models.SmallIntegerField(default=0)
    model_version = models.CharField(max_length=64)
    mismatch = models.BooleanField(
        default=False, help_text="The comment gives another reason than the one picked."
    )
    classified_at = models.DateTimeField()
    commented_at = models.DateTimeField(
        help_text="When the shopper wrote the comment (the return was asked for)."
    )

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "return_item_id"], name="uniq_prediction_per_item"
            )
        ]
        indexes = [
            models.Index(fields=["store", "return_id"]),
            models.Index(fields=["store", "reason", "classified_at"]),
            models.Index(fields=["store", "commented_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rma} item {self.return_item_id}: {self.reason}"


class StoreModel(models.Model):
    """A classifier trained for one store: the shipped corpus plus the store's own comments,
    with the reason each shopper picked as a weak label. Its evaluation is its own; the shipped
    model's (docs/insight.md) is never touched."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=64, unique=True)
    artefact = models.JSONField()
    active = models.BooleanField(default=False)
    store_examples = models.PositiveIntegerField()
    evaluation = models.JSONField(default=dict, blank=True)
    trained_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store"],
                condition=models.Q(active=True),
                name="one_active_model_per_store",
            )
        ]

    def __str__(self) -> str:
        return self.version
