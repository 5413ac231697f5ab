"""Insight API: classify a shopper's comment into a return reason, on this server.

Any API key of the store may call it (it reads and changes nothing of the store's data); the
store's own model answers when it has an active one, else the shipped model.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from retorno.accounts.models import ApiKey
from retorno.api.v1.routers.common import ERRORS
from retorno.insight import selectors as insight_selectors

router = Router(tags=["insight"])


class ClassifyIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=2000, description="The shopper's comment.")]
    language: Annotated[
        str | None,
        Field(
            None,
            pattern=r"^[A-Za-z]{2}$",
            description="ISO 639-1 code when the caller knows it; es and en are read, any "
            "other is answered `other`, abstained. Without it the language is detected.",
        ),
    ] = None


class EvidenceOut(Schema):
    kind: Literal["phrase", "feature", "also", "note"]
    text: str
    reason: str | None = None
    weight: float | None = None


class ClassificationOut(Schema):
    reason: str = Field(description="A leaf of the reason taxonomy; `other` when abstained.")
    group: str
    confidence: float = Field(ge=0, le=1)
    language: Literal["es", "en", "other"]
    abstained: bool
    explanation: list[EvidenceOut]
    size_direction: Literal[-1, 0, 1]
    model_version: str


@router.post(
    "/classify",
    response={200: ClassificationOut, **ERRORS},
    summary="Classify a comment into a return reason",
)
def classify(request: HttpRequest, payload: ClassifyIn):
    """Reads a comment (Spanish or English) and answers the reason it gives, with what decided
    and the model's version; below the model's confidence threshold it abstains. Nothing is
    stored and nothing leaves the server (docs/insight.md)."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    prediction = insight_selectors.comment_classification(
        store_id=api_key.store_id,
        text=payload.text,
        language=payload.language.lower() if payload.language else None,
    )
    return prediction.as_dict()
