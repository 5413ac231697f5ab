"""Analytics pages: analysts and admins only, the same figures as the selectors, drill-downs to
the queue that list exactly the returns counted, CSV exports, Spanish and English."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from retorno.analytics import returns as figures
from retorno.analytics.scope import scope_from_params
from retorno.analytics.tests.factories import AGENT, give_back, receive_and_grade, sale
from retorno.returns import services

pytestmark = pytest.mark.django_db

PAGES = (
    "analytics",
    "analytics_fit",
    "analytics_suppliers",
    "analytics_operations",
    "analytics_money",
)


@pytest.fixture
def history(store, other_store):
    for n in range(10):
        order = sale(store, quantity=1, sku=f"J-{n}", title="Jeans", product_id="jeans", size="M")
        give_back(store, order, reason="too_small")
    charger = sale(store, quantity=40, sku="CHG", title="Charger", vendor="Volt")
    broken = give_back(store, charger, quantity=2, reason="defective")
    receive_and_grade(store, broken, "D")
    cancelled = give_back(store, charger, quantity=1, reason="defective")
    services.return_cancel(store=store, rma=cancelled.rma, actor=AGENT)
    give_back(other_store, sale(other_store, quantity=30, title="Elsewhere"), quantity=3)
    return {"broken": broken, "cancelled": cancelled}


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_analysts_and_admins_read_every_page(signed_in, history, role):
    client = signed_in(role)
    for page in PAGES:
        response = client.get(reverse(f"backoffice:{page}"), {"days": "30"})
        assert response.status_code == 200, page
        assert "Elsewhere" not in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance"])
def test_other_roles_do_not(signed_in, history, role):
    client = signed_in(role)
    for page in PAGES:
        assert client.get(reverse(f"backoffice:{page}")).status_code == 403
    assert client.get(reverse("backoffice:analytics_export", args=["overview"])).status_code == 403
    home = client.get(reverse("backoffice:dashboard")).content.decode()
    assert reverse("backoffice:analytics") not in home


def test_the_page_shows_the_selectors_figures(signed_in, store, history):
    response = signed_in("analyst").get(
        reverse("backoffice:analytics"), {"days": "30", "dimension": "product"}
    )
    html = response.content.decode()
    scope = scope_from_params(store=store, params={"days": "30"}, now=timezone.now())
    expected = figures.overview(scope).current.rate_units.value
    assert f'data-figure="rate_units" data-value="{expected}"' in html
    assert 'data-key="Charger" data-value="0.05"' in html  # the bar
    assert 'data-key="jeans" data-value=""' in html  # 10 sold: no bar, "not enough data"
    assert "not enough data" in html


def test_a_drill_down_lists_exactly_the_returns_counted(signed_in, store, history):
    client = signed_in("analyst")
    page = client.get(reverse("backoffice:analytics"), {"days": "30", "dimension": "supplier"})
    (link,) = {
        href
        for href in _links(page.content.decode())
        if "vendor=Volt" in href and href.startswith(reverse("backoffice:queue"))
    }
    queue = client.get(link)
    listed = {r.rma for r in queue.context["page"].results}
    assert listed == {history["broken"].rma}  # the cancelled return is not counted
    assert "From the analytics" in queue.content.decode()
    params = dict(parse_qsl(urlparse(link).query))
    assert params["basis"] == "request"
    assert params["counted"] == "1"


def _links(html: str) -> set[str]:
    return {m.replace("&amp;", "&") for m in re.findall(r'href="([^"]+)"', html)}


def test_every_table_exports_as_csv(signed_in, history):
    client = signed_in("analyst")
    for name in (
        "overview",
        "breakdown",
        "reasons",
        "heatmap",
        "outcomes",
        "fit",
        "suppliers",
        "cycle",
        "aging",
        "carriers",
        "exceptions",
    ):
        response = client.get(reverse("backoffice:analytics_export", args=[name]), {"days": "30"})
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv")
        assert next(csv.reader(io.StringIO(response.content.decode()))), name
    evidence = client.get(
        reverse("backoffice:analytics_export", args=["evidence"]),
        {"days": "30", "supplier": "Volt"},
    )
    assert history["broken"].rma in evidence.content.decode()
    missing = client.get(reverse("backoffice:analytics_export", args=["nothing"]))
    assert missing.status_code == 404


def test_a_bad_period_is_said_on_the_page(signed_in, history):
    response = signed_in("analyst").get(
        reverse("backoffice:analytics"), {"from_day": "2026-03-01", "to_day": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()


def test_a_link_with_other_days_shows_that_period_selected(signed_in, store, history):
    # A link from the digest, the API or a colleague may ask for 60 days: that period is shown
    # and selected, not the first preset over the default 90 days.
    html = signed_in("analyst").get(reverse("backoffice:analytics"), {"days": "60"}).content
    html = html.decode()
    assert '<option value="60" selected>' in html
    scope = scope_from_params(store=store, params={"days": "60"}, now=timezone.now())
    assert scope.period.days == 60
    expected = figures.overview(scope).current.rate_units.value
    assert f'data-figure="rate_units" data-value="{expected}"' in html


def test_spanish(signed_in, history):
    client = signed_in("analyst")
    client.cookies["django_language"] = "es"
    html = client.get(reverse("backoffice:analytics"), {"days": "30"}).content.decode()
    assert "Motivos por producto" in html
    assert "datos insuficientes" in html
    assert "Talla o ajuste" in html  # the reason groups, named in Spanish
