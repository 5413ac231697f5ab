"""Fixtures shared with the notifications tests: the SMTP server on 127.0.0.1 (a worker sends
the shopper's e-mails beside the webhooks), a real `retorno worker` on a broker, and the webhook
sink on 127.0.0.1."""

import pytest

from retorno.money.tests.conftest import provider  # noqa: F401 (a fake payment provider)
from retorno.notifications.tests.conftest import smtp, smtp_server  # noqa: F401
from retorno.notifications.tests.test_celery_worker import broker, start_worker  # noqa: F401
from retorno.webhooks.tests.sinks import sink_running


@pytest.fixture
def webhook_sink(tmp_path):
    """`retorno webhook-sink` on 127.0.0.1 (see sinks.py): (server, the folder it logs in)."""
    yield from sink_running(tmp_path)
