"""A store's Stripe account (its secret key and webhook signing secret, encrypted) and the
events Stripe sent it, kept once per event id."""

from __future__ import annotations

from django.db import models

from retorno.core.models import StoreScopedQuerySet, TimeStampedModel
from retorno.stores.models import Store


class StripeAccount(TimeStampedModel):
    """One Stripe account per store. The secret key and the webhook secret are stored encrypted
    (retorno.core.crypto), never shown again; `webhook_token` names the store in the webhook URL
    (Stripe's events do not say which of our stores they are for)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="stripe_account")
    api_base_url = models.CharField(max_length=500)
    key_encrypted = models.TextField()
    key_hint = models.CharField(max_length=16)
    webhook_secret_encrypted = models.TextField()
    webhook_token = models.CharField(max_length=64, unique=True)
    # The store's payment adapter before it chose Stripe's: it is the store's again when it
    # disconnects.
    fallback_payment_adapter = models.CharField(max_length=40, blank=True)
    # The last check of the key (a read of one refund): when, and what Stripe said if it failed.
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=500, blank=True, default="")

    objects = StoreScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Stripe {self.key_hint}… of store {self.store_id}"


class StripeEvent(models.Model):
    """One verified webhook event, as received, and what it did."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stripe_events")
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=100, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=300, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "event_id"], name="uniq_stripe_event")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
