"""The site's root and its error pages: a person gets a page in the portal's look and their
language, an API client gets problem+json."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from retorno.accounts.tests.factories import issue_key
from retorno.api.v1.routers import returns as returns_router
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


def test_the_root_of_a_single_store_install_is_its_returns_portal(store: Store):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/s/{store.slug}/"


def test_the_root_of_a_many_store_install_leads_to_the_staff_sign_in(store, other_store):
    response = Client().get("/", follow=True)
    assert response.redirect_chain[0][0] == "/staff/"
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/staff/login"


def test_the_root_with_no_store_yet_leads_to_the_staff_sign_in():
    assert not Store.objects.exists()
    assert Client().get("/")["Location"] == "/staff/"


@pytest.mark.parametrize("path", ["/no-such-page", "/staff/no-such-page", "/s/"])
def test_an_unknown_address_is_a_page_in_the_shoppers_language(path):
    english = Client().get(path)
    assert english.status_code == 404
    assert english["Content-Type"].startswith("text/html")
    assert b"Page not found" in english.content
    assert b"portal.css" in english.content
    spanish = Client().get(path, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 404
    assert "Página no encontrada" in spanish.content.decode()


def test_an_unknown_api_address_is_problem_json():
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404


def test_a_form_sent_without_its_security_token_explains_what_to_do(store):
    response = Client(enforce_csrf_checks=True).post(
        f"/s/{store.slug}/", {"email": "a@example.com", "number": "1001"}
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"This page has expired" in response.content
    assert b"Nothing was saved" in response.content
    spanish = Client(enforce_csrf_checks=True).post(
        f"/s/{store.slug}/", {"number": "1001"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Esta página ha caducado" in spanish.content.decode()


@pytest.mark.urls("retorno.portal.tests.urls_failing")
def test_the_failure_page_speaks_spanish_too():
    page = Client(raise_request_exception=False).get("/failing", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 500
    assert "Algo ha fallado" in page.content.decode()


@pytest.mark.urls("retorno.portal.tests.urls_failing")
def test_a_failure_is_a_calm_page_for_people_and_problem_json_for_the_api():
    client = Client(raise_request_exception=False)
    page = client.get("/failing")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert b"Something went wrong" in page.content
    assert b"a bug" not in page.content
    assert b"Traceback" not in page.content
    api = client.get("/api/v1/failing")
    assert api.status_code == 500
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "internal_error"
    assert b"a bug" not in api.content


@pytest.mark.urls("retorno.portal.tests.urls_failing")
def test_a_database_out_of_reach_is_a_503_to_try_again():
    client = Client(raise_request_exception=False)
    page = client.get("/database-gone", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Algo ha fallado" in page.content.decode()
    api = client.get("/api/v1/database-gone")
    assert api.status_code == 503
    assert api["Retry-After"] == "5"
    assert api.json()["code"] == "database_unavailable"


def test_an_api_call_whose_database_is_out_of_reach_answers_503(store, monkeypatch, caplog):
    key = issue_key(store)

    def gone(*args: object, **kwargs: object) -> None:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(returns_router.selectors, "return_list_for_store", gone)
    answer = Client().get("/api/v1/returns", HTTP_AUTHORIZATION=key.header)
    assert answer.status_code == 503, answer.content
    assert answer["Retry-After"] == "5"
    assert answer.json()["code"] == "database_unavailable"
    assert "Traceback" not in caplog.text


@pytest.mark.urls("retorno.portal.tests.urls_failing")
@pytest.mark.parametrize(
    ("path", "status", "code", "title"),
    [
        ("refused", 403, "forbidden", b"You cannot open this page"),
        ("suspicious", 400, "bad_request", b"Something is wrong with this request"),
    ],
)
def test_a_refusal_is_a_page_for_people_and_problem_json_for_the_api(path, status, code, title):
    client = Client(raise_request_exception=False)
    page = client.get(f"/{path}")
    assert page.status_code == status
    assert title in page.content
    assert b"a forged header" not in page.content
    api = client.get(f"/api/v1/{path}")
    assert api.status_code == status
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == code
