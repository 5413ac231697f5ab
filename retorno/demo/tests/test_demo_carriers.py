"""The demo's carriers call the carrier simulator where `make run` starts it (SIM_PORT)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from retorno.logistics.crypto import decrypt_credentials
from retorno.logistics.demo import DEMO_SIMULATOR_URL
from retorno.logistics.models import CarrierAccount

pytestmark = pytest.mark.django_db
SIZE = ("--customers", "5", "--orders", "5")


def base_urls() -> dict[str, str]:
    return {
        code: config["base_url"]
        for code, config in CarrierAccount.objects.filter(store__slug="demo").values_list(
            "code", "config"
        )
    }


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *SIZE, *args, stdout=out)
    return out.getvalue()


def test_the_demo_carriers_follow_the_simulator_url_given_on_every_run() -> None:
    text = demo("--simulator-url", "http://127.0.0.1:8301")
    assert base_urls() == dict.fromkeys(("rapido", "norte", "eco"), "http://127.0.0.1:8301")
    assert "carrier simulator at http://127.0.0.1:8301" in text
    assert "8055" not in text

    demo("--simulator-url", "http://127.0.0.1:8302/")
    assert set(base_urls().values()) == {"http://127.0.0.1:8302"}
    for account in CarrierAccount.objects.filter(store__slug="demo"):
        assert decrypt_credentials(account.credentials_encrypted)["webhook_secret"]


def test_without_a_url_the_accounts_keep_theirs_and_new_ones_get_the_default() -> None:
    demo()
    assert set(base_urls().values()) == {DEMO_SIMULATOR_URL}
    demo("--simulator-url", "http://127.0.0.1:8301")
    demo()
    assert set(base_urls().values()) == {"http://127.0.0.1:8301"}
