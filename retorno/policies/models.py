"""Versioned return policies. A new document is a new version; old versions are kept forever
because every return records the version it was decided under."""

from __future__ import annotations

from django.db import models

from retorno.stores.models import Store


class PolicyVersion(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="policy_versions")
    version = models.PositiveIntegerField()
    document = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.CharField(
        max_length=200, blank=True, help_text="Who published it (staff user or API key)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["store", "version"], name="uniq_policy_version")
        ]

    def __str__(self) -> str:
        return f"{self.store} policy v{self.version}"
