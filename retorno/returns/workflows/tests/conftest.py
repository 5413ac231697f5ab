"""Fixtures the workflows' tests share with the capabilities they drive: a fake payment
provider, a real SMTP server and the text-message outbox."""

from retorno.money.tests.conftest import provider  # noqa: F401
from retorno.notifications.tests.conftest import smtp, smtp_server, texts  # noqa: F401
