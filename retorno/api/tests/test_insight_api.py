"""POST /api/v1/insight/classify: any key of the store, the documented answer, clear errors."""

from __future__ import annotations

import pytest

from retorno.accounts.tests.factories import issue_key, revoked_key
from retorno.api.tests.client import ApiClient, problem
from retorno.insight.models import CommentPrediction, StoreModel
from retorno.insight.training import read_artefact

PATH = "/insight/classify"


@pytest.mark.django_db
def test_a_key_with_no_scope_at_all_may_classify(store):
    key = issue_key(store, (), name="bare")
    response = ApiClient(key).post(PATH, {"text": "no me queda pequeño, me queda grande"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == [
        "reason",
        "group",
        "confidence",
        "language",
        "abstained",
        "explanation",
        "size_direction",
        "model_version",
    ]
    assert (body["reason"], body["group"], body["size_direction"]) == ("too_large", "size", -1)
    assert body["language"] == "es"
    assert body["abstained"] is False
    assert body["model_version"].startswith("shipped-")
    assert {
        "kind": "phrase",
        "text": "me queda grande",
        "reason": "too_large",
        "weight": None,
    } in body["explanation"]
    assert not CommentPrediction.objects.exists()  # nothing is stored


@pytest.mark.django_db
def test_the_callers_language_is_taken_and_other_languages_abstain(api):
    spanish = api.post(PATH, {"text": "XL", "language": "ES"}).json()
    assert spanish["language"] == "es"
    french = api.post(PATH, {"text": "la taille est trop petite", "language": "fr"}).json()
    assert french["abstained"]
    assert french["reason"] == "other"
    assert french["language"] == "other"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "x" * 2001},
        {"text": "me queda grande", "language": "spanish"},
        {"text": 42},
    ],
    ids=["no text", "empty", "too long", "bad language", "not a string"],
)
def test_bad_input_is_a_422_problem(api, body):
    problem(api.post(PATH, body), 422, "validation_error")


@pytest.mark.django_db
def test_no_key_or_a_revoked_one_is_401(store):
    problem(ApiClient().post(PATH, {"text": "grande"}), 401, "unauthorized")
    problem(ApiClient(revoked_key(store)).post(PATH, {"text": "grande"}), 401, "unauthorized")


@pytest.mark.django_db
def test_each_store_gets_its_own_model(store, other_store, api, other_key):
    artefact = {**read_artefact(), "version": "store-shop-1"}
    StoreModel.objects.create(
        store=store,
        version="store-shop-1",
        artefact=artefact,
        active=True,
        store_examples=40,
        trained_at="2026-11-01T00:00:00Z",
    )
    mine = api.post(PATH, {"text": "me queda pequeño"}).json()
    theirs = ApiClient(other_key).post(PATH, {"text": "me queda pequeño"}).json()
    assert mine["model_version"] == "store-shop-1"
    assert theirs["model_version"].startswith("shipped-")


def test_the_operation_is_in_the_openapi_document_with_its_errors():
    from retorno.api.v1.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/insight/classify"]["post"]
    assert {"200", "401", "422"} <= set(operation["responses"])
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("ClassifyIn")
