"""The weekly digest's preview in the staff analytics: the e-mail's figures for any past week,
who gets it, and each staff member's own opt-out; Spanish and English; analysts and admins
only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from retorno.analytics.tests.factories import give_back, sale
from retorno.domain.analytics.digest import last_full_week
from retorno.domain.days import local_day

pytestmark = pytest.mark.django_db


def test_the_preview_shows_the_weeks_digest_and_who_gets_it(signed_in, store):
    give_back(store, sale(store, quantity=40, title="Mug"), quantity=3, reason="defective")
    client = signed_in("analyst")
    page = client.get(reverse("backoffice:analytics_digest"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="digest-preview"' in text
    assert 'id="digest-headline"' in text
    assert "analyst@shop.test" in text
    assert "admin@shop.test" in text
    assert "agent@shop.test" not in text
    # This week, in progress: the current week's digest is not offered; the form says why.
    today = local_day(timezone.now(), store.timezone)
    monday = today - timedelta(days=today.weekday())
    early = client.get(reverse("backoffice:analytics_digest"), {"week": monday.isoformat()})
    assert "That week has not ended yet." in early.content.decode()
    tuesday = client.get(
        reverse("backoffice:analytics_digest"), {"week": (monday + timedelta(days=1)).isoformat()}
    )
    assert "it starts on a Monday" in tuesday.content.decode()
    spanish = client.get(reverse("backoffice:analytics_digest"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Quién lo recibe" in spanish.content.decode()
    week = last_full_week(today)
    assert f"devoluciones de la semana del {week.start.isoformat()}" in spanish.content.decode()


def test_each_staff_member_opts_out_and_back_in(signed_in):
    client = signed_in("admin")
    url = reverse("backoffice:analytics_digest_subscription")
    assert client.post(url, {"receive": "no"}).status_code == 302
    page = client.get(reverse("backoffice:analytics_digest")).content.decode()
    assert "admin@shop.test" not in page
    assert 'id="digest-opt-in"' in page
    client.post(url, {"receive": "yes"})
    page = client.get(reverse("backoffice:analytics_digest")).content.decode()
    assert "admin@shop.test" in page
    assert 'id="digest-opt-out"' in page


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance"])
def test_other_roles_see_no_digest(signed_in, role):
    client = signed_in(role)
    assert client.get(reverse("backoffice:analytics_digest")).status_code == 403
    url = reverse("backoffice:analytics_digest_subscription")
    assert client.post(url, {"receive": "no"}).status_code == 403
