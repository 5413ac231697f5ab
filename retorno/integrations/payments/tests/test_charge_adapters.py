"""Every adapter answers `charge` as the port says: once per key, pending for a person."""

from decimal import Decimal

from retorno.integrations.payments.base import ChargeRequest, OutcomeStatus
from retorno.integrations.payments.console import ConsoleGateway
from retorno.integrations.payments.manual import ManualGateway
from retorno.integrations.payments.testing import FakeProvider


def request(key: str = "retorno-charge-1-difference") -> ChargeRequest:
    return ChargeRequest(
        idempotency_key=key,
        amount=Decimal("5.00"),
        currency="EUR",
        store_id=1,
        order_reference="1001",
        reference="R-1",
        reason="exchange_difference",
    )


def test_manual_waits_for_finance():
    assert ManualGateway().charge(request()).status is OutcomeStatus.PENDING


def test_console_answers_the_same_reference_for_the_same_key():
    gateway = ConsoleGateway()
    first, again = gateway.charge(request()), gateway.charge(request())
    assert first.status is OutcomeStatus.SUCCEEDED
    assert first.provider_reference == again.provider_reference
    assert gateway.charge(request("other")).provider_reference != first.provider_reference


def test_fake_takes_once_per_key_and_replays_nothing_after_a_refusal_is_lifted():
    fake = FakeProvider(charge_refuse=True)
    assert fake.charge(request()).status is OutcomeStatus.FAILED
    fake.charge_refuse = False
    assert fake.charge(request("k-a2")).status is OutcomeStatus.SUCCEEDED
    assert fake.charge(request("k-a2")).status is OutcomeStatus.SUCCEEDED
    assert fake.total_charged == Decimal("5.00")
    assert fake.total_paid == 0
