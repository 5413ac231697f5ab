"""The rollups kept event by event equal the rollups rebuilt from the source tables, for random
sequences of what happens to orders and returns (through the real services, failures and
replays included); and the figures read from them are the ones the history gives."""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retorno.analytics import returns
from retorno.analytics.models import DailyFigure
from retorno.analytics.rollups import orders_refresh, rollup_rows, rollups_check, rollups_rebuild
from retorno.analytics.tests.factories import AGENT, WAREHOUSE, give_back, sale
from retorno.analytics.tests.test_figures import scope_of
from retorno.core.errors import RetornoError
from retorno.domain.errors import DomainError
from retorno.orders.models import Product, Variant
from retorno.orders.tests.factories import make_order
from retorno.returns import services
from retorno.returns.events import event_handle
from retorno.returns.models import Return
from retorno.returns.workflows import inspection, receiving
from retorno.stores.tests.factories import StoreFactory
from retorno.warehouse import services as warehouse

pytestmark = pytest.mark.django_db

_stores = itertools.count(1)
REASONS = ("too_small", "too_large", "defective", "damaged", "changed_mind", "other")
step = st.one_of(
    st.tuples(
        st.just("request"),
        st.integers(0, 2),
        st.integers(1, 3),
        st.sampled_from(REASONS),
        st.sampled_from(("refund", "store_credit")),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("reject"), st.integers(0, 5)),
    st.tuples(st.just("override"), st.integers(0, 5), st.sampled_from(("rejected", "accepted"))),
    st.tuples(
        st.just("exchange"), st.integers(0, 2), st.integers(1, 2), st.sampled_from(("S", "L"))
    ),
    st.tuples(st.just("receive"), st.integers(0, 5), st.sampled_from(("new", "used", "damaged"))),
    st.tuples(st.just("confirm"), st.integers(0, 5)),
    st.tuples(st.just("dispose"), st.integers(0, 5)),
    st.tuples(st.just("reorder"), st.integers(0, 2), st.integers(3, 9)),
    st.tuples(st.just("replay"), st.integers(0, 5)),
)


def _catalog(store) -> dict[str, Variant]:
    product = Product.objects.create(store=store, external_id="tee", title="Tee")
    return {
        size: Variant.objects.create(
            store=store,
            product=product,
            sku=f"TEE-{size}",
            price=Decimal("19.90"),
            stock=50,
            options={"size": size},
        )
        for size in ("S", "M", "L")
    }


