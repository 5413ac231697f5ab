"""The analytics rollups: small tables the figures read instead of the history
(docs/analytics.md, "Rollups"). Derived data: `retorno analytics rebuild` writes them again
from the source tables at any time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from retorno.stores.models import Store


class DailyFigure(models.Model):
    """The sums of one store's day for one key of one dimension (`all` has the key ""):
    returned by request day (basis `r`), returned by order day (`o`), or sold (`s`, by order
    day). Amounts in whole ten-thousandths of the store's currency."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=24)
    basis = models.CharField(max_length=1)
    day = models.DateField()
    key = models.CharField(max_length=400)
    returns = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    value = models.BigIntegerField(default=0)
    extra = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index every figure reads by: a store's dimension over a range of days.
            models.UniqueConstraint(
                fields=["store", "dimension", "basis", "day", "key"], name="uniq_daily_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.key} {self.basis} {self.day}"


class OrderContribution(models.Model):
    """The facts an order with returns was last counted from (retorno.domain.analytics.rollups
    `facts_dump`), kept so a change of its returns takes exactly what it added away before
    adding what it adds now. Orders without returns have none: their sales are taken away at
    intake from the order as it was."""

    order_id = models.BigIntegerField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    facts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"order {self.order_id}"


class Label(models.Model):
    """The title shown for a product or variant key (the latest seen)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=24)
    key = models.CharField(max_length=400)
    label = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "dimension", "key"], name="uniq_figure_label")
        ]

    def __str__(self) -> str:
        return self.label


class PendingOrder(models.Model):
    """An order whose returns changed since the rollups last counted it: written in the
    transaction of the change (one row, whatever the number of changes), counted soon after by
    the outbox job `analytics.refresh`, or by the next read of the figures, whichever comes
    first."""

    order_id = models.BigIntegerField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"order {self.order_id}"


class RollupState(models.Model):
    """Which definition of the rows (retorno.domain.analytics.rollups.ROLLUPS_VERSION) a store's
    rollups were last rebuilt with. A store without one, or with an older one, is rebuilt before
    its figures are next read or counted (analytics.rollups.rollups_ready), so an upgrade that
    changes what the rows hold needs no command."""

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveIntegerField()
    rebuilt_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.store_id} v{self.version}"


class SupplierAlert(models.Model):
    """A supplier's rate over the threshold its store set (retorno.domain.analytics.quality):
    opened by the check that saw the crossing and sent once through the outbox; closed when the
    rate is back under, so a later crossing is a new alert."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    supplier = models.CharField(max_length=120, help_text="The vendor, as the orders write it.")
    kind = models.CharField(
        max_length=16, choices=[("return_rate", "Return rate"), ("defect_rate", "Defect rate")]
    )
    rate = models.DecimalField(max_digits=7, decimal_places=4)
    threshold = models.DecimalField(max_digits=5, decimal_places=4)
    window_start = models.DateField()
    window_end = models.DateField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "id"]
        constraints = [
            # One open alert per supplier and kind: a crossing is sent once.
            models.UniqueConstraint(
                fields=["store", "supplier", "kind"],
                condition=models.Q(closed_at__isnull=True),
                name="uniq_open_supplier_alert",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.kind} {self.rate} > {self.threshold}"


class DigestRun(models.Model):
    """One store's weekly digest for the week starting `week_start` (a Monday): written once, in
    the transaction that queues its e-mails (one outbox message per recipient), so the job that
    runs hourly on the store's Monday, or runs twice, or is retried, sends each week once."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    queued_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start", "store"]
        constraints = [
            models.UniqueConstraint(fields=["store", "week_start"], name="uniq_digest_week")
        ]

    def __str__(self) -> str:
        return f"digest {self.store} {self.week_start}"


class DigestOptOut(models.Model):
    """A staff member who chose not to receive a store's weekly digest."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "user"], name="uniq_digest_opt_out")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.store}"
