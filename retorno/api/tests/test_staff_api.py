"""/api/v1/staff: the team through the API (scope `team`). A key acts with its maker's role,
under the same rules as the team's page; other stores, other scopes and lesser roles change
nothing; every change is on the audit log under the key's name."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from retorno.accounts.models import ApiKey, AuditEntry, Membership, StaffInvite
from retorno.accounts.services import api_key_create, membership_grant
from retorno.accounts.tests.factories import IssuedKey, issue_key
from retorno.api.tests.client import ApiClient, problem
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "manager", "agent", "warehouse", "finance", "analyst")


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.RETORNO_PUBLIC_URL = "http://testserver.example"


@pytest.fixture
def people(store: Store, other_store: Store) -> dict[str, Any]:
    found = {
        role: membership_grant(
            store=store, username=f"{role}.shop", email=f"{role}@shop.test", role=role
        ).user
        for role in ROLES
    }
    found["other"] = membership_grant(
        store=other_store, username="owner.other", email="owner@other.test", role="owner"
    ).user
    return found


def _key_of(store: Store, user: Any, scopes: tuple[str, ...] = ("team",)) -> ApiClient:
    record, plain = api_key_create(store=store, name=f"by {user}", scopes=scopes, created_by=user)
    return ApiClient(IssuedKey(record, plain))


def _state(store: Store) -> tuple[Any, ...]:
    """Everything a team call could change, to check a refused one changed nothing."""
    return (
        sorted(
            Membership.objects.filter(store=store).values_list("user_id", "role", "deactivated_at")
        ),
        sorted(StaffInvite.objects.filter(store=store).values_list("id", "revoked_at")),
        AuditEntry.objects.filter(store=store).count(),
        ApiKey.objects.filter(revoked_at__isnull=False).count(),
    )


def test_an_owners_key_invites_and_the_link_opens(store: Store, people: dict[str, Any]) -> None:
    owner = _key_of(store, people["owner"])
    response = owner.post(
        "/staff/invitations", {"email": "Nuria@Shop.TEST", "role": "agent", "language": "es"}
    )
    assert response.status_code == 201, response.content
    body = json.loads(response.content)
    assert body["email"] == "Nuria@shop.test"
    assert (body["role"], body["language"], body["state"], body["delivered"]) == (
        "agent",
        "es",
        "pending",
        True,
    )
    (sent,) = mail.outbox
    assert sent.to == ["Nuria@shop.test"]
    path = re.search(r"http://testserver\.example(/staff/invite/\S+)", sent.body).group(1)
    assert Client().get(path).status_code == 200

    listed = json.loads(owner.get("/staff/invitations").content)["results"]
    assert [i["id"] for i in listed] == [body["id"]]
    entry = AuditEntry.objects.get(store=store, action="staff.invited")
    assert entry.actor == people["owner"]
    assert entry.actor_label.startswith("API key by owner.shop")

    again = json.loads(owner.post(f"/staff/invitations/{body['id']}/resend").content)
    assert again["id"] != body["id"]
    assert again["state"] == "pending"
    assert Client().get(path).status_code == 404  # the old link no longer opens
    withdrawn = owner.post(f"/staff/invitations/{again['id']}/revoke")
    assert json.loads(withdrawn.content)["state"] == "revoked"
    assert json.loads(owner.get("/staff/invitations").content)["results"] == []


def test_roles_deactivation_and_reset(store: Store, people: dict[str, Any]) -> None:
    admin = _key_of(store, people["admin"])
    agent_id = people["agent"].pk
    team = json.loads(admin.get("/staff").content)["results"]
    assert {m["role"] for m in team} == set(ROLES)

    changed = admin.put(f"/staff/{agent_id}/role", {"role": "manager"})
    assert json.loads(changed.content)["role"] == "manager"
    # An admin makes no owner, and cannot touch one.
    problem(admin.put(f"/staff/{agent_id}/role", {"role": "owner"}), 403, "role_not_yours")
    problem(admin.post(f"/staff/{people['owner'].pk}/deactivate"), 403, "role_not_yours")

    agents_key, _ = api_key_create(store=store, name="theirs", created_by=people["agent"])
    gone = json.loads(admin.post(f"/staff/{agent_id}/deactivate").content)
    assert gone["active"] is False
    agents_key.refresh_from_db()
    assert agents_key.revoked_at is not None
    problem(admin.post(f"/staff/{agent_id}/password-reset", {}), 409, "deactivated")
    back = json.loads(admin.post(f"/staff/{agent_id}/reactivate").content)
    assert back["active"] is True

    reset = admin.post(f"/staff/{agent_id}/password-reset", {"language": "es"})
    assert reset.status_code == 202
    assert json.loads(reset.content) == {"delivered": True}
    (sent,) = mail.outbox
    assert sent.to == ["agent@shop.test"]
    assert "/staff/password-reset/" in sent.body
    assert "contraseña" in sent.subject.lower()
    # A key cannot deactivate the person who made it (that would revoke itself too).
    problem(admin.post(f"/staff/{people['admin'].pk}/deactivate"), 409, "deactivate_self")
    actions = list(
        AuditEntry.objects.filter(store=store).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "staff.role_changed",
        "staff.deactivated",
        "staff.reactivated",
        "staff.password_reset_sent",
    ]


def test_a_managers_key_manages_agents_and_warehouse_only(
    store: Store, people: dict[str, Any]
) -> None:
    manager = _key_of(store, people["manager"])
    created = manager.post("/staff/invitations", {"email": "w@shop.test", "role": "warehouse"})
    assert created.status_code == 201
    before = _state(store)
    problem(
        manager.post("/staff/invitations", {"email": "a@shop.test", "role": "admin"}),
        403,
        "role_not_yours",
    )
    problem(
        manager.put(f"/staff/{people['agent'].pk}/role", {"role": "finance"}), 403, "role_not_yours"
    )
    problem(manager.post(f"/staff/{people['finance'].pk}/password-reset"), 403, "role_not_yours")
    assert _state(store) == before


def test_a_key_follows_its_makers_role(store: Store, people: dict[str, Any]) -> None:
    key = _key_of(store, people["admin"])
    Membership.objects.filter(store=store, user=people["admin"]).update(role="agent")
    before = _state(store)
    problem(
        key.post("/staff/invitations", {"email": "x@shop.test", "role": "agent"}),
        403,
        "role_not_yours",
    )
    assert _state(store) == before


def test_a_command_line_key_acts_as_admin_and_keys_it_makes_too(
    store: Store, people: dict[str, Any]
) -> None:
    cli = ApiClient(issue_key(store, ("admin", "team")))  # no maker: `createstore --api-key`
    problem(
        cli.post("/staff/invitations", {"email": "o@shop.test", "role": "owner"}),
        403,
        "role_not_yours",
    )
    made = json.loads(cli.post("/api-keys", {"name": "ops", "scopes": ["team"]}).content)
    ops = ApiClient(authorization=f"Bearer {made['key']}")
    assert (
        ops.post("/staff/invitations", {"email": "m@shop.test", "role": "manager"}).status_code
        == 201
    )
    # A key an owner made, making another, passes on its maker: the new key acts as owner.
    owners = _key_of(store, people["owner"], ("admin", "team"))
    minted = json.loads(owners.post("/api-keys", {"name": "o2", "scopes": ["team"]}).content)
    assert ApiKey.objects.get(pk=minted["id"]).created_by == people["owner"]


def test_scopes_other_stores_and_bad_input(
    store: Store, other_store: Store, people: dict[str, Any], admin_key: IssuedKey
) -> None:
    before = _state(store)
    # The everyday keys (read, write, admin) carry no team scope.
    problem(ApiClient(admin_key).get("/staff"), 403, "insufficient_scope")
    problem(
        ApiClient(admin_key).post("/staff/invitations", {"email": "x@shop.test", "role": "agent"}),
        403,
        "insufficient_scope",
    )
    assert ApiClient(None).get("/staff").status_code == 401
    theirs = _key_of(other_store, people["other"])
    assert [m["email"] for m in json.loads(theirs.get("/staff").content)["results"]] == [
        "owner@other.test"
    ]
    for call in (
        lambda: theirs.put(f"/staff/{people['agent'].pk}/role", {"role": "analyst"}),
        lambda: theirs.post(f"/staff/{people['agent'].pk}/deactivate"),
        lambda: theirs.post(f"/staff/{people['agent'].pk}/password-reset"),
    ):
        problem(call(), 404, "member_not_found")
    owner = _key_of(store, people["owner"])
    invite = json.loads(
        owner.post("/staff/invitations", {"email": "y@shop.test", "role": "agent"}).content
    )
    problem(theirs.post(f"/staff/invitations/{invite['id']}/revoke"), 404, "invite_not_found")
    before = _state(store)
    problem(
        owner.put(f"/staff/{people['agent'].pk}/role", {"role": "root"}), 422, "validation_error"
    )
    problem(
        owner.post("/staff/invitations", {"email": "nope", "role": "agent"}),
        422,
        "validation_error",
    )
    problem(
        owner.post("/staff/invitations", {"email": "agent@shop.test", "role": "agent"}),
        409,
        "already_member",
    )
    problem(owner.post(f"/staff/{people['owner'].pk}/deactivate"), 409, "deactivate_self")
    problem(owner.post("/staff/999999/deactivate"), 404, "member_not_found")
    assert _state(store) == before
    problem(owner.put(f"/staff/{people['owner'].pk}/role", {"role": "admin"}), 409, "last_owner")
    assert _state(store) == before