def _apply(store, orders, variants, step_) -> None:
    kind, *args = step_
    made = list(Return.objects.filter(store=store).order_by("id"))
    if kind == "request":
        index, units, reason, resolution = args
        give_back(store, orders[index], quantity=units, reason=reason, resolution=resolution)
        return
    if kind == "exchange":  # for another size: says which way the product runs
        index, units, size = args
        give_back(
            store,
            orders[index],
            quantity=units,
            reason="other",
            resolution="exchange",
            exchange_variant_id=variants[size].id,
        )
        return
    if kind == "reorder":  # the store sends the order again with another quantity
        index, quantity = args
        order = orders[index]
        line = order.lines.get()
        make_order(
            store,
            external_id=order.external_id,
            email=order.customer.email,
            placed_days_ago=8,
            delivered_days_ago=5,
            lines=[
                {
                    "external_id": line.external_id,
                    "sku": line.sku,
                    "title": line.title,
                    "vendor": line.vendor,
                    "category": line.category,
                    "quantity": max(quantity, line.quantity),
                    "unit_price": str(line.unit_price),
                    "tax": "0.00",
                }
            ],
        )
        return
    if not made:
        return
    ret = made[args[0] % len(made)]
    line = ret.items.get().order_line.external_id
    if kind == "cancel":
        services.return_cancel(store=store, rma=ret.rma, actor=AGENT)
    elif kind == "reject":
        services.return_reject(store=store, rma=ret.rma, actor=AGENT, note="No.")
    elif kind == "override":
        services.return_item_override(
            store=store,
            rma=ret.rma,
            line=line,
            decision=args[1],
            rule="window",
            note="Checked by hand.",
            actor=AGENT,
        )
    elif kind == "receive":
        units = ret.items.get().quantity_requested
        receiving.return_receive(
            store=store, rma=ret.rma, quantities={line: units}, actor=WAREHOUSE
        )
        inspection.return_inspect(store=store, rma=ret.rma, grades={line: args[1]}, actor=WAREHOUSE)
    elif kind == "confirm":  # the inspector confirms the shopper's reason without grading damaged
        units = ret.items.get().quantity_requested
        receiving.return_receive(
            store=store, rma=ret.rma, quantities={line: units}, actor=WAREHOUSE
        )
        inspection.return_inspect_items(
            store=store,
            rma=ret.rma,
            inspections=[warehouse.InspectionInput(line=line, grade="used", reason_confirmed=True)],
            actor=WAREHOUSE,
        )
    elif kind == "dispose":
        inspection.return_item_disposition_set(store=store, rma=ret.rma, line=line, actor=WAREHOUSE)
    elif kind == "replay":  # an event handled again, and the order refreshed again
        event = ret.events.order_by("-id").first()
        if event is not None:
            event_handle(ret, event)
        orders_refresh(store, [ret.order_id])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_rollups_kept_step_by_step_equal_a_rebuild(db, steps):
    # A store of its own per example: the database is not reset between examples.
    store = StoreFactory(slug=f"shop-{next(_stores)}", name="Shop")
    variants = _catalog(store)
    orders = [
        sale(store, quantity=6, sku="TEE-S", title="Tee", size="S", unit_price="19.90"),
        sale(store, quantity=4, sku="MUG", title="Mug", category="home", vendor="Barro"),
        sale(store, quantity=5, sku="TEE-M", title="Tee", region="Madrid", placed_days_ago=40),
    ]
    for step_ in steps:
        # Refused (a return in the wrong state): the command rolled back.
        with contextlib.suppress(RetornoError, DomainError):
            _apply(store, orders, variants, step_)
    assert rollups_check(store) == {}


def test_a_rebuild_equals_what_was_kept_and_changes_nothing(store, other_store):
    order = sale(store, quantity=30)
    give_back(store, order, quantity=3, reason="too_small")
    give_back(other_store, sale(other_store, quantity=30), quantity=5)
    kept = rollup_rows(store)
    assert kept  # kept as it happened, no rebuild needed
    assert rollups_rebuild(store)["orders"] == 1
    assert rollup_rows(store) == kept
    assert rollup_rows(other_store)  # the other store's rows are its own and untouched
    orders_refresh(store, [order.id])  # the same state again: nothing moves
    assert rollup_rows(store) == kept


def test_the_figures_read_the_rollups(store):
    order = sale(store, quantity=30, unit_price="10.00")
    give_back(store, order, quantity=3)
    assert returns.totals(scope_of(store)).value_returned == Decimal("30.00")
    DailyFigure.objects.filter(store=store).delete()
    assert returns.totals(scope_of(store)).units_returned == 0
    call_command("analytics", "rebuild", "--store", store.slug)
    assert returns.totals(scope_of(store)).units_returned == 3


def test_the_check_command_fails_when_the_rollups_drifted(store, capsys):
    give_back(store, sale(store, quantity=30), quantity=3)
    call_command("analytics", "check", "--store", store.slug)
    assert "equal to a rebuild" in capsys.readouterr().out
    DailyFigure.objects.filter(store=store, dimension="reason").update(units=99)
    with pytest.raises(CommandError, match="differ"):
        call_command("analytics", "check", "--store", store.slug)
    with pytest.raises(CommandError, match="No store"):
        call_command("analytics", "rebuild", "--store", "nowhere")
