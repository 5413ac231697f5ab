"""API v1: `/api/v1`, bearer API keys, OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from retorno.api.v1 import errors
from retorno.api.v1.auth import ApiKeyAuth
from retorno.api.v1.routers import logistics, money, orders, policy, returns, warehouse

PROBLEM = "application/problem+json"


class RetornoAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Error responses are served as application/problem+json: say so in the spec."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith(("4", "5")) and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        return schema


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
api.add_router("/returns", returns.router)
api.add_router("/policy", policy.router)
api.add_router("", logistics.router)
api.add_router("", warehouse.router)
api.add_router("", money.router)
