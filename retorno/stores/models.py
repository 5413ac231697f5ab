"""The tenant: every piece of store data hangs off a Store."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models

from retorno.core.models import TimeStampedModel
from retorno.stores.branding import (
    DEFAULT_FONT,
    FONT_CHOICES,
    normal_domain,
    validate_custom_domain,
)

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a2b3c.")


def default_return_methods() -> list[str]:
    return ["pickup", "drop_off", "self_ship"]


class Store(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    currency = models.CharField(max_length=3, default="EUR")
    default_language = models.CharField(max_length=8, default="en")
    timezone = models.CharField(max_length=64, default="UTC")
    # Branding for the shopper's pages and messages.
    logo_url = models.CharField(max_length=500, blank=True)
    primary_colour = models.CharField(max_length=7, default="#1f4e79", validators=[HEX_COLOUR])
    accent_colour = models.CharField(max_length=7, default="#f2a900", validators=[HEX_COLOUR])
    # A font from the safe list (retorno.stores.branding.FONTS) and the browser tab's icon.
    font = models.CharField(max_length=20, choices=FONT_CHOICES, default=DEFAULT_FONT)
    favicon_url = models.CharField(max_length=500, blank=True)
    # The store's own host name for its portal (returns.example.com); "" for none.
    custom_domain = models.CharField(
        max_length=253, blank=True, default="", validators=[validate_custom_domain]
    )
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=32, blank=True)
    return_address = models.JSONField(default=dict, blank=True)
    rma_prefix = models.CharField(max_length=8, default="R")
    return_methods = models.JSONField(
        default=default_return_methods,
        blank=True,
        help_text="Methods shoppers may choose: pickup, drop_off, self_ship, in_store.",
    )
    # The store's price per method ({"self_ship": "4.95"}), replacing the policy's return
    # shipping fee for it (retorno.domain.returns.method_prices), and the shops a return may
    # be brought to ([{"name", "address", "postal_code", "city", "hours": {"mon": …}}]).
    return_method_prices = models.JSONField(default=dict, blank=True)
    store_locations = models.JSONField(default=list, blank=True)
    onboarding_skipped = models.JSONField(
        default=list,
        blank=True,
        help_text="First-run steps the owner left for later (retorno.domain.onboarding).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["custom_domain"],
                condition=~models.Q(custom_domain=""),
                name="uniq_store_custom_domain",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.custom_domain = normal_domain(self.custom_domain or "")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name
