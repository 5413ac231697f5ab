"""Fixtures of the team's tests: staff of every role (the back office's) and a real SMTP server
on 127.0.0.1 (the notifications')."""

from __future__ import annotations

from retorno.backoffice.tests.conftest import signed_in, staff  # noqa: F401
from retorno.notifications.tests.conftest import smtp, smtp_server  # noqa: F401
