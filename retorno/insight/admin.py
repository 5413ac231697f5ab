from django.contrib import admin

from retorno.insight.models import CommentPrediction, StoreModel


@admin.register(CommentPrediction)
class CommentPredictionAdmin(admin.ModelAdmin):
    list_display = (
        "rma",
        "store",
        "picked_reason",
        "reason",
        "confidence",
        "abstained",
        "mismatch",
    )
    list_filter = ("reason", "abstained", "mismatch", "language")
    search_fields = ("rma", "product_key", "comment")
    readonly_fields = [field.name for field in CommentPrediction._meta.fields]


@admin.register(StoreModel)
class StoreModelAdmin(admin.ModelAdmin):
    list_display = ("version", "store", "active", "store_examples", "trained_at")
    list_filter = ("active",)
    exclude = ("artefact",)
    readonly_fields = ("version", "store", "store_examples", "evaluation", "trained_at")
