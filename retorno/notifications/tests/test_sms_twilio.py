"""SMS through Twilio's Messages API, against a local server that answers as Twilio documents
it (Basic auth with the account SID and auth token, a form with To, From and Body, 201 with the
message SID, 400 with Twilio's error code, 429 when throttled)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from retorno.notifications.channels import PermanentSendError
from retorno.notifications.models import Message, MessageStatus, NotificationSettings
from retorno.notifications.sms_twilio import TwilioSms
from retorno.notifications.tests.test_delivery import create_return, order_for
from retorno.stores.models import Store

SID, TOKEN, FROM = "AC0123456789abcdef0123456789abcdef", "secret-token", "+15005550006"
INVALID, THROTTLED = "+15005550001", "+15005550009"


class FakeTwilio(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        if self.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
            self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        FakeTwilio.received.append(form)
        if form.get("To") == INVALID:
            self._answer(
                400,
                {
                    "code": 21211,
                    "message": "The 'To' number is not a valid phone number.",
                    "status": 400,
                },
            )
            return
        if form.get("To") == THROTTLED:
            self._answer(429, {"code": 20429, "message": "Too Many Requests", "status": 429})
            return
        sid = f"SM{len(FakeTwilio.received):032d}"
        self._answer(201, {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]})


@pytest.fixture
def twilio(settings: Any) -> Iterator[list[dict[str, Any]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.received = []
    settings.NOTIFY_SMS_BACKEND = "retorno.notifications.sms_twilio.TwilioSms"
    settings.NOTIFY_TWILIO_ACCOUNT_SID = SID
    settings.NOTIFY_TWILIO_AUTH_TOKEN = TOKEN
    settings.NOTIFY_TWILIO_FROM = FROM
    settings.NOTIFY_TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    yield FakeTwilio.received
    server.shutdown()
    server.server_close()


def test_a_text_is_sent_with_twilio_s_form_and_its_sid_kept(twilio: list[Any]) -> None:
    sid = TwilioSms().send("+34600000002", "Your return R-1 is on its way", reference="m.1")
    assert sid == "SM" + "1".zfill(32)
    assert twilio == [{"To": "+34600000002", "From": FROM, "Body": "Your return R-1 is on its way"}]


def test_an_invalid_number_is_permanent_and_throttling_is_retried(twilio: list[Any]) -> None:
    with pytest.raises(PermanentSendError, match="21211"):
        TwilioSms().send(INVALID, "hello")
    with pytest.raises(RuntimeError, match="429"):
        TwilioSms().send(THROTTLED, "hello")


def test_a_messaging_service_sends_instead_of_a_number(twilio: list[Any], settings: Any) -> None:
    settings.NOTIFY_TWILIO_FROM = "MG0123456789abcdef0123456789abcdef"
    TwilioSms().send("+34600000003", "hi")
    assert twilio[0]["MessagingServiceSid"] == settings.NOTIFY_TWILIO_FROM
    assert "From" not in twilio[0]


def test_it_will_not_start_half_configured(settings: Any) -> None:
    settings.NOTIFY_TWILIO_AUTH_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_TWILIO_AUTH_TOKEN"):
        TwilioSms()


@pytest.mark.django_db(transaction=True)
def test_a_store_with_sms_on_texts_the_shopper_through_twilio(
    smtp_server: Any, twilio: list[Any], store: Store
) -> None:
    create_return(store, order_for(store, phone="+34600000004"))
    assert twilio == []  # SMS is off unless the store turns it on
    NotificationSettings.objects.create(store=store, sms_enabled=True)
    created = create_return(store, order_for(store, phone="+34600000005"))
    [sent] = twilio
    assert sent["To"] == "+34600000005"
    assert created.rma in sent["Body"]
    sms = Message.objects.get(channel="sms")
    assert sms.status == MessageStatus.SENT
    assert sms.provider_message_id.startswith("SM")


@pytest.mark.django_db(transaction=True)
def test_a_refused_number_fails_the_message_once(
    smtp_server: Any, twilio: list[Any], store: Store
) -> None:
    NotificationSettings.objects.create(store=store, sms_enabled=True)
    create_return(store, order_for(store, phone=INVALID))
    sms = Message.objects.get(channel="sms")
    assert sms.status == MessageStatus.FAILED
    assert "21211" in sms.error
    assert len(twilio) == 1
