"""The simulator's one outbound call: a signed batch of tracking events posted to the local
webhook URL it was started with (check_local_url refuses any other)."""

from __future__ import annotations

import urllib.error
import urllib.request

from retorno.integrations.carriers.simulator.config import (
    check_local_url,
)
from retorno.integrations.carriers.simulator.signing import SIGNATURE_HEADER, signature_header

WEBHOOK_TIMEOUT_SECONDS = 5.0


def post_webhook(url: str, secret: str, body: bytes, *, now: int) -> int:
    """POST one signed batch; the HTTP status, or 0 when the receiver could not be reached."""
    check_local_url(url)
    request = urllib.request.Request(  # noqa: S310 - check_local_url allows only local http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "retorno-carrier-sim",
            SIGNATURE_HEADER: signature_header(secret, now, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError, TimeoutError):
        return 0
