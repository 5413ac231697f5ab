"""The HTTP edges every request passes: body limits, health, unknown API paths."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from retorno.api.tests.client import problem


def test_health_reports_ok(db):
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_favicon_is_a_real_icon_served_as_a_static_file(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert "max-age" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    icon = Image.open(io.BytesIO(body))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])


def test_bad_content_length_is_400(db):
    response = Client().generic(
        "POST", "/api/v1/orders", b"{}", content_type="application/json", CONTENT_LENGTH="abc"
    )
    problem(response, 400, "invalid_content_length")


def test_body_limit_applies_to_every_path(db, settings):
    settings.RETORNO_MAX_BODY_BYTES = 10
    problem(Client().post("/health", "x" * 11, content_type="text/plain"), 413, "body_too_large")


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/returns/R-1/nope", "/api/v1/returns/"])
def test_unknown_api_path_is_404_problem(api, path):
    response = Client().get(path, headers={"Authorization": api.authorization})
    problem(response, 404, "not_found")


def test_a_method_an_endpoint_does_not_have_is_405_problem(api):
    response = Client().delete("/api/v1/returns", headers={"Authorization": api.authorization})
    problem(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert "DELETE" in response.json()["detail"]


def test_openapi_document_and_docs_are_public(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Retorno API"
    assert client.get("/api/v1/docs").status_code == 200


def test_error_responses_are_documented_as_problem_json(db):
    schema = Client().get("/api/v1/openapi.json").json()
    for path in schema["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if str(status).startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/returns/R-%00",
        "/api/v1/orders/a%00b",
        "/api/v1/orders/a%00b/eligibility",
        "/api/v1/returns?order=a%00",
        "/api/v1/returns?customer_email=%00",
    ],
)
def test_nul_in_path_or_query_is_400_on_every_engine(api, path):
    # PostgreSQL cannot store or compare text with NUL: this used to be a 500 there.
    response = Client().get(path, headers={"Authorization": api.authorization})
    problem(response, 400, "nul_character")


@pytest.mark.parametrize(
    ("where", "value"),
    [("customer", {"name": "A\x00B"}), ("line", {"options": {"size": "M\x00"}})],
)
def test_nul_in_a_json_body_is_400_and_nothing_is_written(api, where, value):
    from retorno.orders.models import Order
    from retorno.orders.tests.factories import order_payload

    payload = order_payload("nul")
    target = payload["customer"] if where == "customer" else payload["lines"][0]
    target.update(value)

    problem(api.post("/orders", payload), 400, "nul_character")
    assert not Order.objects.exists()


def test_an_escaped_backslash_before_u0000_is_just_text(api):
    from retorno.orders.tests.factories import order_payload

    payload = order_payload("text")
    payload["customer"]["name"] = "C:\\u0000"
    response = api.post("/orders", payload)
    assert response.status_code == 201, response.content


def test_nul_in_a_form_body_is_400(db):
    response = Client().post("/health", "a=%00", content_type="application/x-www-form-urlencoded")
    problem(response, 400, "nul_character")


def _multipart(size: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"photos": SimpleUploadedFile("p.jpg", b"x" * size, content_type="image/jpeg")}


def test_an_oversized_form_gets_a_page_not_json(db, settings):
    settings.RETORNO_MAX_UPLOAD_BYTES = 2000
    response = Client().post("/s/any/", _multipart(5000), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "Lo que has enviado es demasiado grande" in response.content.decode()


def test_a_form_with_photos_may_be_larger_than_other_bodies(db, settings):
    settings.RETORNO_MAX_BODY_BYTES = 1000
    settings.RETORNO_MAX_UPLOAD_BYTES = 20_000
    # Past the body limit, within the upload limit: it reaches the page (no such store: 404).
    assert Client().post("/s/any/", _multipart(5000)).status_code == 404
    # The API keeps the body limit, files or not.
    problem(Client().post("/api/v1/orders", _multipart(5000)), 413, "body_too_large")


def test_nul_in_a_form_of_a_page_gets_a_page(db):
    response = Client().post("/s/any/", "a=%00", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"Something is wrong with this request" in response.content
