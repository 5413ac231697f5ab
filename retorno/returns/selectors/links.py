"""Public links to a return, as sent to shoppers (emails, texts, API responses)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from retorno.returns.models import Return


def tracking_url(return_request: Return) -> str:
    """The shopper's tracking page: unguessable token, no login."""
    return f"{settings.RETORNO_PUBLIC_URL}/r/{return_request.tracking_token}"


def recovery_url(return_request: Return) -> str:
    """Where the shopper chooses what to do about a parcel that did not leave."""
    return settings.RETORNO_PUBLIC_URL + reverse(
        "portal:recovery", kwargs={"token": return_request.tracking_token}
    )
