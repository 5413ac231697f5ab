"""Fixtures the returns tests share with other apps' tests."""

from retorno.backoffice.tests.conftest import signed_in, staff  # noqa: F401 (staff pages)
from retorno.money.tests.conftest import provider  # noqa: F401 (a fake payment provider)
