"""The floor's table: one row per floor write (created with `migrate --run-syncdb`)."""

from django.db import models


class FloorRow(models.Model):
    store_id = models.BigIntegerField()
    order_external_id = models.CharField(max_length=120)
    line_external_id = models.CharField(max_length=120)
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "bench"

    def __str__(self) -> str:
        return f"floor row {self.id}"
