from __future__ import annotations

from typing import Any

from retorno.accounts.keys import KEY_PREFIX, digest_key
from retorno.accounts.models import ApiKey, Membership


def api_key_authenticate(plain: str) -> ApiKey | None:
    """The active key matching `plain`, with its store loaded in the same query."""
    if not plain.startswith(KEY_PREFIX) and len(plain) < 16:
        return None
    return (
        ApiKey.objects.select_related("store")
        .filter(digest=digest_key(plain), revoked_at__isnull=True)
        .first()
    )


def memberships_for_user(*, user: Any) -> list[Membership]:
    """The stores a staff user works in, with the role in each, by store name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user).select_related("store").order_by("store__name", "id")
    )


def admin_emails_for_store(*, store: Any) -> list[str]:
    """The e-mail addresses of the store's admins (those who have one), in a stable order."""
    return list(
        Membership.objects.filter(store=store, role="admin", user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


def api_key_list_for_store(*, store: Any) -> list[ApiKey]:
    """The store's API keys, active and revoked, newest first (never their secret: only a
    digest is stored)."""
    return list(ApiKey.objects.filter(store=store).order_by("-created_at", "-id"))
