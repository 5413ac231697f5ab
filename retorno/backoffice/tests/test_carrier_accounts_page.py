"""Adding and editing carrier accounts in the back office: admins only, secrets write-only,
saved through the same service as the API (its checks apply), nothing changed on a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retorno.accounts.services import membership_grant
from retorno.backoffice.carrier_forms import areas_text, parse_areas
from retorno.logistics.crypto import decrypt_credentials
from retorno.logistics.models import CarrierAccount
from retorno.logistics.tests.factories import make_carrier
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]
SECRET = "s3cret-rapido"  # what make_carrier stores as rapido's webhook secret

PROFILE = {
    "name": "Rápido Express",
    "enabled": "on",
    "capabilities": ["pickup", "label", "tracking_webhook"],
    "service_areas": "ES\nPT: 1, 2, 3000..3999",
    "max_weight_grams": "25000",
    "max_dimensions_cm": "100 x 60 x 60",
    "max_length_plus_girth_cm": "",
    "base_amount": "4.50",
    "per_kg_amount": "0.35",
    "transit_days": "3",
    "daily_pickup_capacity": "40",
}
SIMULATOR = {**PROFILE, "setting_base_url": "http://127.0.0.1:8301", "setting_carrier": "rapido"}


def rows() -> list[tuple[Any, ...]]:
    """Every carrier account as stored, secrets included (as ciphertext)."""
    return list(
        CarrierAccount.objects.order_by("id").values_list(
            "store_id",
            "code",
            "name",
            "kind",
            "enabled",
            "config",
            "credentials_encrypted",
            "service_areas",
            "rates",
            "updated_at",
        )
    )


def secrets_of(store: Store, code: str) -> dict[str, Any]:
    account = CarrierAccount.objects.get(store=store, code=code)
    return decrypt_credentials(account.credentials_encrypted)


@pytest.fixture
def rapido(store: Store) -> CarrierAccount:
    return make_carrier(store, "rapido")


@pytest.fixture
def other_admin(other_store: Store) -> Client:
    """The right role in the wrong store."""
    user = membership_grant(
        store=other_store, username="admin.other", email="admin@other.test", role="admin"
    ).user
    client = Client()
    client.force_login(user)
    return client


# --- the authorization matrix -------------------------------------------------------------------


def requests_(store: Store) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("get", "/staff/carriers/rapido/edit", {}),
        ("post", "/staff/carriers/rapido/edit", {**SIMULATOR, "secret_webhook_secret": "new"}),
        ("get", "/staff/carriers/new/simulator", {}),
        ("post", "/staff/carriers/new/simulator", {**SIMULATOR, "code": "nuevo"}),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(
    store: Store, rapido: CarrierAccount, client: Client
) -> None:
    before = rows()
    for method, url, data in requests_(store):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert "/staff/login" in response["Location"], url
    assert rows() == before


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_are_refused_and_change_nothing(
    role: str, store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    client = signed_in(role)
    before = rows()
    for method, url, data in requests_(store):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert "change the store&#x27;s settings" in response.content.decode()
    assert rows() == before
    assert "/staff/carriers/new/" not in client.get("/staff/").content.decode()


def test_another_stores_admin_does_not_find_the_account_and_changes_nothing(
    store: Store, rapido: CarrierAccount, other_admin: Client
) -> None:
    before = rows()
    assert other_admin.get("/staff/carriers/rapido/edit").status_code == 404
    response = other_admin.post(
        "/staff/carriers/rapido/edit", {**SIMULATOR, "secret_webhook_secret": "stolen"}
    )
    assert response.status_code == 404
    assert rows() == before
    assert secrets_of(store, "rapido") == {"webhook_secret": SECRET}


def test_a_code_another_store_uses_is_a_new_account_of_ones_own(
    store: Store, other_store: Store, rapido: CarrierAccount, other_admin: Client
) -> None:
    response = other_admin.post("/staff/carriers/new/simulator", {**SIMULATOR, "code": "rapido"})
    assert response.status_code == 302
    mine = CarrierAccount.objects.get(store=other_store, code="rapido")
    assert mine.config["base_url"] == "http://127.0.0.1:8301"
    theirs = CarrierAccount.objects.get(store=store, code="rapido")
    assert theirs.config["base_url"] == "http://127.0.0.1:9"
    assert theirs.name == "Rápido"


# --- what an admin does ---------------------------------------------------------------------------


def test_the_carriers_page_links_to_adding_and_editing(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    html = signed_in("admin").get("/staff/carriers").content.decode()
    assert 'href="/staff/carriers/rapido/edit"' in html
    for kind in ("simulator", "easypost", "shippo"):
        assert f'href="/staff/carriers/new/{kind}"' in html
    assert "http://127.0.0.1:9" in html  # where it calls


def test_the_edit_form_shows_the_account_but_never_its_secrets(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    response = signed_in("admin").get("/staff/carriers/rapido/edit")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="http://127.0.0.1:9"' in html
    assert 'value="Rápido"' in html
    assert "ES" in html
    assert 'value="3.90"' in html
    assert 'value="120 x 80 x 80"' in html
    assert SECRET not in html
    assert 'type="password" name="secret_webhook_secret"' in html
    assert 'id="secrets-state"' in html
    assert "never shown" in html


def test_an_admin_edits_the_account_and_empty_secret_fields_keep_the_stored_ones(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    same_address = {**SIMULATOR, "setting_base_url": "http://127.0.0.1:9"}
    response = client.post("/staff/carriers/rapido/edit", same_address)
    assert response.status_code == 302
    assert response["Location"].endswith("/staff/carriers")
    account = CarrierAccount.objects.get(store=store, code="rapido")
    assert account.config == {"base_url": "http://127.0.0.1:9", "carrier": "rapido"}
    assert account.name == "Rápido Express"
    assert account.enabled
    assert account.capabilities == ["pickup", "label", "tracking_webhook"]
    assert account.service_areas == [
        {"country": "ES", "postal_prefixes": [], "postal_ranges": []},
        {"country": "PT", "postal_prefixes": ["1", "2"], "postal_ranges": [["3000", "3999"]]},
    ]
    assert account.max_weight_grams == 25000
    assert account.max_dimensions_cm == [100, 60, 60]
    assert account.rates == {"EUR": {"base_amount": "4.50", "per_kg_amount": "0.35"}}
    assert account.transit_days == 3
    assert account.daily_pickup_capacity == 40
    assert secrets_of(store, "rapido") == {"webhook_secret": SECRET}
    assert "Rápido Express is saved." in client.get("/staff/carriers").content.decode()


def test_a_new_address_takes_the_secrets_given_with_it_or_none(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    """The service never lets stored secrets follow a changed address; the form says so."""
    client = signed_in("admin")
    response = client.post(
        "/staff/carriers/rapido/edit", {**SIMULATOR, "secret_webhook_secret": "for-8301"}
    )
    assert response.status_code == 302
    assert secrets_of(store, "rapido") == {"webhook_secret": "for-8301"}
    moved = {**SIMULATOR, "setting_base_url": "http://127.0.0.1:8302"}
    response = client.post("/staff/carriers/rapido/edit", moved, follow=True)
    assert CarrierAccount.objects.get(store=store, code="rapido").credentials_encrypted == ""
    assert "its stored secrets were removed: give them again" in response.content.decode()


def test_the_outbound_url_check_applies_to_the_form(
    store: Store, rapido: CarrierAccount, signed_in: SignIn, settings: Any
) -> None:
    settings.RETORNO_ALLOW_PRIVATE_URLS = False
    client = signed_in("admin")
    before = rows()
    for url in ("http://169.254.169.254/", "file:///etc/passwd", "http://127.0.0.1:8301"):
        response = client.post(
            "/staff/carriers/rapido/edit",
            {**SIMULATOR, "setting_base_url": url, "secret_api_key": "leak-me"},
        )
        assert response.status_code == 422, url
        html = response.content.decode()
        assert 'id="form-errors"' in html
        assert "config.base_url" in html
        assert "leak-me" not in html
    assert rows() == before


def test_giving_secrets_replaces_all_of_them_and_remove_clears_them(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    client.post("/staff/carriers/rapido/edit", {**SIMULATOR, "secret_api_key": "key-2"})
    assert secrets_of(store, "rapido") == {"api_key": "key-2"}
    html = client.get("/staff/carriers/rapido/edit").content.decode()
    assert "key-2" not in html

    both = {**SIMULATOR, "secret_api_key": "key-3", "remove_secrets": "on"}
    response = client.post("/staff/carriers/rapido/edit", both)
    assert response.status_code == 422
    assert "not both" in response.content.decode()
    assert "key-3" not in response.content.decode()  # a refused form does not echo secrets
    assert secrets_of(store, "rapido") == {"api_key": "key-2"}

    client.post("/staff/carriers/rapido/edit", {**SIMULATOR, "remove_secrets": "on"})
    assert CarrierAccount.objects.get(store=store, code="rapido").credentials_encrypted == ""
    assert "No secrets are stored." in client.get("/staff/carriers/rapido/edit").content.decode()


def test_an_admin_adds_an_easypost_account_whose_api_key_is_needed(
    store: Store, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    page = client.get("/staff/carriers/new/easypost").content.decode()
    assert 'name="secret_api_key"' in page
    assert 'name="setting_service"' in page
    assert 'name="setting_base_url"' in page
    assert 'name="remove_secrets"' not in page
    data = {**PROFILE, "code": "ep", "setting_carrier": "USPS", "setting_base_url": ""}
    response = client.post("/staff/carriers/new/easypost", data)
    assert response.status_code == 422
    assert "This secret is needed." in response.content.decode()
    assert not CarrierAccount.objects.filter(code="ep").exists()

    response = client.post(
        "/staff/carriers/new/easypost",
        {**data, "secret_api_key": "EZAK-1", "secret_webhook_secret": ""},
    )
    assert response.status_code == 302
    account = CarrierAccount.objects.get(store=store, code="ep")
    assert account.kind == "easypost"
    assert account.config == {"carrier": "USPS"}
    assert secrets_of(store, "ep") == {"api_key": "EZAK-1"}
    assert "EZAK-1" not in account.config.values()


def test_adding_a_code_the_store_has_is_refused_and_changes_nothing(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    before = rows()
    response = signed_in("admin").post(
        "/staff/carriers/new/simulator", {**SIMULATOR, "code": "rapido"}
    )
    assert response.status_code == 422
    assert "already has a carrier with this code" in response.content.decode()
    assert rows() == before


def test_bad_input_is_shown_on_the_form_and_changes_nothing(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    client = signed_in("admin")
    before = rows()
    cases = {
        "service_areas": ("Spain", "Line 1: start with a two-letter country code"),
        "max_dimensions_cm": ("big", "Give three whole numbers"),
        "base_amount": ("4.505", "Ensure that there are no more than 2 decimal places."),
        "setting_carrier": ("", "This field is required."),
        "transit_days": ("99", "Ensure this value is less than or equal to 60."),
    }
    for field, (value, message) in cases.items():
        response = client.post("/staff/carriers/rapido/edit", {**SIMULATOR, field: value})
        assert response.status_code == 422, field
        assert message in response.content.decode(), field
    assert client.get("/staff/carriers/new/pigeon").status_code == 404
    assert rows() == before


def test_what_the_service_refuses_is_shown_on_the_form_and_changes_nothing(
    store: Store, rapido: CarrierAccount, signed_in: SignIn
) -> None:
    """The checks are the service's (here: a postal range backwards is invalid_carrier), so
    the form gets whatever the API gets, and the secrets typed are not kept."""
    client = signed_in("admin")
    before = rows()
    response = client.post(
        "/staff/carriers/rapido/edit",
        {**SIMULATOR, "service_areas": "ES: 29000..28000", "secret_api_key": "typed-key"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "29000" in html
    assert 'id="form-errors"' in html
    assert "typed-key" not in html
    assert rows() == before


def test_service_areas_read_back_as_they_are_written() -> None:
    areas = [
        {"country": "ES", "postal_prefixes": [], "postal_ranges": []},
        {"country": "PT", "postal_prefixes": ["1", "2"], "postal_ranges": [["3000", "3999"]]},
    ]
    assert areas_text(areas) == "ES\nPT: 1, 2, 3000..3999"
    assert parse_areas(areas_text(areas)) == areas
    assert parse_areas("es: 28 – 29, 08\n\n") == [
        {"country": "ES", "postal_prefixes": ["08"], "postal_ranges": [["28", "29"]]}
    ]


def test_the_form_speaks_spanish(store: Store, rapido: CarrierAccount, signed_in: SignIn) -> None:
    client = signed_in("admin")
    html = client.get("/staff/carriers/rapido/edit", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for text in ("Secretos", "Borrar los secretos guardados", "Recogida a domicilio", "Guardar"):
        assert text in html
    html = client.get("/staff/carriers", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Añadir una cuenta de transportista:" in html
