"""Where a carrier account's calls, and so its credentials, go: its adapter kind and every URL
in its config. Each URL must pass the outbound-URL check (retorno.core.outbound) when saved, and
stored credentials never follow a change of destination."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retorno.core.errors import Unprocessable
from retorno.core.outbound import OutboundURLRefused, check_outbound_url
from retorno.logistics.models import CarrierAccount


def config_urls(config: Any) -> dict[str, Any]:
    """The config's URLs (`base_url` and any other `..._url` key): where the adapter calls."""
    if not isinstance(config, Mapping):
        return {}
    return {str(key): value for key, value in config.items() if str(key).lower().endswith("url")}


def credentials_destination(account: CarrierAccount) -> tuple[str, dict[str, Any]]:
    """What decides where an account's credentials are sent: its adapter and its URLs."""
    return account.kind, config_urls(account.config)


def config_urls_check(config: Any) -> None:
    """Unprocessable (`invalid_outbound_url`, errors[] naming each `config.<key>`) unless every
    URL of the config may be called."""
    refusals = []
    for key, url in config_urls(config).items():
        try:
            if not isinstance(url, str):
                raise OutboundURLRefused("url_malformed", "The URL must be a string.")
            check_outbound_url(url)
        except OutboundURLRefused as refused:
            refusals.append(
                {"field": f"config.{key}", "code": refused.code, "message": refused.message}
            )
    if refusals:
        raise Unprocessable(
            "; ".join(f"{r['field']}: {r['message']}" for r in refusals),
            code="invalid_outbound_url",
            errors=refusals,
        )
