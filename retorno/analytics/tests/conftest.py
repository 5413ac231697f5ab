from retorno.money.tests.conftest import provider
from retorno.notifications.tests.conftest import smtp, smtp_server

# A fake payment provider the store pays refunds through; a real SMTP server on 127.0.0.1.
__all__ = ["provider", "smtp", "smtp_server"]
