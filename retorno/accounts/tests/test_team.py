"""The store's team: invitations by e-mail (real SMTP on 127.0.0.1), signed links that expire
and open once, roles each role may give, deactivation that stops pages and API keys at once,
password resets by e-mail, and who may see the team and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from retorno.accounts.models import ApiKey, AuditEntry, Membership, StaffInvite
from retorno.accounts.services import api_key_create
from retorno.accounts.services.team import invite_token
from retorno.backoffice.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "manager", "agent", "warehouse", "finance", "analyst")
LEADS = ("owner", "admin", "manager")
LINK = re.compile(r"http://testserver\.example(/staff/invite/\S+)")


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.RETORNO_PUBLIC_URL = "http://testserver.example"


def _link(arrival: Any, pattern: re.Pattern[str] = LINK) -> str:
    found = pattern.search(arrival.text)
    assert found, arrival.text
    return found.group(1)


def test_an_owner_invites_by_email_and_the_link_opens_once(
    signed_in: Any, smtp_server: Any, store: Any
) -> None:
    owner = signed_in("owner")
    response = owner.post(
        "/staff/settings/team", {"email": "nuria@shop.test", "role": "agent", "language": "en"}
    )
    assert response.status_code == 302
    (arrival,) = smtp_server.arrivals
    assert arrival.rcpt_tos == ["nuria@shop.test"]
    assert store.name in arrival.subject
    assert "as Agent" in arrival.text
    path = _link(arrival)
    invite = StaffInvite.objects.get(email="nuria@shop.test")
    assert invite.sent_at is not None
    assert invite.nonce not in arrival.text.replace(path, "")

    newcomer = Client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "Join" in page.content.decode()
    response = newcomer.post(
        path,
        {
            "first_name": "Nuria",
            "last_name": "Gil",
            "username": "nuria",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    member = Membership.objects.get(user__username="nuria", store=store)
    assert member.role == "agent"
    assert newcomer.get("/staff/returns").status_code == 200  # signed in, in the store
    assert Client().get(path).status_code == 404  # once
    assert list(
        AuditEntry.objects.filter(store=store).order_by("id").values_list("action", "target")
    ) == [("staff.invited", "nuria@shop.test"), ("staff.joined", "nuria@shop.test")]


def test_a_link_that_expired_was_withdrawn_or_was_forged_does_not_open(
    signed_in: Any, smtp_server: Any, store: Any
) -> None:
    signed_in("admin").post(
        "/staff/settings/team", {"email": "a@x.test", "role": "agent", "language": "en"}
    )
    invite = StaffInvite.objects.get()
    token = invite_token(invite)
    anonymous = Client()
    assert anonymous.get(f"/staff/invite/{token}").status_code == 200
    assert anonymous.get(f"/staff/invite/{token[:-2]}xx").status_code == 404
    StaffInvite.objects.filter(pk=invite.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = anonymous.get(f"/staff/invite/{token}")
    assert response.status_code == 404
    assert "expired" in response.content.decode()
    StaffInvite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() + timedelta(days=1))
    signed_in("admin").post(f"/staff/settings/team/invites/{invite.pk}/revoke")
    assert anonymous.get(f"/staff/invite/{token}").status_code == 404
    assert Membership.objects.filter(user__email="a@x.test").count() == 0


def test_an_invitation_to_an_existing_account_is_accepted_signed_in(
    signed_in: Any, smtp_server: Any, store: Any, other_store: Any, staff: dict[str, Any]
) -> None:
    """The agent of another store is invited here: they sign in and accept with one button."""
    client = signed_in("owner")
    client.post(
        "/staff/settings/team",
        {"email": "agent@other.test", "role": "warehouse", "language": "en"},
    )
    path = _link(smtp_server.arrivals[0])
    anonymous = Client()
    assert "sign in to accept" in anonymous.get(path).content.decode()
    assert (
        anonymous.post(path, {"username": "x", "password1": "p", "password2": "p"}).status_code
        == 422
    )
    other = Client()
    other.force_login(staff["other_agent"])
    assert other.post(path).status_code == 302
    assert Membership.objects.get(user=staff["other_agent"], store=store).role == "warehouse"


def test_a_weak_password_and_a_taken_name_are_refused_with_a_message(
    signed_in: Any, smtp_server: Any
) -> None:
    signed_in("owner").post(
        "/staff/settings/team", {"email": "new@x.test", "role": "agent", "language": "en"}
    )
    path = _link(smtp_server.arrivals[0])
    anonymous = Client()
    weak = anonymous.post(path, {"username": "new", "password1": "123", "password2": "123"})
    assert weak.status_code == 422
    assert 'class="err"' in weak.content.decode()
    taken = anonymous.post(
        path,
        {"username": "agent.shop", "password1": "a-long-pass-9x", "password2": "a-long-pass-9x"},
    )
    assert taken.status_code == 422
    assert "taken" in taken.content.decode()
    assert not get_user_model().objects.filter(email="new@x.test").exists()


def test_the_invitation_in_spanish(signed_in: Any, smtp_server: Any) -> None:
    signed_in("owner").post(
        "/staff/settings/team", {"email": "ana@x.test", "role": "manager", "language": "es"}
    )
    (arrival,) = smtp_server.arrivals
    assert "Únete" in arrival.subject
    assert "como Responsable" in arrival.text


def test_a_mail_server_down_keeps_the_invitation_to_send_again(signed_in: Any, smtp: Any) -> None:
    client = signed_in("admin")
    response = client.post(
        "/staff/settings/team",
        {"email": "b@x.test", "role": "agent", "language": "en"},
        follow=True,
    )
    assert "could not be sent" in response.content.decode()
    invite = StaffInvite.objects.get()
    assert invite.sent_at is None
    smtp.start()
    client.post(f"/staff/settings/team/invites/{invite.pk}/resend")
    assert len(smtp.arrivals) == 1
    invite.refresh_from_db()
    assert invite.revoked_at is not None  # replaced by the new one
    assert StaffInvite.objects.filter(revoked_at__isnull=True, sent_at__isnull=False).count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_team_and_the_audit_log(role: str, signed_in: Any) -> None:
    client = signed_in(role)
    expected = 200 if role in LEADS else 403
    assert client.get("/staff/settings/team").status_code == expected
    assert client.get("/staff/settings/audit").status_code == expected
    nav = client.get("/staff/").content.decode()
    assert ('href="/staff/settings/team"' in nav) is (role in LEADS)


@pytest.mark.parametrize(
    ("role", "gives", "allowed"),
    [
        ("owner", "owner", True),
        ("owner", "admin", True),
        ("admin", "owner", False),
        ("admin", "manager", True),
        ("manager", "agent", True),
        ("manager", "warehouse", True),
        ("manager", "admin", False),
        ("manager", "finance", False),
    ],
)
def test_each_role_invites_only_the_roles_below_it(
    role: str, gives: str, allowed: bool, signed_in: Any, smtp_server: Any
) -> None:
    response = signed_in(role).post(
        "/staff/settings/team", {"email": "c@x.test", "role": gives, "language": "en"}
    )
    assert response.status_code == (302 if allowed else 422)
    assert StaffInvite.objects.filter(email="c@x.test").exists() is allowed
    assert len(smtp_server.arrivals) == (1 if allowed else 0)


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_other_roles_change_nothing(role: str, signed_in: Any, staff: dict[str, Any]) -> None:
    client = signed_in(role)
    target = staff["warehouse"].pk if role != "warehouse" else staff["agent"].pk
    assert (
        client.post(
            "/staff/settings/team", {"email": "d@x.test", "role": "agent", "language": "en"}
        ).status_code
        == 403
    )
    assert client.post(f"/staff/settings/team/{target}/deactivate").status_code == 403
    assert client.post(f"/staff/settings/team/{target}/role", {"role": "agent"}).status_code == 403
    assert not StaffInvite.objects.exists()
    assert not AuditEntry.objects.exists()
    assert Membership.objects.filter(deactivated_at__isnull=False).count() == 0


def test_a_manager_changes_agents_but_not_admins(signed_in: Any, staff: dict[str, Any]) -> None:
    client = signed_in("manager")
    client.post(f"/staff/settings/team/{staff['agent'].pk}/role", {"role": "warehouse"})
    assert Membership.objects.get(user=staff["agent"]).role == "warehouse"
    response = client.post(f"/staff/settings/team/{staff['admin'].pk}/deactivate", follow=True)
    assert "may not give, change or remove" in response.content.decode()
    assert Membership.objects.get(user=staff["admin"]).deactivated_at is None
    client.post(f"/staff/settings/team/{staff['admin'].pk}/role", {"role": "agent"})
    assert Membership.objects.get(user=staff["admin"]).role == "admin"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.details) == (
        "staff.role_changed",
        {"from": "agent", "to": "warehouse"},
    )
    assert entry.actor == staff["manager"]


def test_the_last_owner_stays(signed_in: Any, staff: dict[str, Any]) -> None:
    owner = signed_in("owner")
    response = owner.post(
        f"/staff/settings/team/{staff['owner'].pk}/role", {"role": "admin"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.get(user=staff["owner"]).role == "owner"
    response = owner.post(f"/staff/settings/team/{staff['owner'].pk}/deactivate", follow=True)
    assert "cannot deactivate yourself" in response.content.decode()


def test_deactivating_stops_pages_and_api_keys_at_once(
    signed_in: Any, staff: dict[str, Any], store: Any
) -> None:
    agent_page = Client()
    agent_page.force_login(staff["agent"])
    assert agent_page.get("/staff/returns").status_code == 200
    key, plain = api_key_create(
        store=store, name="agent's script", scopes=["read"], created_by=staff["agent"]
    )
    other_key, other_plain = api_key_create(store=store, name="ERP", scopes=["read"])
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert api.get("/api/v1/returns", **auth).status_code == 200

    signed_in("admin").post(f"/staff/settings/team/{staff['agent'].pk}/deactivate")

    response = agent_page.get("/staff/returns")
    assert response.status_code == 302
    assert "/staff/login" in response["Location"]
    assert api.get("/api/v1/returns", **auth).status_code == 401
    assert api.get("/api/v1/returns", HTTP_AUTHORIZATION=f"Bearer {other_plain}").status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert ApiKey.objects.get(pk=other_key.pk).revoked_at is None
    agent = get_user_model().objects.get(pk=staff["agent"].pk)
    assert agent.is_active is False
    assert not Client().login(username="agent.shop", password=PASSWORD)
    entry = AuditEntry.objects.get(action="staff.deactivated")
    assert entry.details == {"role": "agent", "api_keys_revoked": "agent's script"}

    signed_in("admin").post(f"/staff/settings/team/{staff['agent'].pk}/reactivate")
    assert Client().login(username="agent.shop", password=PASSWORD)
    key.refresh_from_db()
    assert key.revoked_at is not None  # stays revoked


def test_deactivated_in_one_store_still_works_in_another(
    signed_in: Any, staff: dict[str, Any], store: Any, other_store: Any
) -> None:
    from retorno.accounts.services import membership_grant

    membership_grant(
        store=other_store, username="agent.shop", email="agent@shop.test", role="agent"
    )
    agent = Client()
    agent.force_login(staff["agent"])
    signed_in("owner").post(f"/staff/settings/team/{staff['agent'].pk}/deactivate")
    page = agent.get("/staff/returns")
    assert page.status_code == 200
    assert page.context["staff"].store == other_store
    assert get_user_model().objects.get(pk=staff["agent"].pk).is_active


def test_a_password_reset_by_email(client: Client, smtp_server: Any, staff: dict[str, Any]) -> None:
    response = client.post("/staff/password-reset", {"email": "finance@shop.test"})
    assert response.status_code == 302
    (arrival,) = smtp_server.arrivals
    assert arrival.rcpt_tos == ["finance@shop.test"]
    path = _link(arrival, re.compile(r"http://testserver\.example(/staff/password-reset/\S+)"))
    form = client.get(path, follow=True)
    assert "password-set-form" in form.content.decode()
    set_path = form.redirect_chain[-1][0]
    done = client.post(
        set_path, {"new_password1": "new-pass-phrase-42", "new_password2": "new-pass-phrase-42"}
    )
    assert done.status_code == 302
    assert Client().login(username="finance.shop", password="new-pass-phrase-42")
    again = client.get(path, follow=True)
    assert "reset-invalid" in again.content.decode()  # the link works once


def test_no_reset_mail_to_an_unknown_or_switched_off_address(
    client: Client, smtp_server: Any, staff: dict[str, Any]
) -> None:
    get_user_model().objects.filter(pk=staff["analyst"].pk).update(is_active=False)
    for email in ("nobody@x.test", "analyst@shop.test"):
        assert client.post("/staff/password-reset", {"email": email}).status_code == 302
    assert smtp_server.arrivals == []


def test_settings_and_money_changes_are_on_the_audit_log_with_filters(
    signed_in: Any, staff: dict[str, Any], store: Any
) -> None:
    admin = signed_in("admin")
    assert (
        admin.post("/staff/settings/api-keys", {"name": "ERP", "scopes": ["read"]}).status_code
        == 201
    )
    key = ApiKey.objects.get(name="ERP")
    assert key.created_by == staff["admin"]
    admin.post(f"/staff/settings/api-keys/{key.pk}/revoke")
    admin.post("/staff/settings/api-keys", {"name": ""})  # refused: not logged
    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.target, e.actor_label) for e in entries] == [
        ("settings.api_key_created", "", "admin.shop"),
        ("settings.api_key_revoked", str(key.pk), "admin.shop"),
    ]
    assert entries[0].details == {"name": "ERP", "scopes": "read"}

    page = admin.get("/staff/settings/audit").content.decode()
    assert "Created an API key" in page
    assert "Revoked an API key" in page
    only = admin.get("/staff/settings/audit", {"action": "settings.api_key_revoked"})
    assert only.context["page"].total == 1
    family = admin.get("/staff/settings/audit", {"action": "settings"})
    assert family.context["page"].total == 2
    someone_else = admin.get("/staff/settings/audit", {"who": staff["owner"].pk})
    assert someone_else.status_code == 200  # not on the log: the choice is refused, all shown
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    later = admin.get("/staff/settings/audit", {"since": tomorrow})
    assert later.context["page"].total == 0
    assert "Nothing on the log matches" in later.content.decode()


def test_the_team_page_in_spanish(signed_in: Any, staff: dict[str, Any]) -> None:
    client = signed_in("owner")
    client.cookies["django_language"] = "es"
    page = client.get("/staff/settings/team", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Equipo" in page
    assert "Invitar a alguien" in page
    assert "Responsable" in page


def test_the_audit_log_pages_by_cursor(signed_in: Any, staff: dict[str, Any], store: Any) -> None:
    from retorno.accounts.services.audit import audit_record

    start = timezone.now() - timedelta(hours=2)
    for n in range(60):
        audit_record(
            store=store,
            actor=staff["admin"],
            action="settings.supplier_saved",
            target=f"S{n:02d}",
            at=start + timedelta(minutes=n),
        )
    client = signed_in("manager")
    first = client.get("/staff/settings/audit")
    page = first.context["page"]
    assert (len(page.results), page.total) == (50, 60)
    assert page.results[0].target == "S59"
    second = client.get("/staff/settings/audit", {"after": page.next_cursor})
    rest = second.context["page"]
    assert [e.target for e in rest.results] == [f"S{n:02d}" for n in range(9, -1, -1)]
    assert rest.next_cursor is None
    assert client.get("/staff/settings/audit", {"after": "not-a-cursor"}).status_code == 200
