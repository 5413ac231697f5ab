from __future__ import annotations

from retorno.accounts.keys import KEY_PREFIX, digest_key
from retorno.accounts.models import ApiKey


def api_key_authenticate(plain: str) -> ApiKey | None:
    """The active key matching `plain`, with its store loaded in the same query."""
    if not plain.startswith(KEY_PREFIX) and len(plain) < 16:
        return None
    return (
        ApiKey.objects.select_related("store")
        .filter(digest=digest_key(plain), revoked_at__isnull=True)
        .first()
    )
