"""SMS through Twilio's Programmable Messaging API (the Messages resource, API version
2010-04-01), as Twilio publishes it:

    POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json
    HTTP Basic auth: the Account SID and the Auth Token
    form fields: To (E.164), From (a Twilio number) or MessagingServiceSid, Body
    201 Created: JSON with "sid" (SM...) and "status" (queued, accepted...)
    4xx: JSON {"code": 21211, "message": "...", "more_info": "...", "status": 400}

Turned on with NOTIFY_SMS_BACKEND=retorno.notifications.sms_twilio.TwilioSms and the NOTIFY_TWILIO_*
settings; a store sends SMS only when its notification settings enable the channel. Calls leave
through the guarded outbound client (timeouts, no redirects, public addresses only).

A 4xx other than 429 is permanent (an invalid or unsubscribed number will not get better);
429, 5xx, timeouts and connection errors are transient and the outbox retries them.
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from retorno.core.outbound import outbound_client
from retorno.notifications.channels import PermanentSendError
from retorno.notifications.models import Channel

API_VERSION = "2010-04-01"
TIMEOUT_SECONDS = 10.0


class TwilioSms:
    def __init__(self, channel: str = Channel.SMS, transport: httpx.BaseTransport | None = None):
        self.channel = channel
        self.account_sid = settings.NOTIFY_TWILIO_ACCOUNT_SID
        self.auth_token = settings.NOTIFY_TWILIO_AUTH_TOKEN
        self.sender = settings.NOTIFY_TWILIO_FROM
        missing = [
            name
            for name, value in (
                ("NOTIFY_TWILIO_ACCOUNT_SID", self.account_sid),
                ("NOTIFY_TWILIO_AUTH_TOKEN", self.auth_token),
                ("NOTIFY_TWILIO_FROM", self.sender),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(f"Twilio SMS needs {', '.join(missing)}.")
        self.base_url = settings.NOTIFY_TWILIO_API_URL.rstrip("/")
        self.transport = transport

    def send(self, recipient: str, text: str, *, reference: str = "") -> str:
        """Send `text` to `recipient`; returns Twilio's message SID."""
        sender_field = "MessagingServiceSid" if self.sender.startswith("MG") else "From"
        path = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        with outbound_client(
            base_url=self.base_url,
            timeout=TIMEOUT_SECONDS,
            auth=(self.account_sid, self.auth_token),
            transport=self.transport,
        ) as client:
            response = client.post(
                path, data={"To": recipient, sender_field: self.sender, "Body": text}
            )
        if response.status_code in (200, 201):
            sid = str(_json(response).get("sid") or "")
            if not sid:
                raise RuntimeError("Twilio answered without a message sid")
            return sid
        problem = _json(response)
        detail = (
            f"Twilio {response.status_code} {problem.get('code', '')}: {problem.get('message', '')}"
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise RuntimeError(detail)  # transient: the outbox retries
        raise PermanentSendError(detail)


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
