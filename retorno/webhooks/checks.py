"""Start-up check: a claim on an outbox message outlasts the longest webhook request, or a slow
receiver would be sent the same delivery twice at once (the sweeper taking the live request for a
dead worker's)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from retorno.core.outbox import claim_timeout
from retorno.webhooks.delivery import TIMEOUT_SECONDS


@register()
def claim_outlasts_a_webhook_request(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    claim = claim_timeout().total_seconds()
    if claim > TIMEOUT_SECONDS:
        return []
    return [
        Error(
            f"RETORNO_OUTBOX_CLAIM_SECONDS ({claim:.0f}) must be longer than a webhook request "
            f"can take ({TIMEOUT_SECONDS:.0f} s), or a slow receiver gets a delivery twice.",
            hint="Raise RETORNO_OUTBOX_CLAIM_SECONDS.",
            id="webhooks.E001",
        )
    ]
