"""Analytics API for the reasons and operations panels: the figures and CSV of the staff pages
for the same period, the key's store only, analysts and admins only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from retorno.accounts.services import api_key_create, membership_grant
from retorno.accounts.tests.factories import IssuedKey, issue_key
from retorno.analytics.tests.factories import give_back, receive_and_grade, sale
from retorno.api.tests.client import ApiClient, problem
from retorno.core.actors import SYSTEM
from retorno.returns.workflows import receiving

pytestmark = pytest.mark.django_db

# (API path, staff export name)
PANELS = (
    ("/analytics/reasons", "reasons"),
    ("/analytics/heatmap", "heatmap"),
    ("/analytics/outcomes", "outcomes"),
    ("/analytics/cycle-time", "cycle"),
    ("/analytics/aging", "aging"),
    ("/analytics/carriers", "carriers"),
    ("/analytics/exceptions", "exceptions"),
)


@pytest.fixture
def history(store, other_store):
    for n in range(10):
        order = sale(store, quantity=1, sku=f"J-{n}", title="Jeans", product_id="jeans", size="M")
        give_back(
            store, order, reason="too_small", resolution="store_credit" if n % 2 else "refund"
        )
    charger = sale(store, quantity=40, sku="CHG", title="Charger", vendor="Volt")
    receive_and_grade(store, give_back(store, charger, quantity=2, reason="defective"), "D")
    waiting = give_back(store, charger, quantity=1, reason="defective")
    line = waiting.items.get().order_line.external_id
    receiving.return_receive(store=store, rma=waiting.rma, quantities={line: 1}, actor=SYSTEM)
    elsewhere = sale(other_store, quantity=30, sku="ELSE", title="Elsewhere", product_id="else")
    receive_and_grade(other_store, give_back(other_store, elsewhere, quantity=3), "A")
    return {"waiting": waiting}


def _key(store, role: str) -> IssuedKey:
    user = membership_grant(
        store=store, username=f"{role}.k", email=f"{role}@k.test", role=role, password="x-y-z-w-v"
    ).user
    record, plain = api_key_create(store=store, name=role, scopes=("read",), created_by=user)
    return IssuedKey(record=record, plain=plain)


def _page(client, store, name: str, params: dict[str, str]):
    membership_grant(
        store=store, username="analyst.p", email="a@p.test", role="analyst", password="x-y-z-w-v"
    )
    client.login(username="analyst.p", password="x-y-z-w-v")
    page = "analytics" if name in ("reasons", "outcomes") else "analytics_operations"
    return client.get(reverse(f"backoffice:{page}"), params).context


def test_the_json_is_what_the_pages_show(api, client, store, history):
    period = {"days": "30", "basis": "order"}
    overview = _page(client, store, "reasons", period)
    reasons = api.get("/analytics/reasons", period).json()
    assert reasons["period"]["basis"] == "order"
    assert [(x["code"], x["units"], x["share"]["value"]) for x in reasons["leaves"]] == [
        (leaf.code, leaf.units, leaf.share.value) for leaf in overview["reasons"].leaves
    ]
    assert reasons["units"] == overview["reasons"].units == 13
    heat = api.get("/analytics/heatmap", period).json()
    assert [(r["product"], [c["units"] for c in r["cells"]]) for r in heat["rows"]] == [
        (r.product, [c.units for c in r.cells]) for r in overview["reasons"].heat_rows
    ]
    outcomes = api.get("/analytics/outcomes", period).json()
    page = overview["outcomes"]
    assert (outcomes["returns"], outcomes["value_retained"]) == (
        page.returns,
        f"{page.value_retained:.2f}",
    )
    assert [(o["resolution"], o["returns"]) for o in outcomes["outcomes"]] == [
        (o.resolution, o.returns) for o in page.outcomes
    ]
    assert dict((o.resolution, o.returns) for o in page.outcomes)["store_credit"] == 5

    operations = _page(client, store, "cycle", {**period, "segment": "resolution"})
    cycle = api.get("/analytics/cycle-time", {**period, "segment": "resolution"}).json()
    assert cycle["segment_by"] == "resolution"
    assert [
        (
            s["segment"],
            s["returns"],
            [(f["stage"], f["returns"], f["p50_days"]) for f in s["stages"]],
        )
        for s in cycle["segments"]
    ] == [
        (s.segment, s.returns, [(f.stage, f.returns, f.p50_days) for f in s.stages])
        for s in operations["cycle"].segments
    ]
    aging = api.get("/analytics/aging").json()
    assert aging["total"] == operations["aging"].total == 1
    assert aging["oldest"] == [{"rma": history["waiting"].rma, "days": 0}]
    assert [(b["days_waiting"], b["returns"]) for b in aging["buckets"]] == list(
        operations["aging"].buckets
    )
    carriers = api.get("/analytics/carriers", period).json()
    assert [c["carrier"] for c in carriers["carriers"]] == [
        c.carrier for c, *_texts in operations["carriers"]
    ]
    exceptions = api.get("/analytics/exceptions", period).json()
    page_exceptions = operations["exceptions"]
    assert (exceptions["returns"], exceptions["reviews"]) == (
        page_exceptions.returns,
        page_exceptions.reviews,
    )
    assert exceptions["returns"] == 12


@pytest.mark.parametrize(("path", "name"), PANELS)
def test_the_csv_is_the_pages_export(api, client, store, history, path, name):
    membership_grant(
        store=store, username="analyst.c", email="a@c.test", role="analyst", password="x-y-z-w-v"
    )
    client.login(username="analyst.c", password="x-y-z-w-v")
    params = {"days": "30", "format": "csv"}
    response = api.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    exported = client.get(reverse("backoffice:analytics_export", args=[name]), {"days": "30"})
    assert response.content == exported.content
    lines = response.content.decode().splitlines()
    # This history ships nothing with a carrier account: the carriers table has its header only.
    assert len(lines) == 1 if name == "carriers" else len(lines) >= 2


def test_another_store_sees_only_its_own(other_key, history):
    other = ApiClient(other_key)
    reasons = other.get("/analytics/reasons", {"days": 30}).json()
    assert reasons["units"] == 3
    heat = other.get("/analytics/heatmap", {"days": 30}).json()
    assert [row["product"] for row in heat["rows"]] == ["else"]
    assert other.get("/analytics/outcomes", {"days": 30}).json()["returns"] == 1
    assert other.get("/analytics/aging").json()["total"] == 0
    assert other.get("/analytics/exceptions", {"days": 30}).json()["returns"] == 1
    for path, _name in PANELS:
        assert "Jeans" not in other.get(path, {"days": 30, "format": "csv"}).content.decode()


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance"])
def test_other_roles_and_scopes_are_refused(store, history, role):
    refused = ApiClient(_key(store, role))
    write_only = ApiClient(issue_key(store, ("write",), name="w"))
    for path, _name in PANELS:
        problem(refused.get(path), 403, "role_not_allowed")
        problem(write_only.get(path), 403, "insufficient_scope")
        problem(ApiClient().get(path), 401, "unauthorized")
    problem(refused.get("/analytics/overview"), 403, "role_not_allowed")


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_and_admins_read(store, history, role):
    reader = ApiClient(_key(store, role))
    for path, _name in PANELS:
        assert reader.get(path).status_code == 200, path


def test_bad_questions_get_problem_json(api):
    problem(api.get("/analytics/cycle-time", {"segment": "colour"}), 422, "validation_error")
    problem(
        api.get("/analytics/reasons", {"from": "2026-02-01", "to": "2026-01-01"}),
        422,
        "invalid_period",
    )


def test_the_api_lets_in_the_roles_the_pages_do():
    from retorno.api.v1.routers.analytics import READERS
    from retorno.backoffice.permissions import ANALYTICS_VIEW, PERMISSIONS

    assert PERMISSIONS[ANALYTICS_VIEW] == READERS
