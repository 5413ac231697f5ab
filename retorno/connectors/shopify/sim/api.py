"""The Admin GraphQL endpoint of the simulated store: the schema (schema.graphql), its root
resolvers, the calculated cost and the bucket, and the `@idempotent(key:)` directive that
version 2026-04 requires on inventoryAdjustQuantities and refundCreate."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    build_schema,
    execute,
    parse,
    validate,
    value_from_ast_untyped,
)

from retorno.connectors.shopify.sim import operations, views
from retorno.connectors.shopify.sim.cost import MAX_SINGLE_QUERY_COST, Bucket, query_cost
from retorno.connectors.shopify.sim.state import ShopState, SimError, Webhook

API_VERSION = "2026-04"
SCHEMA = build_schema((Path(__file__).parent / "schema.graphql").read_text())
IDEMPOTENT_REQUIRED = {"inventoryAdjustQuantities", "refundCreate"}
DOCS = "https://shopify.dev/api/usage/limits#rate-limits"


def _snake(data: Any) -> Any:
    """GraphQL input (camelCase) as the operations take it (snake_case)."""
    if isinstance(data, dict):
        return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): _snake(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_snake(v) for v in data]
    return data


def _id(value: Any, kind: str) -> int:
    return views.parse_gid(value, kind)


def _user_errors(error: SimError) -> list[dict[str, Any]]:
    return [{"field": error.field, "message": error.message, "code": error.code}]


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip("'\"").replace("Z", "+00:00"))
    except ValueError:
        return None


def order_matches(order: dict[str, Any], query: str | None) -> bool:
    """Shopify's search syntax, the terms the simulator knows: created_at, updated_at (with
    >, >=, <, <=), tag, name, email, source_identifier, id; terms are ANDed."""
    for term in (query or "").split():
        if ":" not in term:
            continue
        name, value = term.split(":", 1)
        value = value.strip("'\"")
        if name in ("created_at", "updated_at"):
            match = re.match(r"(>=|<=|>|<)?(.*)", value)
            assert match is not None
            op, text = match.group(1) or "=", match.group(2)
            wanted, have = _parse_time(text), _parse_time(order[name])
            if wanted is None or have is None:
                return False
            if wanted.tzinfo is None:
                wanted = wanted.replace(tzinfo=have.tzinfo)
            ok = {
                ">": have > wanted,
                ">=": have >= wanted,
                "<": have < wanted,
                "<=": have <= wanted,
                "=": have == wanted,
            }[op]
            if not ok:
                return False
        elif (
            (name == "tag" and value not in order["tags"])
            or (name == "name" and order["name"] != value and order["name"] != f"#{value}")
            or (name == "email" and order["email"] != value)
            or (name == "source_identifier" and order["source_identifier"] != value)
            or (name == "id" and str(order["id"]) != value.lstrip("<>="))
        ):
            return False
    return True


class Root:
    """Root resolvers. `context["webhooks"]` collects what the mutations set off."""

    def __init__(self, state: ShopState, domain: str):
        self.state = state
        self.domain = domain

    # -- queries ----------------------------------------------------------------------------

    def shop(self, _info: Any) -> dict[str, Any]:
        shop = self.state.data["shop"]
        return {
            "id": "gid://shopify/Shop/1",
            "name": shop["name"],
            "myshopifyDomain": self.domain,
            "currencyCode": shop["currency"],
            "email": shop["email"] or None,
        }

    def order(self, _info: Any, id: str) -> dict[str, Any] | None:
        order = self.state.order(_id(id, "Order"))
        return views.order_view(self.state, order) if order else None

    def _orders(self, query: str | None, sort_key: str | None, reverse: bool) -> list[Any]:
        orders = [o for o in self.state.data["orders"].values() if order_matches(o, query)]
        key = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}.get(sort_key or "ID")
        orders.sort(key=(lambda o: (o[key], o["id"])) if key else (lambda o: o["id"]))
        return orders[::-1] if reverse else orders

    def orders(
        self,
        _info: Any,
        query: str | None = None,
        sortKey: str | None = None,
        reverse: bool = False,
        **page: Any,
    ) -> dict[str, Any]:
        return views.connection(
            self._orders(query, sortKey, reverse),
            lambda o: views.order_view(self.state, o),
            lambda o: o["id"],
            **page,
        )

    def ordersCount(self, _info: Any, query: str | None = None, limit: int | None = 10000) -> Any:
        count = len(self._orders(query, None, False))
        limit = limit or 10000
        return {"count": min(count, limit), "precision": "AT_LEAST" if count > limit else "EXACT"}

    def return_(self, _info: Any, id: str) -> dict[str, Any] | None:
        found = self.state.return_(_id(id, "Return"))
        return views.return_view(self.state, found) if found else None

    def productVariants(self, _info: Any, query: str | None = None, **page: Any) -> Any:
        variants = list(self.state.data["variants"].values())
        for term in (query or "").split():
            if term.startswith("sku:"):
                sku = term[4:].strip("'\"")
                variants = [v for v in variants if v["sku"] == sku]
        return views.connection(
            sorted(variants, key=lambda v: v["id"]),
            lambda v: views.variant_view(self.state, v),
            lambda v: v["id"],
            **page,
        )

    def locations(self, _info: Any, **page: Any) -> Any:
        return views.connection(
            self.state.data["locations"], views.location_view, lambda loc: loc["id"], **page
        )

    def location(self, _info: Any, id: str | None = None) -> Any:
        found = self.state.location(_id(id, "Location")) if id else self.state.data["locations"][0]
        return views.location_view(found) if found else None

    # -- mutations --------------------------------------------------------------------------

    def _mutate(
        self,
        info: Any,
        name: str,
        arguments: dict[str, Any],
        run: Callable[[], tuple[dict[str, Any], list[Webhook]]],
        payload: Callable[[dict[str, Any]], dict[str, Any]],
        error_payload: Callable[[list[dict[str, Any]]], dict[str, Any]],
    ) -> dict[str, Any]:
        key = _idempotency_key(info)
        if name in IDEMPOTENT_REQUIRED and key is None:
            raise GraphQLError(
                f"The @idempotent directive is required for {name} in version {API_VERSION}.",
                extensions={"code": "IDEMPOTENCY_KEY_REQUIRED"},
            )
        fingerprint = hashlib.sha256(
            json.dumps([name, arguments], sort_keys=True, default=str).encode()
        ).hexdigest()
        with self.state.lock:
            if key is not None:
                seen = self.state.data["idempotency"].get(key)
                if seen is not None:
                    if seen["fingerprint"] != fingerprint:
                        raise GraphQLError(
                            "The idempotency key was used with different arguments.",
                            extensions={"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"},
                        )
                    return payload(seen["result"])
            try:
                with self.state.changing() as data:
                    result, webhooks = run()
                    if key is not None:
                        data["idempotency"][key] = {"fingerprint": fingerprint, "result": result}
            except SimError as error:
                return error_payload(_user_errors(error))
        info.context["webhooks"].extend(webhooks)
        return payload(result)

    def _return_mutation(self, info: Any, name: str, args: dict[str, Any], run: Any) -> Any:
        return self._mutate(
            info,
            name,
            args,
            run,
            lambda r: {
                "return": views.return_view(self.state, self.state.return_(r["id"]) or r),
                "userErrors": [],
            },
            lambda errors: {"return": None, "userErrors": errors},
        )

    def _order_or_error(self, order_gid: str, field: list[str]) -> dict[str, Any]:
        order = self.state.order(_id(order_gid, "Order"))
        if order is None:
            raise SimError("Order does not exist.", field=field, code="NOT_FOUND")
        return order

    def returnCreate(self, info: Any, returnInput: dict[str, Any]) -> Any:
        data = _snake(returnInput)

        def run() -> Any:
            order = self._order_or_error(data["order_id"], ["returnInput", "orderId"])
            for line in data["return_line_items"]:
                line["fulfillment_line_item_id"] = _id(
                    line["fulfillment_line_item_id"], "FulfillmentLineItem"
                )
            return operations.return_open(
                self.state, order, data["return_line_items"], requested=False
            )

        return self._return_mutation(info, "returnCreate", returnInput, run)

    def returnRequest(self, info: Any, input: dict[str, Any]) -> Any:
        data = _snake(input)

        def run() -> Any:
            order = self._order_or_error(data["order_id"], ["input", "orderId"])
            for line in data["return_line_items"]:
                line["fulfillment_line_item_id"] = _id(
                    line["fulfillment_line_item_id"], "FulfillmentLineItem"
                )
            return operations.return_open(
                self.state, order, data["return_line_items"], requested=True
            )

        return self._return_mutation(info, "returnRequest", input, run)

    def returnApproveRequest(self, info: Any, input: dict[str, Any]) -> Any:
        return_id = _id(input["id"], "Return")
        return self._return_mutation(
            info,
            "returnApproveRequest",
            input,
            lambda: operations.return_approve(self.state, return_id),
        )

    def returnDeclineRequest(self, info: Any, input: dict[str, Any]) -> Any:
        return_id = _id(input["id"], "Return")
        return self._return_mutation(
            info,
            "returnDeclineRequest",
            input,
            lambda: operations.return_decline(
                self.state,
                return_id,
                reason=input["declineReason"],
                note=input.get("declineNote") or "",
            ),
        )

    def returnCancel(self, info: Any, id: str, notifyCustomer: bool = False) -> Any:
        return_id = _id(id, "Return")
        return self._return_mutation(
            info,
            "returnCancel",
            {"id": id},
            lambda: operations.return_cancel(self.state, return_id),
        )

    def returnClose(self, info: Any, id: str) -> Any:
        return_id = _id(id, "Return")
        return self._return_mutation(
            info, "returnClose", {"id": id}, lambda: operations.return_close(self.state, return_id)
        )

    def reverseDeliveryCreateWithShipping(
        self,
        info: Any,
        reverseFulfillmentOrderId: str,
        reverseDeliveryLineItems: list[dict[str, Any]],
        trackingInput: dict[str, Any] | None = None,
        labelInput: dict[str, Any] | None = None,
        notifyCustomer: bool = True,
    ) -> Any:
        rfo_id = _id(reverseFulfillmentOrderId, "ReverseFulfillmentOrder")
        lines = [
            {
                "reverse_fulfillment_order_line_item_id": _id(
                    li["reverseFulfillmentOrderLineItemId"], "ReverseFulfillmentOrderLineItem"
                ),
                "quantity": li["quantity"],
            }
            for li in reverseDeliveryLineItems
        ]
        arguments = {"rfo": rfo_id, "lines": lines, "tracking": trackingInput, "label": labelInput}

        def view(delivery: dict[str, Any]) -> dict[str, Any]:
            return {
                "reverseDelivery": {
                    "id": views.gid("ReverseDelivery", delivery["id"]),
                    "deliverable": {
                        "__typename": "ReverseDeliveryShippingDeliverable",
                        "label": {
                            "publicFileUrl": delivery["label_url"],
                            "createdAt": delivery["created_at"],
                        }
                        if delivery["label_url"]
                        else None,
                        "tracking": {
                            "number": delivery["tracking"].get("number"),
                            "url": delivery["tracking"].get("url"),
                            "carrierName": None,
                        },
                    },
                },
                "userErrors": [],
            }

        return self._mutate(
            info,
            "reverseDeliveryCreateWithShipping",
            arguments,
            lambda: operations.reverse_delivery_create(
                self.state,
                rfo_id,
                lines,
                tracking=trackingInput,
                label_url=(labelInput or {}).get("fileUrl"),
            ),
            view,
            lambda errors: {"reverseDelivery": None, "userErrors": errors},
        )

    def refundCreate(self, info: Any, input: dict[str, Any]) -> Any:
        data = _snake(input)

        def run() -> Any:
            order = self._order_or_error(data["order_id"], ["input", "orderId"])
            for txn in data.get("transactions") or []:
                if txn.get("parent_id"):
                    txn["parent_id"] = _id(txn["parent_id"], "OrderTransaction")
            for rli in data.get("refund_line_items") or []:
                rli["line_item_id"] = _id(rli["line_item_id"], "LineItem")
                if rli.get("location_id"):
                    rli["location_id"] = _id(rli["location_id"], "Location")
            return operations.refund_create(self.state, order, data)

        def view(refund: dict[str, Any]) -> dict[str, Any]:
            order = self.state.order(refund["order_id"]) or {}
            stored = next((r for r in order["refunds"] if r["id"] == refund["id"]), refund)
            return {
                "refund": views.refund_view(self.state, order, stored),
                "order": views.order_view(self.state, order),
                "userErrors": [],
            }

        return self._mutate(
            info,
            "refundCreate",
            input,
            run,
            view,
            lambda errors: {
                "refund": None,
                "order": None,
                "userErrors": [{"field": e["field"], "message": e["message"]} for e in errors],
            },
        )

    def inventoryAdjustQuantities(self, info: Any, input: dict[str, Any]) -> Any:
        data = _snake(input)

        def run() -> Any:
            for change in data.get("changes") or []:
                change["inventory_item_id"] = _id(change["inventory_item_id"], "InventoryItem")
                change["location_id"] = _id(change["location_id"], "Location")
            return operations.inventory_adjust(self.state, data)

        def view(group: dict[str, Any]) -> dict[str, Any]:
            changes = []
            for c in group["changes"]:
                variant = self.state.variant_by_item(c["item_id"])
                location = self.state.location(c["location_id"])
                changes.append(
                    {
                        "name": c["name"],
                        "delta": c["delta"],
                        "quantityAfterChange": c["quantity_after"],
                        "item": views.variant_view(self.state, variant)["inventoryItem"]
                        if variant
                        else None,
                        "location": views.location_view(location) if location else None,
                    }
                )
            return {
                "inventoryAdjustmentGroup": {
                    "id": views.gid("InventoryAdjustmentGroup", group["id"]),
                    "createdAt": group["created_at"],
                    "reason": group["reason"],
                    "referenceDocumentUri": group["reference_document_uri"],
                    "changes": changes,
                },
                "userErrors": [],
            }

        return self._mutate(
            info,
            "inventoryAdjustQuantities",
            input,
            run,
            view,
            lambda errors: {"inventoryAdjustmentGroup": None, "userErrors": errors},
        )

    def orderCreate(self, info: Any, order: dict[str, Any], options: Any = None) -> Any:
        data = _snake(order)

        def run() -> Any:
            lines = []
            for index, li in enumerate(data.get("line_items") or []):
                variant = (
                    self.state.variant(_id(li["variant_id"], "ProductVariant"))
                    if li.get("variant_id")
                    else self.state.variant_by_sku(li.get("sku") or "")
                )
                if variant is None:
                    raise SimError(
                        "The variant does not exist.", field=["order", "lineItems", str(index)]
                    )
                lines.append((variant["sku"], int(li["quantity"])))
            customer = (data.get("customer") or {}).get("to_upsert") or {}
            address = data.get("shipping_address") or {}
            placed, hooks = operations.order_place(
                self.state,
                email=data.get("email") or customer.get("email") or "",
                lines=lines,
                first_name=customer.get("first_name") or address.get("first_name") or "",
                last_name=customer.get("last_name") or address.get("last_name") or "",
                address={k: v for k, v in address.items() if v and k != "country_code"}
                | (
                    {"country_code": address["country_code"]} if address.get("country_code") else {}
                ),
                tags=data.get("tags") or [],
                note=data.get("note") or "",
                source_identifier=data.get("source_identifier") or "",
                shipping_price="0",
                charge=(data.get("financial_status") or "PAID") == "PAID",
            )
            return placed, hooks

        return self._mutate(
            info,
            "orderCreate",
            order,
            run,
            lambda placed: {
                "order": views.order_view(self.state, self.state.order(placed["id"]) or placed),
                "userErrors": [],
            },
            lambda errors: {"order": None, "userErrors": errors},
        )


# `return` is a Python keyword: the resolver is `return_`, found under the field's name.
setattr(Root, "return", Root.return_)


def _idempotency_key(info: Any) -> str | None:
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value == "idempotent":
            for argument in directive.arguments:
                if argument.name.value == "key":
                    variables = getattr(info.variable_values, "coerced", info.variable_values)
                    return str(value_from_ast_untyped(argument.value, variables))
    return None


def run_graphql(
    state: ShopState, domain: str, bucket: Bucket, body: dict[str, Any]
) -> tuple[dict[str, Any], list[Webhook]]:
    """Answer one GraphQL request: (JSON body, webhooks to send). Throttled requests get the
    THROTTLED error with HTTP 200 and the bucket's status, as Shopify answers them."""
    query = body.get("query")
    variables = body.get("variables") or {}
    operation_name = body.get("operationName")
    if not isinstance(query, str) or not isinstance(variables, dict):
        return {"errors": [{"message": "Bad Request: query must be a string."}]}, []
    try:
        document = parse(query)
    except GraphQLError as error:
        return {"errors": [error.formatted]}, []
    problems = validate(SCHEMA, document)
    if problems:
        return {"errors": [p.formatted for p in problems]}, []
    requested = query_cost(SCHEMA, document, operation_name, variables)
    if requested > MAX_SINGLE_QUERY_COST:
        return {
            "errors": [
                {
                    "message": f"Query cost is {requested}, which exceeds the single query max "
                    f"cost limit ({MAX_SINGLE_QUERY_COST}).",
                    "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested},
                }
            ]
        }, []
    if not bucket.take(requested):
        return {
            "errors": [
                {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": DOCS}}
            ],
            "extensions": {
                "cost": {
                    "requestedQueryCost": requested,
                    "actualQueryCost": None,
                    "throttleStatus": bucket.status(),
                }
            },
        }, []
    context: dict[str, Any] = {"webhooks": []}
    result = execute(
        SCHEMA,
        document,
        root_value=Root(state, domain),
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
    )
    assert not hasattr(result, "__await__")
    data = result.data
    actual = query_cost(SCHEMA, document, operation_name, variables, data or {}) if data else 0
    actual = min(actual, requested)
    bucket.give_back(requested - actual)
    answer: dict[str, Any] = {"data": data}
    if result.errors:
        answer["errors"] = [e.formatted for e in result.errors]
    answer["extensions"] = {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": bucket.status(),
        }
    }
    return answer, context["webhooks"]
