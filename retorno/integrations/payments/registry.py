"""Payment adapters by name. A store picks one (its resolution settings); tests register fakes."""

from __future__ import annotations

from retorno.integrations.payments.base import PaymentGateway
from retorno.integrations.payments.console import ConsoleGateway
from retorno.integrations.payments.manual import ManualGateway

_GATEWAYS: dict[str, PaymentGateway] = {
    ManualGateway.name: ManualGateway(),
    ConsoleGateway.name: ConsoleGateway(),
}


class UnknownGateway(LookupError):
    pass


def gateway(name: str) -> PaymentGateway:
    """The adapter registered as `name`; UnknownGateway otherwise."""
    try:
        return _GATEWAYS[name]
    except KeyError:
        raise UnknownGateway(f"No payment adapter named {name!r}.") from None


def register(gateway_: PaymentGateway) -> None:
    """Add or replace an adapter (a provider integration, or a fake in tests)."""
    _GATEWAYS[gateway_.name] = gateway_


def names() -> tuple[str, ...]:
    return tuple(sorted(_GATEWAYS))
