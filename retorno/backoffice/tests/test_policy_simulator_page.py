"""The policy simulator in the policy editor: admins replay the store's real requests under the
draft and read every figure, in English and Spanish; nothing is written; bad drafts and periods
are told on the page; other roles are refused."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from retorno.analytics.tests.factories import AGENT
from retorno.domain.policies import default_policy_document
from retorno.orders.tests.factories import line_payload, make_order
from retorno.policies.models import PolicyVersion
from retorno.returns import services
from retorno.returns.models import Return
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db
SignIn = Callable[[str], Client]
URL = "/staff/settings/policy/simulate"


def _ask(store: Store, number: str, *, tier: str, days_after_delivery: int) -> Return:
    order = make_order(
        store,
        external_id=number,
        tier=tier,
        email=f"{number}@example.com",
        lines=[line_payload(f"{number}-1", quantity=2, unit_price="50.00", tax="0.00")],
        placed_days_ago=50,
        delivered_days_ago=45,
    )
    return services.return_create(
        store=store,
        order_external_id=number,
        items=[services.ItemRequest(line=f"{number}-1", quantity=1, reason="changed_mind")],
        resolution="refund",
        method="drop_off",
        actor=AGENT,
        now=order.delivered_at + timedelta(days=days_after_delivery),
    )


@pytest.fixture
def history(store: Store) -> dict[str, Return]:
    return {
        "early": _ask(store, "8001", tier="", days_after_delivery=3),
        "late": _ask(store, "8002", tier="", days_after_delivery=25),
        "gold": _ask(store, "8003", tier="gold", days_after_delivery=40),
    }


def _draft(window_days: int, *, keep_gold: bool) -> dict[str, Any]:
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["window_days"] = window_days
    if not keep_gold:
        draft["rules"] = [r for r in draft["rules"] if r["id"] != "gold-window"]
    return draft


def _post(client: Client, draft: Any, **period: str) -> Any:
    body = json.dumps(draft) if not isinstance(draft, str) else draft
    return client.post(URL, {"document": body, "note": "", "days": "90", **period})


def test_the_draft_replayed_shows_every_figure_and_writes_nothing(
    store: Store, history: dict[str, Return], signed_in: SignIn
) -> None:
    client = signed_in("admin")
    versions, returns = PolicyVersion.objects.count(), Return.objects.count()
    response = _post(client, _draft(14, keep_gold=False))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="requests" data-value="3"' in html
    assert 'data-figure="changed" data-value="2"' in html
    # The gold customer's refusal is highlighted.
    assert 'data-figure="top-tier-refused" data-value="1"' in html
    assert re.search(r'<tr data-tier="gold" class="top-tier alert error">', html)
    # Matrix: approve → reject twice, approve → approve once.
    row = html.split('<tr data-old="approve">')[1].split("</tr>")[0]
    assert 'data-new="approve" data-count="1"' in row
    assert 'data-new="reject" data-count="2"' in row
    # The changed requests, each with both explanations.
    for key in ("late", "gold"):
        assert f'data-rma="{history[key].rma}" data-old="approve" data-new="reject"' in html
    assert f'data-rma="{history["early"].rma}"' not in html
    assert 'data-code="window_expired">The return window for this item ended on' in html
    assert "<code>gold-window</code>" in html
    # Histogram with both windows marked, and its data table.
    assert 'data-window="old"' in html
    assert 'data-window="new"' in html
    assert 'data-days="25" data-value="1"' in html
    assert "In force: 30 days" in html
    assert "Draft: 14 days" in html
    # The draft stays in the editor, to change or publish.
    assert "&quot;window_days&quot;: 14" in html
    assert (PolicyVersion.objects.count(), Return.objects.count()) == (versions, returns)


def test_the_simulator_speaks_spanish(
    store: Store, history: dict[str, Return], signed_in: SignIn
) -> None:
    client = signed_in("admin")
    client.cookies["django_language"] = "es"
    html = _post(client, _draft(14, keep_gold=False), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Simulador de políticas" in html
    assert "El plazo de devolución de este artículo terminó el" in html
    assert "Rechazada" in html
    assert "The return window" not in html


def test_bad_drafts_and_periods_are_told_on_the_page(
    store: Store, history: dict[str, Return], signed_in: SignIn
) -> None:
    client = signed_in("admin")
    response = _post(client, "{not json")
    assert response.status_code == 422
    assert "This is not valid JSON" in response.content.decode()
    bad = copy.deepcopy(default_policy_document())
    bad["base"]["window_days"] = -3
    response = _post(client, bad)
    assert response.status_code == 422
    assert "base.window_days" in response.content.decode()
    response = client.post(
        URL,
        {
            "document": json.dumps(default_policy_document()),
            "date_from": "2026-03-01",
            "date_to": "2026-01-01",
        },
    )
    assert response.status_code == 422
    assert 'id="simulate-errors"' in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "analyst"])
def test_only_admins_simulate(store: Store, history: Any, signed_in: SignIn, role: str) -> None:
    response = _post(signed_in(role), _draft(14, keep_gold=True))
    assert response.status_code in (403, 404)


def test_the_policy_editor_offers_the_simulator(store: Store, signed_in: SignIn) -> None:
    html = signed_in("admin").get("/staff/settings/policy").content.decode()
    assert 'id="simulate-button"' in html
    assert 'formaction="/staff/settings/policy/simulate"' in html
