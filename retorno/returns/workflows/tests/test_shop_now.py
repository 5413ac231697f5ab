"""Shop now: catalogue items bought with a return's store credit. The credit is issued by the
refund ledger and spent on the items from the wallet once; what they cost beyond it is charged
before they ship, what is left stays in the wallet; nothing is bought twice or paid twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retorno.core.errors import Unprocessable
from retorno.money.models import Charge, CreditEntry, ExchangeOrder, Refund, StoreCreditWallet
from retorno.money.tests.conftest import AGENT, order_with, receive, set_policy_base
from retorno.orders.models import Order, Product, Variant
from retorno.returns import services
from retorno.returns.models import Return
from retorno.returns.workflows.shop_now import shop_now_pay
from retorno.stores.models import Store

pytestmark = pytest.mark.django_db(transaction=True)

# One unit at 20.00 returned as too small: 20.00 - 5.00 return shipping = 15.00, +10 % bonus.
CREDIT = Decimal("16.50")


def catalogue(store: Store) -> dict[str, Variant]:
    bag = Product.objects.create(store=store, external_id="bag", title="Bag", category="bags")
    coat = Product.objects.create(store=store, external_id="coat", title="Coat", category="coats")
    return {
        "bag": Variant.objects.create(
            store=store, product=bag, sku="BAG", price=Decimal("15.00"), stock=3
        ),
        "coat": Variant.objects.create(
            store=store, product=coat, sku="COAT-M", price=Decimal("90.00"), stock=1
        ),
    }


def shop(store: Store, order: Order, basket: list[Variant], **kwargs) -> Return:
    line = order.lines.get()
    return services.return_create(
        store=store,
        order_external_id=order.external_id,
        items=[services.ItemRequest(line=line.external_id, quantity=1, reason="too_small")],
        resolution=kwargs.pop("resolution", "store_credit"),
        method="drop_off",
        actor=AGENT,
        shop_now=[{"variant": v.id, "units": 1} for v in basket],
        **kwargs,
    )


def balance(order: Order) -> Decimal:
    wallet = StoreCreditWallet.objects.filter(customer=order.customer).first()
    return Decimal(wallet.balance_amount) if wallet else Decimal("0")


def test_a_cheaper_basket_is_paid_from_the_credit_and_the_rest_stays_in_the_wallet(store, provider):
    set_policy_base(store, refund_timing="on_approval")
    items = catalogue(store)
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["bag"]])
    assert returned.status == "approved"
    refund = Refund.objects.get(return_id=returned.id)
    assert (refund.destination, refund.amount + refund.bonus_amount) == ("store_credit", CREDIT)
    exchange = ExchangeOrder.objects.get(return_id=returned.id)
    assert exchange.state == "released"  # sent for fulfilment at once
    assert exchange.difference_amount == 0
    assert not Charge.objects.exists()
    assert balance(order) == CREDIT - Decimal("15.00")
    spends = CreditEntry.objects.filter(kind="spend")
    assert [s.amount for s in spends] == [Decimal("15.00")]
    items["bag"].refresh_from_db()
    assert items["bag"].stock == 2
    assert provider.total_paid == 0  # no money to the card: it was store credit


def test_a_dearer_basket_spends_all_the_credit_and_charges_the_rest_before_it_ships(
    store, provider
):
    set_policy_base(store, refund_timing="on_approval")
    items = catalogue(store)
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["coat"]])
    exchange = ExchangeOrder.objects.get(return_id=returned.id)
    assert exchange.difference_amount == Decimal("90.00") - CREDIT
    charge = Charge.objects.get(exchange=exchange)
    assert charge.amount == Decimal("90.00") - CREDIT
    # The rest is charged after the commit; once paid, the coat ships.
    assert charge.state == "succeeded"
    assert len(provider.charge_calls) == 1
    assert exchange.state == "released"
    assert balance(order) == 0
    assert "charge_issued" in returned.events.values_list("kind", flat=True)
    # Paying again (a second credit of the same return) buys nothing and spends nothing more.
    refund = Refund.objects.get(return_id=returned.id)
    assert shop_now_pay(returned, refund, now=refund.created_at) is None
    assert CreditEntry.objects.filter(kind="spend").count() == 1


def test_the_items_are_reserved_at_approval_and_paid_when_the_credit_comes(store, provider):
    items = catalogue(store)  # the default policy: credit when the parcel reaches the warehouse
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["bag"]])
    exchange = ExchangeOrder.objects.get(return_id=returned.id)
    assert exchange.state == "reserved"
    assert balance(order) == 0
    receive(store, returned, 1)
    exchange.refresh_from_db()
    assert exchange.state == "released"
    assert balance(order) == CREDIT - Decimal("15.00")


def test_a_cancelled_return_gives_the_reserved_stock_back_and_spends_nothing(store, provider):
    items = catalogue(store)
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["bag"], items["coat"]])
    items["coat"].refresh_from_db()
    assert items["coat"].stock == 0
    services.return_cancel(store=store, rma=returned.rma, actor=AGENT)
    assert ExchangeOrder.objects.get(return_id=returned.id).state == "cancelled"
    for variant, stock in ((items["bag"], 3), (items["coat"], 1)):
        variant.refresh_from_db()
        assert variant.stock == stock
    assert not CreditEntry.objects.exists()


def test_items_sold_out_by_approval_are_not_bought_and_the_credit_stays_whole(store, provider):
    set_policy_base(store, refund_timing="on_approval")
    items = catalogue(store)
    Variant.objects.filter(id=items["coat"].id).update(stock=0)
    order = order_with(store, quantity=1)
    returned = shop(store, order, [items["coat"]])
    assert returned.status == "approved"
    assert not ExchangeOrder.objects.exists()
    assert balance(order) == CREDIT


@pytest.mark.parametrize(
    ("basket", "resolution"),
    [
        ([{"variant": 1, "units": 1}], "refund"),
        ([{"variant": 999_999, "units": 1}], "store_credit"),
        ([{"variant": "x"}], "store_credit"),
        ([{"variant": 1, "units": 0}], "store_credit"),
    ],
)
def test_a_basket_that_cannot_be_bought_is_refused_with_a_code(store, provider, basket, resolution):
    items = catalogue(store)
    basket = [{**b, "variant": items["bag"].id} if b.get("variant") == 1 else b for b in basket]
    order = order_with(store, quantity=1)
    line = order.lines.get()
    with pytest.raises(Unprocessable) as refused:
        services.return_create(
            store=store,
            order_external_id=order.external_id,
            items=[services.ItemRequest(line=line.external_id, quantity=1, reason="too_small")],
            resolution=resolution,
            method="drop_off",
            actor=AGENT,
            shop_now=basket,
        )
    assert refused.value.code == "invalid_shop_now"
    assert not Return.objects.exists()
