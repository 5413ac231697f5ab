"""The authorization matrix of every back-office action: anonymous, another store's staff,
each wrong role and each right role; a refusal changes nothing, a success is on the trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from retorno.backoffice import permissions
from retorno.backoffice.tests.conftest import snapshot
from retorno.returns.models import Return, ReturnEvent

ROLES = ("owner", "admin", "manager", "agent", "warehouse", "finance", "analyst")


@dataclass(frozen=True)
class Action:
    url_name: str
    permission: str
    fixture: str  # the return the action works on
    data: dict[str, str]
    event: str
    status_after: str


ACTIONS = {
    "approve": Action(
        "backoffice:return_approve",
        permissions.APPROVE,
        "pending",
        {"note": "ok"},
        "approved",
        "approved",
    ),
    "reject": Action(
        "backoffice:return_reject",
        permissions.REJECT,
        "pending",
        {"note": "Worn, tags removed."},
        "rejected",
        "rejected",
    ),
    "cancel": Action(
        "backoffice:return_cancel",
        permissions.CANCEL,
        "approved",
        {"note": "Customer called."},
        "cancelled",
        "cancelled",
    ),
    "override": Action(
        "backoffice:return_override",
        permissions.OVERRIDE,
        "pending",
        {
            "decision": "rejected",
            "rule": "value_above_review_threshold",
            "note": "Serial returner.",
        },
        "decision_overridden",
        "pending_review",
    ),
}


def _post(client: Client, action: Action, return_request: Return) -> Any:
    data = dict(action.data)
    if action.url_name.endswith("override"):
        data["line"] = return_request.items.get().order_line.external_id
    return client.post(reverse(action.url_name, args=[return_request.rma]), data)


def test_the_table_matches_the_brief() -> None:
    allowed = {a: sorted(permissions.PERMISSIONS[a]) for a in permissions.PERMISSIONS}
    leads = ["admin", "manager", "owner"]
    assert allowed["approve"] == allowed["reject"] == allowed["cancel"] == sorted([*leads, "agent"])
    assert allowed["override"] == sorted([*leads, "agent"])
    for warehouse_action in ("receive", "inspect", "set_disposition"):
        assert allowed[warehouse_action] == sorted([*leads, "warehouse"])
    assert allowed["refund_retry"] == sorted([*leads, "finance"])
    assert allowed["refund_view"] == sorted([*leads, "analyst", "finance"])
    assert allowed["claim_view"] == sorted([*leads, "agent", "analyst", "finance"])
    assert allowed["claim_handle"] == sorted([*leads, "agent", "finance"])
    assert allowed["configure"] == ["admin", "owner"]
    assert allowed["insight_view"] == sorted([*leads, "analyst"])
    assert allowed["analytics_view"] == sorted([*leads, "analyst"])
    assert allowed["team_manage"] == allowed["audit_view"] == leads
    assert allowed["view"] == sorted(ROLES)
    # Analysts only read.
    assert not any(
        permissions.is_allowed("analyst", a)
        for a in permissions.PERMISSIONS
        if a not in ("view", "refund_view", "claim_view", "insight_view", "analytics_view")
    )


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_is_sent_to_sign_in(name: str, client: Client, request: Any) -> None:
    action = ACTIONS[name]
    return_request = request.getfixturevalue(action.fixture)
    before = snapshot()
    response = _post(client, action, return_request)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login") + "?next=")
    assert snapshot() == before


@pytest.mark.parametrize("name", ACTIONS)
def test_another_stores_staff_does_not_find_it(name: str, signed_in: Any, request: Any) -> None:
    action = ACTIONS[name]
    return_request = request.getfixturevalue(action.fixture)
    before = snapshot()
    response = _post(signed_in("other_agent"), action, return_request)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "role"),
    [
        (n, r)
        for n, a in ACTIONS.items()
        for r in ROLES
        if r not in permissions.PERMISSIONS[a.permission]
    ],
)
def test_a_wrong_role_is_forbidden_and_nothing_changes(
    name: str, role: str, signed_in: Any, request: Any
) -> None:
    action = ACTIONS[name]
    return_request = request.getfixturevalue(action.fixture)
    before = snapshot()
    response = _post(signed_in(role), action, return_request)
    assert response.status_code == 403
    assert "does not allow you to" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "role"),
    [
        (n, r)
        for n, a in ACTIONS.items()
        for r in ROLES
        if r in permissions.PERMISSIONS[a.permission]
    ],
)
def test_a_right_role_acts_and_is_on_the_trail(
    name: str, role: str, signed_in: Any, staff: dict[str, Any], request: Any
) -> None:
    action = ACTIONS[name]
    return_request = request.getfixturevalue(action.fixture)
    response = _post(signed_in(role), action, return_request)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:return", args=[return_request.rma])
    return_request.refresh_from_db()
    assert return_request.status == action.status_after
    event = ReturnEvent.objects.filter(return_request=return_request).latest("id")
    assert event.kind == action.event
    assert (event.actor_kind, event.actor_id, event.actor_label) == (
        "staff",
        str(staff[role].pk),
        staff[role].username,
    )
    assert event.note == action.data["note"]
    if name == "override":
        assert event.data["rule"] == "value_above_review_threshold"
        assert return_request.items.get().decision == "rejected"


def test_a_superuser_may_act_in_any_store(client: Client, pending: Return) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@x.test", "pw-pw-pw-pw")
    client.force_login(root)
    response = client.post(reverse("backoffice:return_approve", args=[pending.rma]), {"note": ""})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "approved"


@pytest.mark.parametrize("url_name", ["backoffice:dashboard", "backoffice:queue"])
def test_pages_need_sign_in(url_name: str, client: Client, db: None) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


def test_return_page_of_another_store_is_not_found(signed_in: Any, pending: Return) -> None:
    response = signed_in("other_agent").get(reverse("backoffice:return", args=[pending.rma]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_but_only_agents_and_admins_see_the_forms(
    role: str, signed_in: Any, pending: Return
) -> None:
    response = signed_in(role).get(reverse("backoffice:return", args=[pending.rma]))
    assert response.status_code == 200
    html = response.content.decode()
    assert pending.rma in html
    shows_forms = role in ("owner", "admin", "manager", "agent")
    for form_id in ("approve-form", "reject-form", "cancel-form", "override-form"):
        assert (f'id="{form_id}"' in html) is shows_forms


def test_a_user_without_a_store_is_told_so(client: Client, db: None) -> None:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("lonely", password="pw-pw-pw-pw"))
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 403
    assert "not a member of any store" in response.content.decode()


# Pages without a staff action: the language switch, and an invitation's page (its signed link
# is the key; retorno.accounts.services.team checks it).
OPEN_TO_ALL = ("language", "invite_accept")


def test_every_view_declares_a_known_action() -> None:
    from django.urls import get_resolver

    from retorno.backoffice import urls

    for pattern in urls.urlpatterns:
        view = pattern.callback
        if getattr(view, "view_class", None) is not None or pattern.name in OPEN_TO_ALL:
            continue  # sign-in, sign-out, password resets, the language switch, invitations
        assert getattr(view, "staff_action", None) in permissions.PERMISSIONS, pattern.name
    assert get_resolver()
