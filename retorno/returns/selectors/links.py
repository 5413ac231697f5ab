"""Public links to a return, as sent to shoppers (emails, texts, API responses)."""

from __future__ import annotations

from django.urls import reverse

from retorno.returns.models import Return
from retorno.stores.selectors import store_public_url


def tracking_url(return_request: Return) -> str:
    """The shopper's tracking page: unguessable token, no login; on the store's own domain
    when it has one."""
    return f"{store_public_url(return_request.store)}/r/{return_request.tracking_token}"


def recovery_url(return_request: Return) -> str:
    """Where the shopper chooses what to do about a parcel that did not leave."""
    return store_public_url(return_request.store) + reverse(
        "portal:recovery", kwargs={"token": return_request.tracking_token}
    )
