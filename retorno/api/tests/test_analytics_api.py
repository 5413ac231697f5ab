"""Analytics API: figures of the key's store only, JSON and CSV, clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from retorno.accounts.tests.factories import issue_key
from retorno.analytics.tests.factories import give_back, receive_and_grade, sale
from retorno.api.tests.client import ApiClient, problem
from retorno.returns.models import Return

pytestmark = pytest.mark.django_db

ENDPOINTS = (
    "/analytics/overview",
    "/analytics/breakdown?dimension=product",
    "/analytics/fit",
    "/analytics/suppliers",
)


@pytest.fixture
def history(store, other_store):
    jeans = [
        sale(store, quantity=1, sku=f"J-{n}", title="Jeans", product_id="jeans", size="M")
        for n in range(10)
    ]
    for order in jeans:
        give_back(store, order, reason="too_small")
    charger = sale(store, quantity=40, sku="CHG", title="Charger", vendor="Volt")
    broken = give_back(store, charger, quantity=2, reason="defective")
    receive_and_grade(store, broken, "D")
    give_back(other_store, sale(other_store, quantity=30, title="Elsewhere"), quantity=30)


def test_overview_counts_the_keys_store(api, history):
    response = api.get("/analytics/overview", {"days": 30})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"]["days"] == 30
    assert body["period"]["basis"] == "request"
    current = body["current"]
    assert (current["units_sold"], current["units_returned"]) == (50, 12)
    assert current["rate_units"] == {"value": 0.24, "percent": 24.0, "enough": True}
    assert current["rate_orders"]["value"] is None  # 11 orders: not enough data
    assert body["previous"]["units_sold"] == 0
    assert body["change"]["rate_units"] is None


def test_breakdown_rows_carry_the_queue_filter(api, history):
    body = api.get("/analytics/breakdown", {"dimension": "product", "days": 30}).json()
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {"jeans", "Charger"}
    assert rows["Charger"]["rate_units"]["value"] == 0.05
    assert rows["jeans"]["rate_units"]["value"] is None  # 10 units sold
    assert rows["jeans"]["filter"]["product"] == "jeans"
    reasons = api.get("/analytics/breakdown", {"dimension": "reason", "days": 30}).json()
    assert {r["key"]: r["units_returned"] for r in reasons["rows"]} == {
        "too_small": 10,
        "defective": 2,
    }
    assert reasons["rows"][0]["rate_units"] is None


def test_fit_and_suppliers(api, history):
    products = api.get("/analytics/fit", {"days": 30}).json()["products"]
    assert products[0]["product"] == "jeans"
    assert products[0]["fit"] == "runs_small"
    assert products[0]["n_small"] == 10
    assert products[0]["p_value"] < 0.05
    volt = api.get("/analytics/suppliers", {"days": 30}).json()["suppliers"][0]
    assert (volt["supplier"], volt["defects"], volt["over_threshold"]) == ("Volt", 2, True)
    assert volt["defect_rate"]["value"] == 0.05


def test_every_figure_exports_as_csv(api, history):
    for path in ENDPOINTS:
        response = api.get(path + ("&" if "?" in path else "?") + "format=csv&days=30")
        assert response.status_code == 200, (path, response.content)
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) >= 2, path
    evidence = api.get("/analytics/suppliers/Volt/evidence", {"days": 30})
    rows = list(csv.DictReader(io.StringIO(evidence.content.decode())))
    assert [(r["reason"], r["grade"]) for r in rows] == [("defective", "damaged")]


def test_another_store_sees_only_its_own(other_key, history):
    body = ApiClient(other_key).get("/analytics/overview", {"days": 30}).json()
    assert body["current"]["units_returned"] == 30
    problem(
        ApiClient(other_key).get("/analytics/suppliers/Volt/evidence", {"days": 30}),
        404,
        "supplier_not_found",
    )


def test_who_may_read(store, history):
    returns_before = Return.objects.count()
    for path in ENDPOINTS:
        problem(ApiClient().get(path), 401, "unauthorized")
        problem(
            ApiClient(issue_key(store, ("write",), name=f"w{path}")).get(path),
            403,
            "insufficient_scope",
        )
        assert ApiClient(issue_key(store, ("read",), name=f"r{path}")).get(path).status_code == 200
    assert Return.objects.count() == returns_before


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"dimension": "colour"}, "validation_error"),
        ({"dimension": "product", "from": "2026-02-01", "to": "2026-01-01"}, "invalid_period"),
        ({"dimension": "product", "from": "yesterday"}, "validation_error"),
        ({"dimension": "product", "days": 0}, "validation_error"),
        ({"dimension": "product", "basis": "ship"}, "validation_error"),
        ({"dimension": "product", "from": "2020-01-01", "to": "2026-01-01"}, "invalid_period"),
    ],
)
def test_bad_questions_get_problem_json(api, params, code):
    problem(api.get("/analytics/breakdown", params), 422, code)


def _keys(value: object) -> set[str]:
    """Every key of every object nested in a JSON answer."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


@pytest.mark.parametrize(
    "path",
    [
        *ENDPOINTS,
        "/analytics/costs",
        "/analytics/recovery",
        "/analytics/breakdown?dimension=reason",
    ],
)
def test_every_period_is_named_from_and_to(api, history, path):
    response = api.get(path + ("&" if "?" in path else "?") + "from=2020-01-01&to=2020-01-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "from_" not in _keys(body)
    periods = [body["period"], *([body["previous_period"]] if "previous_period" in body else [])]
    assert periods[0]["from"] == "2020-01-01"
    assert periods[0]["to"] == "2020-01-31"
    for period in periods:
        assert set(period) == {"from", "to", "days", "basis"}


def test_the_openapi_names_the_period_from():
    schemas = ApiClient().get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["PeriodOut"]["properties"]) == {"from", "to", "days", "basis"}
    assert '"from_"' not in json.dumps(schemas)
