"""POST /api/v1/policy/simulate: the simulator's figures in JSON, the same as the selector's, for
the key's store only; problem+json for a bad document or period; nothing written."""

from __future__ import annotations

import copy
import json

from django.utils import timezone

from retorno.analytics.simulator import policy_simulate
from retorno.api.tests.client import problem
from retorno.domain.policies import default_policy_document
from retorno.orders.tests.factories import return_payload
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return


def _late_return(api, order_factory, number):
    """A return asked for 25 days after delivery (inside the default 30-day window)."""
    order_factory(external_id=number, delivered_days_ago=25)
    created = api.post("/returns", return_payload(number, f"{number}-1", reason="changed_mind"))
    assert created.status_code == 201, created.content
    return created.json()["rma"]


def test_a_shorter_window_refuses_the_late_return_with_its_reasons(api, store, order_factory):
    late = _late_return(api, order_factory, "1001")
    order_factory(external_id="1002", delivered_days_ago=2)
    assert api.post("/returns", return_payload("1002", "1002-1")).status_code == 201
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["window_days"] = 10
    before = (Return.objects.count(), PolicyVersion.objects.count())

    response = api.post("/policy/simulate", {"document": draft, "days": 30})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["requests"] == 2
    assert body["policy_version_in_force"] == 1
    cells = {(c["old"], c["new"]): c["count"] for c in body["matrix"]}
    assert cells[("approve", "reject")] == 1
    assert cells[("approve", "approve")] == 1
    assert sum(cells.values()) == 2
    (change,) = body["changes"]["listed"]
    assert change["rma"] == late
    assert change["old"]["outcome"] == "approve"
    assert change["new"]["outcome"] == "reject"
    assert change["new"]["reasons"][0]["code"] == "window_expired"
    assert change["new"]["reasons"][0]["params"]["date"]
    assert change["days_since_delivery"] == 25
    assert body["days_since_delivery"]["old_window"] == {"days": 30, "starts": "delivery"}
    assert body["days_since_delivery"]["new_window"] == {"days": 10, "starts": "delivery"}
    assert {bar["days"] for bar in body["days_since_delivery"]["histogram"]} == {2, 25}
    assert body["replay_check"] == {"checked": 2, "mismatches": 0}
    assert set(body["period"]) == {"from", "to", "days", "basis"}
    assert "from_" not in json.dumps(body)
    assert (Return.objects.count(), PolicyVersion.objects.count()) == before
    # The same figures as the selector the policy editor reads.
    report = policy_simulate(store=store, document=draft, params={"days": "30"}, now=timezone.now())
    assert report.simulation.changed == body["changes"]["total"] == 1
    assert str(report.simulation.fees_new["EUR"]) == body["fees"]["new"][0]["amount"]


def test_a_bad_document_names_the_field(api, store):
    draft = copy.deepcopy(default_policy_document())
    draft["base"]["window_days"] = "thirty"
    body = problem(
        api.post("/policy/simulate", {"document": draft, "days": 30}), 422, "invalid_policy"
    )
    assert any(error["field"] == "base.window_days" for error in body["errors"])


def test_a_bad_period_is_refused(api, store):
    document = default_policy_document()
    backwards = api.post(
        "/policy/simulate", {"document": document, "from": "2026-03-01", "to": "2026-01-01"}
    )
    assert problem(backwards, 422, backwards.json()["code"])["code"].startswith("invalid")
    too_long = api.post("/policy/simulate", {"document": document, "days": 5000})
    assert too_long.status_code == 422
    assert too_long["Content-Type"].startswith("application/problem+json")
