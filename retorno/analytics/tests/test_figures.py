"""The analytics selectors on small, hand-made histories: what counts as returned and sold,
periods by order or request date, grouping by product id or title, the frozen tier, another
store's data, fit and supplier quality."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from retorno.analytics import fit, mix, operations, returns, suppliers
from retorno.analytics.scope import Scope, scope_from_params
from retorno.analytics.tests.factories import AGENT, give_back, receive_and_grade, sale
from retorno.core.errors import NotFound, Unprocessable
from retorno.domain.analytics.fit import Fit, direction_of
from retorno.domain.analytics.periods import Basis, last_days
from retorno.domain.days import local_day
from retorno.orders.models import Customer
from retorno.returns import services

pytestmark = pytest.mark.django_db


def scope_of(store, days=30, basis=Basis.REQUEST) -> Scope:
    return Scope(store, last_days(local_day(timezone.now(), store.timezone), days, basis))


def test_return_rate_by_units_orders_and_value(store, other_store):
    first = sale(store, quantity=20, unit_price="10.00")
    sale(store, quantity=20, unit_price="30.00")
    give_back(store, first, quantity=4)
    give_back(other_store, sale(other_store, quantity=40), quantity=40)  # never counted

    totals = returns.overview(scope_of(store)).current
    assert (totals.units_sold, totals.units_returned) == (40, 4)
    assert totals.rate_units.value == Decimal("0.1")
    assert totals.value_sold == Decimal("800.00")
    assert totals.value_returned == Decimal("40.00")
    assert totals.rate_value.value == Decimal("0.05")
    # Two orders sold: far too few for an order rate.
    assert (totals.orders_sold, totals.orders_returned) == (2, 1)
    assert totals.rate_orders.value is None


def test_cancelled_returns_do_not_count(store):
    order = sale(store, quantity=30)
    kept = give_back(store, order, quantity=2)
    dropped = give_back(store, order, quantity=3)
    services.return_cancel(store=store, rma=dropped.rma, actor=AGENT)
    totals = returns.totals(scope_of(store))
    assert kept.status != "cancelled"
    assert totals.units_returned == 2


def test_a_period_counts_by_request_date_or_by_order_date(store):
    old = sale(store, quantity=30, placed_days_ago=32)
    give_back(store, old, quantity=3)
    by_request = returns.totals(scope_of(store, 30, Basis.REQUEST))
    by_order = returns.totals(scope_of(store, 30, Basis.ORDER))
    assert by_request.units_returned == 3
    assert by_request.units_sold == 0
    assert by_order.units_returned == 0
    previous = returns.overview(scope_of(store, 30, Basis.ORDER)).previous
    assert (previous.units_sold, previous.units_returned) == (30, 3)


def test_products_are_their_product_id_or_their_title(store):
    a = sale(store, sku="TEE-S", title="Tee (S)", product_id="p-tee", quantity=15)
    b = sale(store, sku="TEE-L", title="Tee (L)", product_id="p-tee", quantity=15)
    c = sale(store, sku="MUG-1", title="Mug", quantity=30)
    give_back(store, a, quantity=2)
    give_back(store, b, quantity=1)
    give_back(store, c, quantity=3)
    rows = {r.key: r for r in returns.breakdown(scope_of(store), "product").rows}
    assert set(rows) == {"p-tee", "Mug"}
    assert (rows["p-tee"].units_returned, rows["p-tee"].units_sold) == (3, 30)
    assert rows["p-tee"].rate_units.value == Decimal("0.1")
    assert rows["p-tee"].filter["product"] == "p-tee"
    variants = {r.key: r for r in returns.breakdown(scope_of(store), "variant").rows}
    assert variants["TEE-S"].units_sold == 15
    assert variants["TEE-S"].rate_units.value is None


def test_the_tier_is_the_one_at_the_request(store):
    order = sale(store, quantity=30, tier="silver")
    give_back(store, order, quantity=3)
    Customer.objects.filter(store=store).update(tier="gold")
    rows = {r.key: r for r in returns.breakdown(scope_of(store), "tier").rows}
    assert set(rows) == {"silver"}


def test_regions_are_the_address_region_or_the_country(store):
    give_back(store, sale(store, quantity=30, region="Galicia"), quantity=3)
    give_back(store, sale(store, quantity=30), quantity=6)
    rows = {r.key: r for r in returns.breakdown(scope_of(store), "region").rows}
    assert {k: (r.units_returned, r.units_sold) for k, r in rows.items()} == {
        "Galicia": (3, 30),
        "ES": (6, 30),
    }


def test_every_dimension_answers(store):
    give_back(store, sale(store, quantity=30), quantity=3)
    for dimension in returns.DIMENSIONS:
        assert returns.breakdown(scope_of(store), dimension).units_returned == 3


def test_reasons_are_shares_of_the_units_returned(store):
    order = sale(store, quantity=40)
    give_back(store, order, quantity=20, reason="too_small")
    give_back(store, order, quantity=10, reason="defective")
    rows = {r.key: r for r in returns.breakdown(scope_of(store), "reason").rows}
    assert rows["too_small"].share_units.value == Decimal("0.6667")
    assert rows["too_small"].rate_units is None  # no sales to compare a reason with


def test_an_unknown_dimension_is_refused(store):
    with pytest.raises(Unprocessable) as caught:
        returns.breakdown(scope_of(store), "colour")
    assert caught.value.code == "unknown_dimension"


def test_scope_from_params(store):
    now = timezone.now()
    scope = scope_from_params(
        store=store, params={"from": "2026-01-01", "to": "2026-01-31", "basis": "order"}, now=now
    )
    assert scope.period.days == 31
    assert scope.basis is Basis.ORDER
    assert scope_from_params(store=store, params={}, now=now).period.days == 90
    for bad in ({"basis": "ship"}, {"from": "yesterday"}, {"days": "-3"}, {"days": "9999"}):
        with pytest.raises(Unprocessable) as caught:
            scope_from_params(store=store, params=bad, now=now)
        assert caught.value.code == "invalid_period"


def test_a_product_that_runs_small_is_flagged(store):
    for n in range(10):
        order = sale(
            store, quantity=1, sku=f"JEAN-{n}", title="Jeans", product_id="jeans", size="M"
        )
        give_back(store, order, quantity=1, reason="too_small" if n < 9 else "too_large")
    order = sale(store, quantity=1, sku="SHIRT-M", title="Shirt", product_id="shirt", size="M")
    give_back(store, order, quantity=1, reason="too_large")
    report = fit.fit_report(scope_of(store))
    by_product = {p.product: p for p in report.products}
    assert by_product["jeans"].figure.fit is Fit.RUNS_SMALL
    assert (by_product["jeans"].figure.n_small, by_product["jeans"].figure.n_large) == (9, 1)
    assert by_product["shirt"].figure.fit is Fit.TRUE_TO_SIZE
    assert report.flagged == [by_product["jeans"]]


def test_exchanges_to_another_size_say_which_way_and_what_was_kept():
    assert direction_of("changed_mind", "M", "L") == 1
    assert direction_of("other", "40", "39") == -1
    assert direction_of("too_large", "M", "L") == -1  # the shopper's word first
    assert direction_of("changed_mind", "M", "") == 0


def test_only_defects_confirmed_at_inspection_count(store):
    orders = [
        sale(store, quantity=10, vendor="Volt", sku=f"CHG-{n}", title="Charger") for n in range(3)
    ]
    confirmed = give_back(store, orders[0], quantity=2, reason="defective")
    receive_and_grade(store, confirmed, "D")  # damaged
    refuted = give_back(store, orders[1], quantity=1, reason="defective")
    receive_and_grade(store, refuted, "A")  # like new: not a defect
    give_back(store, orders[2], quantity=1, reason="defective")  # not inspected yet
    report = suppliers.supplier_report(scope_of(store), now=timezone.now())
    volt = report.suppliers[0]
    assert (volt.supplier, volt.units_sold, volt.units_returned, volt.defects) == ("Volt", 30, 4, 2)
    assert volt.defect_rate.value == Decimal("0.0667")
    assert volt.over_threshold
    evidence = suppliers.supplier_evidence(scope_of(store), "Volt")
    assert [row[0] for row in evidence.rows] == [confirmed.rma]
    assert "rma,requested_at" in evidence.csv()


def test_a_supplier_without_data_has_no_evidence(store):
    with pytest.raises(NotFound):
        suppliers.supplier_evidence(scope_of(store), "Nobody")


def test_tables_write_csv_safely(store):
    order = sale(store, quantity=30, title="=HYPERLINK(1)")
    give_back(store, order, quantity=3)
    text = returns.breakdown(scope_of(store), "product").table().csv()
    assert "'=HYPERLINK(1)" in text
    assert text.splitlines()[0].startswith("dimension,key,label")


def test_the_heat_map_cells_are_per_reason(store):
    order = sale(store, quantity=40, title="Mug")
    give_back(store, order, quantity=3, reason="defective")
    give_back(store, order, quantity=1, reason="other")
    report = mix.reason_mix(scope_of(store))
    (row,) = report.heat_rows
    cells = {c.reason: c.units for c in row.cells}
    assert cells == {"defective": 3, "other": 1}
    assert [c.filter["reason"] for c in row.cells] == report.heat_reasons
    assert report.other_share.value is None  # 4 units: not enough data


def test_cycle_time_counts_each_stage_whose_ends_happened(store):
    order = sale(store, quantity=30)
    received = give_back(store, order, quantity=2)
    receive_and_grade(store, received, "A")
    give_back(store, order, quantity=1)  # requested only
    cycle = operations.cycle_times(scope_of(store), segment_by="method")
    (segment,) = cycle.segments
    stages = {f.stage: f for f in segment.stages}
    assert segment.returns == 2
    assert stages["warehouse_to_inspected"].returns == 1
    assert stages["warehouse_to_inspected"].p50_days == 0.0
    assert stages["request_to_scan"].returns == 0
    assert stages["request_to_scan"].p50_days is None
    aging = operations.warehouse_aging(scope_of(store), now=timezone.now())
    assert aging.total == 0  # inspected: not waiting
