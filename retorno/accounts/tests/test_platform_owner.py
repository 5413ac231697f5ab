"""A platform admin (a superuser) gives a store its first owner: a store made without one has
nobody else who may, since only owners make owners. They work in every store as its owner, so
its Team page invites an owner, or makes someone already there one, each step on the store's
audit log under their name; the admin site only reads who works where."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from retorno.accounts.models import AuditEntry, Membership
from retorno.accounts.services import membership_grant
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver\.example(/staff/invite/\S+)")


@pytest.fixture
def root(client: Client, settings: Any) -> Client:
    settings.RETORNO_PUBLIC_URL = "http://testserver.example"
    user = get_user_model().objects.create_superuser("root", "root@platform.test", "pw-pw-pw-pw")
    client.force_login(user)
    return client


def _audit(store: Any) -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(store=store)
        .order_by("id")
        .values_list("actor_label", "action", "target")
    )


def test_a_platform_admin_invites_a_store_s_first_owner(root: Client, smtp_server: Any) -> None:
    store = StoreFactory(slug="sin-dueno", name="Sin Dueño")
    assert root.post("/staff/store", {"store": store.slug}).status_code == 302
    team = root.get("/staff/settings/team")
    assert team.context["staff"].role == "owner"
    assert ("owner", "Owner") in [(code, str(name)) for code, name in team.context["roles"]]
    response = root.post(
        "/staff/settings/team", {"email": "ana@sin-dueno.test", "role": "owner", "language": "es"}
    )
    assert response.status_code == 302
    (arrival,) = smtp_server.arrivals
    path = LINK.search(arrival.text).group(1)  # type: ignore[union-attr]
    joined = Client().post(
        path,
        {
            "username": "ana",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert joined.status_code == 302
    assert Membership.objects.get(store=store, user__username="ana").role == "owner"
    assert _audit(store) == [
        ("root", "staff.invited", "ana@sin-dueno.test"),
        ("ana", "staff.joined", "ana@sin-dueno.test"),
    ]


def test_a_platform_admin_makes_an_admin_the_owner(root: Client) -> None:
    store = StoreFactory(slug="tienda", name="Tienda")
    admin = membership_grant(
        store=store, username="luis", email="luis@tienda.test", role="admin", password="x-y-z-1-2"
    )
    root.post("/staff/store", {"store": store.slug})
    response = root.post(f"/staff/settings/team/{admin.user_id}/role", {"role": "owner"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=admin.pk).role == "owner"
    assert _audit(store) == [("root", "staff.role_changed", "luis@tienda.test")]
    details = AuditEntry.objects.get(store=store).details
    assert (details["from"], details["to"]) == ("admin", "owner")


def test_the_admin_site_only_reads_memberships(root: Client) -> None:
    store = StoreFactory(slug="tienda", name="Tienda")
    member = membership_grant(
        store=store, username="eva", email="eva@tienda.test", role="agent", password="x-y-z-1-2"
    )
    assert root.get("/admin/accounts/membership/").status_code == 200
    assert root.get("/admin/accounts/membership/add/").status_code == 403
    page = root.get(f"/admin/accounts/membership/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="role"' not in page.content.decode()
    root.post(f"/admin/accounts/membership/{member.pk}/change/", {"role": "owner"})
    assert Membership.objects.get(pk=member.pk).role == "agent"
