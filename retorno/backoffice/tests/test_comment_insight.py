"""Staff see what a comment reads as beside the picked reason, sort "other" returns by it in the
queue, and analysts read the comment-insight panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from retorno.core.actors import SYSTEM
from retorno.orders.tests.factories import line_payload, make_order
from retorno.returns.services import ItemRequest, return_create
from retorno.returns.workflows import triage

ROLES = ("admin", "agent", "warehouse", "finance", "analyst")


def commented(store, number: str, reason: str, comment: str, title: str = "Jersey azul"):
    sku = title.upper().replace(" ", "-")
    make_order(store, external_id=number, lines=[line_payload(f"{number}-1", title=title, sku=sku)])
    created = return_create(
        store=store,
        order_external_id=number,
        items=[ItemRequest(line=f"{number}-1", quantity=1, reason=reason, comment=comment)],
        resolution="refund",
        method="pickup",
        actor=SYSTEM,
    )
    triage.return_comments_classify(created)
    return created


@pytest.fixture
def returns(store, other_store) -> dict[str, Any]:
    return {
        "sorted": commented(store, "7001", "other", "me queda pequeño, pedí mi talla"),
        "contradicts": commented(store, "7002", "too_large", "me aprieta muchísimo"),
        "agrees": commented(store, "7003", "damaged", "llegó con la caja rota", "Taza"),
        "unsure": commented(store, "7004", "other", "bueno pues nada"),
        "elsewhere": commented(other_store, "7001", "other", "me queda pequeño"),
    }


def rmas(response) -> list[str]:
    return [r.rma for r in response.context["page"].results]


@pytest.mark.django_db
def test_the_return_shows_what_the_comment_reads_as_and_flags_a_contradiction(signed_in, returns):
    page = signed_in("agent").get(reverse("backoffice:return", args=[returns["contradicts"].rma]))
    html = page.content.decode()
    assert 'data-reading="too_small"' in html
    assert "Contradicts the picked reason" in html
    assert "me aprieta" in html  # the phrase that decided
    with translation.override("es"):
        page = signed_in("agent").get(
            reverse("backoffice:return", args=[returns["agrees"].rma]), HTTP_ACCEPT_LANGUAGE="es"
        )
    html = page.content.decode()
    assert 'data-reading="damaged"' in html
    assert "Contradicts" not in html


@pytest.mark.django_db
def test_other_returns_are_sorted_by_what_their_comment_reads_as(signed_in, returns):
    client = signed_in("agent")
    queue = reverse("backoffice:queue")
    found = rmas(client.get(queue, {"reason": "other", "predicted": "too_small"}))
    assert found == [returns["sorted"].rma]
    assert rmas(client.get(queue, {"predicted": "too_small"})) == [
        returns["sorted"].rma,
        returns["contradicts"].rma,
    ]
    assert rmas(client.get(queue, {"mismatch": "on"})) == [returns["contradicts"].rma]
    page = client.get(queue).content.decode()
    assert page.count('data-reading="too_small"') == 2
    assert 'data-reading="abstained"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_panel_is_for_analysts_and_admins(signed_in, returns, role):
    response = signed_in(role).get(reverse("backoffice:insight"))
    assert response.status_code == (200 if role in ("admin", "analyst") else 403)


@pytest.mark.django_db
def test_the_panel_shows_top_phrases_per_product_and_reason_of_this_store_only(signed_in, returns):
    response = signed_in("analyst").get(reverse("backoffice:insight"), {"days": "30"})
    insight = response.context["insight"]
    assert insight.comments == 4  # the other store's comment is not counted
    groups = {(g.product_title, g.reason): g for g in insight.groups}
    jersey = groups[("Jersey azul", "too_small")]
    assert jersey.comments == 2
    assert jersey.picked_otherwise == 2
    assert jersey.phrases
    assert ("Taza", "damaged") in groups
    html = response.content.decode()
    assert 'data-reason="too_small"' in html
    only_damaged = signed_in("analyst").get(reverse("backoffice:insight"), {"reason": "damaged"})
    assert [g.reason for g in only_damaged.context["insight"].groups] == ["damaged"]


@pytest.mark.django_db
def test_the_panel_is_translated(signed_in, returns):
    client = signed_in("analyst")
    client.cookies["django_language"] = "es"
    html = client.get(reverse("backoffice:insight")).content.decode()
    assert "Frases más repetidas por producto y motivo" in html


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("backoffice:insight"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_the_period_shown_selected_is_the_one_read(signed_in, returns):
    client = signed_in("analyst")
    opened = client.get(reverse("backoffice:insight"))
    assert opened.context["days"] == 90
    assert '<option value="90" selected>' in opened.content.decode()
    chosen = client.get(reverse("backoffice:insight"), {"days": "365"})
    assert chosen.context["days"] == 365
    assert '<option value="365" selected>' in chosen.content.decode()
