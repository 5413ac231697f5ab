from retorno.money.tests.conftest import provider

__all__ = ["provider"]  # a fake payment provider the store pays refunds through
