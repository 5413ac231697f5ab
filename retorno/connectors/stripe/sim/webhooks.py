"""The local Stripe's webhook delivery: one POST of an event to the local endpoint the simulator
was started with (checked to be on this machine), as Stripe sends it."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0


def post_event(url: str, body: bytes, signature: str) -> int:
    """POST one signed event; the HTTP status, or 0 when nothing answered."""
    request = urllib.request.Request(  # noqa: S310 (a local URL, checked by the simulator)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError) as error:
        logger.info("stripe-sim: webhook to %s failed: %s", url, error)
        return 0
