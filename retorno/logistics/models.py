"""Reverse logistics records: carrier accounts, allocation rules, shipments and their tracking.

Logistics sits below returns in the layer order, so a shipment does not point at its return with a
foreign key: it keeps the return's id and RMA as plain, indexed values (like notifications do).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from retorno.core.models import StoreScopedQuerySet
from retorno.domain.logistics import FailedPickupReason, TrackingStatus
from retorno.stores.models import Store


class CarrierKind(models.TextChoices):
    SIMULATOR = "simulator", "Retorno carrier simulator"
    EASYPOST = "easypost", "EasyPost"
    SHIPPO = "shippo", "Shippo"


class CarrierAccount(models.Model):
    """A store's contract with one carrier: how to reach it and what allocation needs to know.

    `config` holds what is not secret (base URL, service level); `credentials_encrypted` holds the
    API key and webhook secret, encrypted at rest (retorno.logistics.crypto). `webhook_code` is
    the account's public, globally unique name in the inbound webhook URL
    (/api/v1/carriers/<webhook_code>/webhooks); `code` is unique within the store and is what
    allocation rules name.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="carrier_accounts")
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=CarrierKind.choices)
    enabled = models.BooleanField(default=True)
    webhook_code = models.SlugField(max_length=100, unique=True)
    config = models.JSONField(default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True)
    # Allocation profile (see retorno.domain.logistics.CarrierProfile).
    capabilities = models.JSONField(default=list, blank=True)
    service_areas = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"country": "ES", "postal_prefixes": ["28"], "postal_ranges": [["08000", '
        '"08999"]]}]; an area without prefixes or ranges serves the whole country.',
    )
    max_weight_grams = models.PositiveIntegerField(default=30_000)
    max_dimensions_cm = models.JSONField(default=list, blank=True, help_text="[120, 80, 80]")
    max_length_plus_girth_cm = models.PositiveIntegerField(null=True, blank=True)
    rates = models.JSONField(
        default=dict,
        blank=True,
        help_text='{"EUR": {"base_amount": "4.90", "per_kg_amount": "0.50"}}',
    )
    transit_days = models.PositiveSmallIntegerField(default=2)
    daily_pickup_capacity = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="uniq_carrier_code_per_store")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AllocationRuleSet(models.Model):
    """One version of a store's allocation rules document (schema in
    retorno.domain.logistics.rules_document). The highest version is in force; older versions
    stay as history, and every shipment records the version it was allocated under."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    document = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["store", "version"], name="uniq_rules_version")
        ]

    def __str__(self) -> str:
        return f"allocation rules v{self.version} of {self.store_id}"


class LogisticsSettings(models.Model):
    """A store's logistics defaults: failed-pickup escalation and the parcel used when a return's
    items have no weight. A store without a row gets the defaults (unsaved)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="+")
    failed_pickups_before_desk = models.PositiveSmallIntegerField(default=2)
    failed_pickups_before_cancel = models.PositiveSmallIntegerField(default=3)
    default_parcel_weight_grams = models.PositiveIntegerField(default=1000)
    default_parcel_dimensions_cm = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"logistics settings of {self.store_id}"


class BookingState(models.TextChoices):
    PENDING = "pending", "Booking"
    BOOKED = "booked", "Booked"
    FAILED = "failed", "No carrier could book it"
    NO_CARRIER = "no_carrier", "No carrier can take it"
    CANCELLED = "cancelled", "Cancelled"
    SUPERSEDED = "superseded", "Replaced by a new booking"


TRACKING_STATUS_CHOICES = [(s.value, s.value) for s in TrackingStatus]
FAILURE_REASON_CHOICES = [(r.value, r.value) for r in FailedPickupReason]


