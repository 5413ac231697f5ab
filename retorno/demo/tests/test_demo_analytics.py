"""The demo store that `make run` builds (default size and seed) gives every analytics panel
something real to show: rates, every breakdown, reasons and the heat map, outcomes, a product
flagged as running small, a supplier over its defect threshold with photos in its evidence
pack, every stage of the refund cycle time, the warehouse's backlog, carriers, policy
exceptions with overrides, costs with labels, recovered value per disposition, and
return-to-vendor deadlines still ahead. One build (a few minutes), every panel read from it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from retorno.analytics import costs, evidence, fit, mix, operations, returns, suppliers
from retorno.analytics.scope import Scope
from retorno.demo.generator import demo_create
from retorno.domain.analytics.periods import last_days
from retorno.domain.days import local_day


@pytest.mark.django_db
def test_every_analytics_panel_of_the_demo_shows_something_real(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the inspection photos the demo stores
    store = demo_create().store
    now = timezone.now()
    scope = Scope(store, last_days(local_day(now, store.timezone), 365))

    overview = returns.overview(scope)
    assert overview.current.returns > 300
    assert overview.current.rate_units.enough
    for dimension in returns.DIMENSIONS:
        assert returns.breakdown(scope, dimension).rows, dimension

    reasons = mix.reason_mix(scope)
    assert len(reasons.leaves) >= 8
    assert reasons.heat_rows
    outcome = mix.outcomes(scope)
    assert {o.resolution for o in outcome.outcomes if o.returns} >= {
        "refund",
        "store_credit",
        "exchange",
        "keep",
    }
    assert outcome.retained.enough

    flagged = fit.fit_report(scope).flagged
    assert any(p.figure.fit.value == "runs_small" for p in flagged)

    report = suppliers.supplier_report(scope, now=now)
    over = [s for s in report.suppliers if s.over_threshold]
    assert over
    assert any(s.rtv_days_left is not None and s.rtv_days_left >= 0 for s in report.suppliers)
    pack = evidence.evidence_pack(scope, over[0].supplier, now=now)
    assert pack.defect_photos

    cycle = operations.cycle_times(scope).segments[0]
    for stage in cycle.stages:
        assert stage.returns > 10, stage.stage
        assert stage.p50_days is not None, stage.stage
    assert operations.warehouse_aging(scope, now=now).total > 0
    carriers = operations.carrier_report(scope).carriers
    assert len(carriers) == 3
    assert all(c.pickups and c.labels for c in carriers)
    exceptions = operations.policy_exceptions(scope)
    assert exceptions.reviews > 0
    assert exceptions.overrides_by_rule
    assert exceptions.overrides_by_agent

    spent = costs.costs(scope)
    for key in ("labels", "refunds_gross", "fees", "net"):
        assert spent.line(key).amount > 0, key
    recovered = costs.recovery(scope)
    assert recovered.recovered > 0
    assert {row.key for row in recovered.by["disposition"]} >= {
        "restock",
        "refurbish",
        "return_to_vendor",
        "liquidate",
    }
