"""`retorno createstore --owner-email`: the new store's first owner is invited by e-mail, opens
the link, and lands in the store's first-run checklist as its owner."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from retorno.accounts.models import AuditEntry, Membership
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.RETORNO_PUBLIC_URL = "http://testserver.example"


def test_the_first_owner_is_invited_and_walked_through_the_checklist() -> None:
    out = StringIO()
    call_command(
        "createstore",
        "boutique",
        "--api-key",
        "rtn_boutique_key_0123456789",
        "--owner-email",
        "ana@boutique.test",
        "--language",
        "es",
        stdout=out,
    )
    assert "Owner invitation sent to ana@boutique.test" in out.getvalue()
    (sent,) = mail.outbox
    assert sent.to == ["ana@boutique.test"]
    path = re.search(r"http://testserver\.example(/staff/invite/\S+)", sent.body).group(1)
    assert path.split(":")[0] in out.getvalue()  # the same invitation (signed a moment apart)
    entry = AuditEntry.objects.get(action="staff.invited")
    assert entry.actor_label == "Retorno"

    ana = Client()
    joined = ana.post(
        path,
        {
            "username": "ana",
            "first_name": "Ana",
            "password1": "a-long-owner-password-1",
            "password2": "a-long-owner-password-1",
        },
    )
    assert joined.status_code == 302, joined.content.decode()[:2000]
    assert Membership.objects.get(user__username="ana").role == "owner"
    checklist = ana.get("/staff/settings/start")
    assert checklist.status_code == 200
    # The owner may now invite another owner: the store is theirs.
    team = ana.post(
        "/staff/settings/team", {"email": "luis@boutique.test", "role": "owner", "language": "es"}
    )
    assert team.status_code == 302


def test_a_bad_address_is_refused_before_anything_is_made() -> None:
    with pytest.raises(CommandError):
        call_command("createstore", "shop2", "--owner-email", "not-an-address", stdout=StringIO())
    assert not Store.objects.filter(slug="shop2").exists()
