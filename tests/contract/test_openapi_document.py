"""The OpenAPI document as a reader gets it: JSON without a key twice anywhere, valid OpenAPI
3.1 for a real validator, and built once per process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from retorno.api.v1 import api as api_module
from retorno.api.v1.api import api, responses_by_status_text

URL = "/api/v1/openapi.json"


class DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(f"{key!r} appears twice in one object")
        seen.add(key)
    return dict(pairs)


def strict_json(body: bytes) -> Any:
    return json.loads(body, object_pairs_hook=_refuse_duplicates)


def test_the_strict_reader_refuses_a_key_written_twice() -> None:
    with pytest.raises(DuplicateKey, match="'200'"):
        strict_json(b'{"responses": {"200": {}, "200": {"description": "again"}}}')


def test_the_document_has_no_key_twice_and_is_valid_openapi_3_1(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    document = strict_json(response.content)
    assert document["openapi"].startswith("3.1")
    errors = [
        f"{'/'.join(str(p) for p in error.path)}: {error.message}"
        for error in OpenAPIV31SpecValidator(document).iter_errors()
    ]
    assert errors == []


def test_every_response_is_keyed_by_status_text(client: Client) -> None:
    document = strict_json(client.get(URL).content)
    keys = [
        status
        for item in document["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
    ]
    assert keys
    assert all(isinstance(key, str) and key.isdigit() for key in keys)
    label = document["paths"]["/api/v1/returns/{rma}/label"]["get"]["responses"]["200"]
    assert label["description"] == "A 4×6 inch PDF"
    assert "application/pdf" in label["content"]


def test_a_status_given_as_a_number_and_as_text_is_merged_the_later_winning() -> None:
    merged = responses_by_status_text(
        {
            200: {"description": "OK", "content": {"application/json": {"schema": {}}}},
            404: {"description": "Not found"},
            "200": {"description": "A PDF", "content": {"application/pdf": {}}},
        }
    )
    assert list(merged) == ["200", "404"]
    assert merged["200"] == {
        "description": "A PDF",
        "content": {"application/json": {"schema": {}}, "application/pdf": {}},
    }


def test_the_document_is_built_once_per_process(client: Client, monkeypatch: Any) -> None:
    builds = []
    real = api_module.NinjaAPI.get_openapi_schema

    def counting(self: Any, **kwargs: Any) -> Any:
        builds.append(kwargs)
        return real(self, **kwargs)

    monkeypatch.setattr(api_module.NinjaAPI, "get_openapi_schema", counting)
    monkeypatch.setattr(api, "_documents", {})
    first = client.get(URL)
    second = client.get(URL)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(builds) == 1


def _schema_classes(base: type) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_schema_classes(sub))
    return found


def test_no_two_body_schemas_share_a_name() -> None:
    """The document names a body's schema by its class name alone, so two classes of one name in
    different routers would be one component: the later silently describes both (an analytics
    `SupplierOut` once replaced the warehouse's and its answers no longer matched the document)."""
    from pydantic import BaseModel

    api.get_openapi_schema()  # every router imported
    ours = [
        cls
        for cls in _schema_classes(BaseModel)
        if cls.__module__.startswith("retorno.api.") and "[" not in cls.__name__
    ]
    by_name: dict[str, set[str]] = {}
    for cls in ours:
        by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    twice = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert twice == {}
