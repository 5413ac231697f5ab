"""API v1: `/api/v1`, bearer API keys, OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from retorno.api.v1 import errors
from retorno.api.v1.auth import ApiKeyAuth
from retorno.api.v1.routers import (
    analytics,
    analytics_money,
    analytics_operations,
    analytics_suppliers,
    connectors,
    customers,
    exchanges,
    insight,
    inventory,
    keys,
    logistics,
    money,
    orders,
    policy,
    return_methods,
    returns,
    staff,
    stripe_account,
    warehouse,
    webhooks,
    woocommerce,
)
from retorno.api.v1.webhook_payload import webhooks_document

PROBLEM = "application/problem+json"


class RetornoAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._documents: dict[str, Any] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The OpenAPI document, built once per process and path prefix: building it walks every
        schema of every operation (hundreds of milliseconds), and the operations cannot change
        while the process runs. Callers must not change the document they get."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        document = self._documents.get(path_prefix)
        if document is None:
            document = self._documents[path_prefix] = self._document(path_prefix)
        return document

    def _document(self, path_prefix: str) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = responses_by_status_text(operation.get("responses", {}))
                operation["responses"] = responses
                # Error responses are served as application/problem+json: say so in the spec.
                for status, response in responses.items():
                    content = response.get("content", {})
                    if status.startswith(("4", "5")) and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        # What the store's endpoints receive (OpenAPI 3.1 `webhooks`), with its payload schema.
        outgoing, components = webhooks_document()
        schema["webhooks"] = outgoing
        schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
        return schema


def responses_by_status_text(responses: dict[Any, Any]) -> dict[str, Any]:
    """An operation's responses keyed by status text. ninja keys the responses it generates by
    number and merges an operation's `openapi_extra` as given, so a status declared both ways
    would be two keys that JSON writes as one key twice (a document no reader accepts): such
    entries are merged, the later one's fields winning."""
    merged: dict[str, Any] = {}
    for status, response in responses.items():
        key = str(status)
        merged[key] = _deep_merge(merged[key], response) if key in merged else response
    return merged


def _deep_merge(base: Any, update: Any) -> Any:
    if not (isinstance(base, dict) and isinstance(update, dict)):
        return update
    merged = dict(base)
    for key, value in update.items():
        merged[key] = _deep_merge(merged[key], value) if key in merged else value
    return merged


api = RetornoAPI(
    title="Retorno API",
    version="1.0.0",
    description=(
        "Returns management and reverse logistics. Authenticate with `Authorization: Bearer <key>`; "
        "every error is application/problem+json with a stable `code`."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("/orders", orders.router)
api.add_router("/customers", customers.router)
api.add_router("/returns", returns.router)
api.add_router("/policy", policy.router)
api.add_router("", logistics.router)
api.add_router("", warehouse.router)
api.add_router("", inventory.router)
api.add_router("", money.router)
api.add_router("/insight", insight.router)
api.add_router("", webhooks.router)
api.add_router("", exchanges.router)
api.add_router("", keys.router)
api.add_router("", staff.router)
api.add_router("", return_methods.router)
api.add_router("", connectors.router)
api.add_router("", stripe_account.router)
api.add_router("", woocommerce.router)
api.add_router("/analytics", analytics.router)
api.add_router("/analytics", analytics_money.router)
api.add_router("/analytics", analytics_operations.router)
api.add_router("/analytics", analytics_suppliers.router)
