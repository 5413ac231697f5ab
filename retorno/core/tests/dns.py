"""Names resolved by the test, not by DNS (the outbound client's resolver is replaceable)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from retorno.core import outbound

PUBLIC = "93.184.215.14"

NAMES = {
    "api.carrier.example": [PUBLIC],
    "v6.carrier.example": ["2606:4700::6810:84e5"],
    "mixed.carrier.example": [PUBLIC, "10.0.0.7"],
    "metadata.carrier.example": ["169.254.169.254"],
    "local.carrier.example": ["127.0.0.1"],
}


@contextmanager
def names_resolved(names: Mapping[str, list[str]] = NAMES) -> Iterator[None]:
    """Within the block `names` resolve to their addresses, other names under .example do not
    resolve at all, and IP literals are themselves."""

    def resolve(host: str, port: int) -> list[str]:
        if host in names:
            return list(names[host])
        if host.endswith(".example"):
            raise OSError("Name or service not known")
        return outbound.system_resolve(host, port)

    previous = outbound.set_resolver(resolve)
    try:
        yield
    finally:
        outbound.set_resolver(previous)
