"""Fixtures the returns tests share with other apps' tests."""

from retorno.backoffice.tests.conftest import signed_in, staff  # noqa: F401 (staff pages)
