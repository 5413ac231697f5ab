"""A carrier account's URLs pass the outbound-URL check when saved, and its stored secrets never
follow a change of where they are sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from retorno.api.tests.client import problem
from retorno.core.tests.dns import names_resolved
from retorno.logistics.crypto import decrypt_credentials
from retorno.logistics.gateways import account_config
from retorno.logistics.models import CarrierAccount

pytestmark = pytest.mark.django_db

EASYPOST = {
    "name": "EasyPost",
    "kind": "easypost",
    "capabilities": ["label"],
    "service_areas": [{"country": "US"}],
    "max_dimensions_cm": [100, 60, 60],
    "rates": {"USD": {"base_amount": "5.00", "per_kg_amount": "0.20"}},
    "config": {"base_url": "https://api.carrier.example/v2/", "service": "Priority"},
    "credentials": {"api_key": "EZAK-live-secret", "webhook_secret": "whsec"},
}


@pytest.fixture(autouse=True)
def production_rule() -> Iterator[None]:
    with override_settings(RETORNO_ALLOW_PRIVATE_URLS=False), names_resolved():
        yield


@pytest.fixture
def easypost(store, api) -> CarrierAccount:
    response = api.put("/carriers/ep", EASYPOST)
    assert response.status_code == 201, response.content
    return CarrierAccount.objects.get(store=store, code="ep")


def _stored(account: CarrierAccount) -> tuple:
    account.refresh_from_db()
    return account.config, account.credentials_encrypted, account.kind


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://169.254.169.254/latest/meta-data/", "url_scheme_not_allowed"),
        ("https://169.254.169.254/latest/meta-data/", "url_address_not_allowed"),
        ("https://127.0.0.1:8055", "url_address_not_allowed"),
        ("https://[::1]/", "url_address_not_allowed"),
        ("https://metadata.carrier.example/", "url_address_not_allowed"),
        ("https://mixed.carrier.example/", "url_address_not_allowed"),
        ("https://nowhere.carrier.example/", "url_host_unresolvable"),
        ("file:///etc/passwd", "url_scheme_not_allowed"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "url_scheme_not_allowed"),
        ("https://user:pw@api.carrier.example/", "url_has_credentials"),
    ],
)
def test_an_unsafe_base_url_is_a_422_naming_the_field_and_changes_nothing(
    api, easypost, url, code
) -> None:
    before = _stored(easypost)
    body = problem(
        api.put("/carriers/ep", {"config": {"base_url": url}}), 422, "invalid_outbound_url"
    )
    assert body["errors"] == [
        {"field": "config.base_url", "code": code, "message": body["errors"][0]["message"]}
    ]
    assert _stored(easypost) == before
    problem(
        api.put("/carriers/new", {**EASYPOST, "config": {"base_url": url}}),
        422,
        "invalid_outbound_url",
    )
    assert not CarrierAccount.objects.filter(code="new").exists()


def test_every_url_in_the_config_is_checked(api, easypost) -> None:
    body = problem(
        api.put(
            "/carriers/ep",
            {
                "config": {
                    "base_url": "https://api.carrier.example/",
                    "label_url": "http://10.0.0.1",
                }
            },
        ),
        422,
        "invalid_outbound_url",
    )
    assert [error["field"] for error in body["errors"]] == ["config.label_url"]
    body = problem(
        api.put("/carriers/ep", {"config": {"base_url": 42}}), 422, "invalid_outbound_url"
    )
    assert body["errors"][0]["code"] == "url_malformed"


def test_changing_the_base_url_alone_clears_the_stored_secrets(api, easypost) -> None:
    response = api.put("/carriers/ep", {"config": {"base_url": "https://v6.carrier.example/v2"}})
    assert response.status_code == 200, response.content
    assert response.json()["has_credentials"] is False
    easypost.refresh_from_db()
    assert decrypt_credentials(easypost.credentials_encrypted) == {}
    # The adapter that would call the new host is built without the old key.
    assert "api_key" not in account_config(easypost)


def test_secrets_given_with_the_new_base_url_are_kept(api, easypost) -> None:
    response = api.put(
        "/carriers/ep",
        {"config": {"base_url": "https://v6.carrier.example/v2"}, "credentials": {"api_key": "k2"}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["has_credentials"] is True
    easypost.refresh_from_db()
    assert decrypt_credentials(easypost.credentials_encrypted) == {"api_key": "k2"}


def test_changing_the_kind_clears_the_stored_secrets(api, easypost) -> None:
    response = api.put(
        "/carriers/ep",
        {"kind": "shippo", "config": {"base_url": "https://api.carrier.example/v2/"}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["has_credentials"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"config": {"base_url": "https://api.carrier.example/v2/", "service": "Express"}},
        {"name": "EasyPost US"},
        {"enabled": False},
    ],
)
def test_changes_that_keep_the_destination_keep_the_secrets(api, easypost, change) -> None:
    before = easypost.credentials_encrypted
    response = api.put("/carriers/ep", change)
    assert response.status_code == 200, response.content
    assert response.json()["has_credentials"] is True
    easypost.refresh_from_db()
    assert easypost.credentials_encrypted == before


def test_development_allows_the_local_simulator(api) -> None:
    with override_settings(RETORNO_ALLOW_PRIVATE_URLS=True):
        response = api.put(
            "/carriers/sim",
            {**EASYPOST, "kind": "simulator", "config": {"base_url": "http://127.0.0.1:8055"}},
        )
    assert response.status_code == 201, response.content
