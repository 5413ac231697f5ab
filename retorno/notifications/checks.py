"""Start-up check: a worker's claim on a message outlasts the slowest e-mail it can send.

The outbox hands a message to another worker once its claim is RETORNO_OUTBOX_CLAIM_SECONDS
old, taking the first worker for dead. A live worker still talking to a slow SMTP server would
then send the same e-mail as the second one. Each step of the SMTP conversation may take up to
EMAIL_TIMEOUT seconds, so the claim must last longer than all of them together.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from retorno.core.outbox import claim_timeout
from retorno.notifications.channels import DEFAULT_EMAIL_TIMEOUT_SECONDS, SMTP_STEPS_PER_SEND


def slowest_email_seconds() -> int:
    """The longest one e-mail may take to send before smtplib gives up."""
    timeout = settings.EMAIL_TIMEOUT or DEFAULT_EMAIL_TIMEOUT_SECONDS
    return int(timeout) * SMTP_STEPS_PER_SEND


@register()
def claim_outlasts_the_slowest_email(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    claim = claim_timeout().total_seconds()
    slowest = slowest_email_seconds()
    if claim > slowest:
        return []
    return [
        Error(
            f"RETORNO_OUTBOX_CLAIM_SECONDS ({claim:.0f}) must be longer than an e-mail can take "
            f"to send ({slowest} s: EMAIL_TIMEOUT x {SMTP_STEPS_PER_SEND} SMTP steps), or a "
            "slow e-mail is sent twice.",
            hint="Raise RETORNO_OUTBOX_CLAIM_SECONDS or lower EMAIL_TIMEOUT.",
            id="notifications.E001",
        )
    ]
