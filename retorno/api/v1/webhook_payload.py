"""The OpenAPI description of what a store's webhook endpoints receive (the document's
`webhooks` section): one POST per event type, its Standard Webhooks headers, and the payload,
whose `data` is the object as the API's own schemas describe it."""

from __future__ import annotations

from typing import Any

from retorno.domain.webhooks import EVENT_TYPES

# The object a payload carries, and the schema of the API that shows it.
OBJECT_SCHEMAS: dict[str, str] = {
    "return": "ReturnOut",
    "shipment": "WebhookShipment",
    "refund": "RefundOut",
    "claim": "ClaimOut",
    "exchange": "ExchangeOut",
    "restock": "WebhookRestock",
    "advance_notice": "WebhookAdvanceNotice",
}

_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The event's id (evt_…), the same on every attempt and replay: "
        "deduplicate on it.",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "Seconds since the epoch when this attempt was signed; refuse old ones.",
        "schema": {"type": "integer"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per "
        "secret in force (two during a rotation); the key is the base64 part of whsec_….",
        "schema": {"type": "string"},
    },
]


def _components() -> dict[str, Any]:
    ref = "#/components/schemas/"
    return {
        "WebhookPayload": {
            "type": "object",
            "title": "WebhookPayload",
            "required": ["id", "type", "timestamp", "store", "object", "data"],
            "properties": {
                "id": {"type": "string", "description": "evt_…, as in webhook-id."},
                "type": {"type": "string", "enum": list(EVENT_TYPES)},
                "timestamp": {"type": "string", "format": "date-time"},
                "store": {"type": "string", "description": "The store's slug."},
                "object": {"type": "string", "enum": list(OBJECT_SCHEMAS)},
                "data": {
                    "description": "The object as the API shows it (by `object`).",
                    "oneOf": [{"$ref": ref + name} for name in OBJECT_SCHEMAS.values()],
                },
            },
        },
        "WebhookShipment": {
            "type": "object",
            "title": "WebhookShipment",
            "required": ["rma", "shipment"],
            "properties": {
                "rma": {"type": "string"},
                "status": {"type": "string", "description": "The return's status."},
                "shipment": {"anyOf": [{"$ref": ref + "ShipmentOut"}, {"type": "null"}]},
            },
        },
        "WebhookAdvanceNotice": {
            "title": "WebhookAdvanceNotice",
            "description": "The units an approved return will bring back (as in "
            "GET /warehouse/advance-notice?rma=…), with the same notice as an X12 180 "
            "interchange; `units` 0 and `x12` null when nothing is to be sent back.",
            "allOf": [
                {"$ref": ref + "ExpectedReturnOut"},
                {
                    "type": "object",
                    "required": ["x12"],
                    "properties": {"x12": {"type": ["string", "null"]}},
                },
            ],
        },
        "WebhookRestock": {
            "type": "object",
            "title": "WebhookRestock",
            "required": ["rma", "sku", "quantity", "restocked_at"],
            "properties": {
                "rma": {"type": "string"},
                "line": {"type": ["string", "null"]},
                "sku": {"type": "string"},
                "quantity": {"type": "integer", "description": "Always 1: one event per unit."},
                "unit": {"type": "integer", "description": "Which unit of the restock, from 1."},
                "units": {"type": "integer", "description": "Units the restock put back."},
                "inspection": {"type": ["integer", "null"]},
                "inventory_event": {"type": ["integer", "null"]},
                "stock_after": {
                    "type": ["integer", "null"],
                    "description": "The variant's stock right after this unit.",
                },
                "restocked_at": {"type": "string", "format": "date-time"},
            },
        },
    }


def webhooks_document() -> tuple[dict[str, Any], dict[str, Any]]:
    """(the `webhooks` section, the component schemas it needs)."""
    outgoing = {
        event_type: {
            "post": {
                "summary": f"{event_type} (sent to the store's endpoint)",
                "operationId": "webhook_" + event_type.replace(".", "_"),
                "tags": ["webhooks"],
                "parameters": _HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/WebhookPayload"}
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; nothing more is sent for this event."},
                    "410": {"description": "Gone: the endpoint is disabled."},
                    "default": {"description": "Tried again on the retry schedule."},
                },
            }
        }
        for event_type in EVENT_TYPES
    }
    return outgoing, _components()