class Shipment(models.Model):
    """One booking of a return's parcel with one carrier (a pickup, a label or a drop-off code).

    A return gets a new shipment (attempt_number + 1) when a failed pickup is re-booked or the
    shopper switches method; the old one is `superseded`. `allocation` is the explained ranking
    the carrier was chosen from; `candidates` the carrier codes still to try, in order, and
    `booking_log` every booking try with its outcome. `status` is the normalised tracking status
    (retorno.domain.logistics.current_status of its events), `status_at` that event's time.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField(db_index=True)
    rma = models.CharField(max_length=24)
    reference = models.CharField(max_length=64, unique=True)
    attempt_number = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(max_length=16)
    carrier_account = models.ForeignKey(
        CarrierAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="shipments"
    )
    booking_state = models.CharField(
        max_length=12, choices=BookingState.choices, default=BookingState.PENDING
    )
    status = models.CharField(max_length=24, choices=TRACKING_STATUS_CHOICES, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    booking_id = models.CharField(max_length=120, blank=True)
    tracking_number = models.CharField(max_length=120, blank=True)
    label_file = models.CharField(max_length=300, blank=True)
    carrier_label_url = models.CharField(max_length=500, blank=True)
    carrier_tracking_url = models.CharField(
        max_length=500, blank=True, help_text="The carrier's public tracking page, if it has one."
    )
    drop_off_code = models.CharField(max_length=64, blank=True)
    pickup_date = models.DateField(null=True, blank=True)
    pickup_window_start = models.DateTimeField(null=True, blank=True)
    pickup_window_end = models.DateTimeField(null=True, blank=True)
    price_amount = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    parcel = models.JSONField(default=dict, blank=True)
    rules_version = models.PositiveIntegerField(null=True, blank=True)
    allocation = models.JSONField(default=dict, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    candidate_index = models.PositiveSmallIntegerField(default=0)
    transient_failures = models.PositiveSmallIntegerField(default=0)
    booking_log = models.JSONField(default=list, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "return_id", "attempt_number"], name="uniq_shipment_attempt"
            ),
            models.UniqueConstraint(
                fields=["carrier_account", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="uniq_tracking_number_per_account",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "booking_state", "status"]),
            models.Index(fields=["store", "rma"]),
            # The staff queue's search by a parcel's tracking number.
            models.Index(fields=["store", "tracking_number"], name="shipment_tracking_number"),
            # The shipment list, newest first, by keyset cursor (created_at, id).
            models.Index(fields=["store", "created_at", "id"], name="shipment_newest_first"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.booking_state in (BookingState.PENDING, BookingState.BOOKED)

    @property
    def price(self) -> Decimal | None:
        return self.price_amount


class TrackingEvent(models.Model):
    """One carrier scan, stored once. `dedupe_key` is the carrier's event id, or the raw status
    and time when the carrier gives none; with the account and tracking number it is unique, so a
    repeated webhook or poll stores nothing new. Events of a tracking number we do not know yet
    (a booking saved after its first webhook) keep `shipment` empty until the booking is saved.
    Unknown raw codes are kept with status `unknown`."""

    carrier_account = models.ForeignKey(CarrierAccount, on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    tracking_number = models.CharField(max_length=120)
    dedupe_key = models.CharField(max_length=200)
    raw_status = models.CharField(max_length=120)
    status = models.CharField(max_length=24, choices=TRACKING_STATUS_CHOICES)
    failure_reason = models.CharField(max_length=32, choices=FAILURE_REASON_CHOICES, blank=True)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier_account", "tracking_number", "dedupe_key"],
                name="uniq_tracking_event",
            )
        ]
        indexes = [models.Index(fields=["shipment", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.raw_status} {self.occurred_at:%Y-%m-%d %H:%M}"


class PickupAttempt(models.Model):
    """The outcome of one pickup of a return, as measured for carrier statistics.
    `attempt_number` counts the return's pickups from 1 (across re-bookings)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="+")
    carrier_account = models.ForeignKey(CarrierAccount, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField()
    attempt_number = models.PositiveSmallIntegerField()
    succeeded = models.BooleanField()
    failure_reason = models.CharField(max_length=32, choices=FAILURE_REASON_CHOICES, blank=True)
    occurred_at = models.DateTimeField()

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "return_id", "attempt_number"], name="uniq_pickup_attempt"
            )
        ]
        indexes = [models.Index(fields=["carrier_account", "occurred_at"])]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else f"failed ({self.failure_reason})"
        return f"return {self.return_id} pickup {self.attempt_number}: {outcome}"


class RecoveryState(models.TextChoices):
    AWAITING_SHOPPER = "awaiting_shopper", "Waiting for the shopper"
    AT_DESK = "at_desk", "At the failed-pickup desk"
    REBOOKED = "rebooked", "Re-booked"
    SWITCHED_TO_DROP_OFF = "drop_off", "Switched to drop-off"
    SWITCHED_TO_LABEL = "label", "Switched to a return label"
    CANCELLED = "cancelled", "Cancelled"
    CLOSED = "closed", "Closed"


OPEN_RECOVERY_STATES = (RecoveryState.AWAITING_SHOPPER, RecoveryState.AT_DESK)


class BookingProblem(models.TextChoices):
    """Why a parcel did not leave when no pickup was even tried (a PickupRecovery's reason
    beside the carriers' failed-pickup reasons)."""

    BOOKING_FAILED = "booking_failed", "No carrier could book it"
    NO_CARRIER = "no_carrier", "No carrier can take it"


RECOVERY_REASON_CHOICES = [*FAILURE_REASON_CHOICES, *BookingProblem.choices]


class PickupRecovery(models.Model):
    """A parcel that did not leave, being recovered. A failed pickup: the shopper was written to
    and may choose a new date, a corrected address or phone, another method or to cancel; after
    enough failures an agent takes it at the failed-pickup desk. A booking no carrier took
    (`reason` booking_failed or no_carrier, no carrier account when none was chosen) goes to the
    desk at once. One per shipment."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    return_id = models.BigIntegerField()
    rma = models.CharField(max_length=24)
    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, related_name="recovery")
    carrier_account = models.ForeignKey(
        CarrierAccount, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    reason = models.CharField(max_length=32, choices=RECOVERY_REASON_CHOICES, blank=True)
    failures = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=20, choices=RecoveryState.choices)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["store", "state", "created_at"]),
            models.Index(fields=["store", "return_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.rma} pickup recovery ({self.state})"
