"""The upgrade that moves a store's money settings into its policy keeps what it decided."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from retorno.domain.policies import decide, parse_policy
from retorno.domain.tests.policies.builders import NOW, customer, line, order, request
from retorno.policies.models import PolicyVersion

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("resolutions", "0002_charges")]
AFTER = [("resolutions", "0003_money_settings_into_policy")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Later migrations exist: leave the database as every other test expects it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_changed_money_settings_become_a_new_policy_version(store, back_to_latest):
    untouched = type(store).objects.create(slug="plain", name="Plain", currency="EUR")
    old_apps = _migrate(BEFORE)
    try:
        settings_model = old_apps.get_model("resolutions", "ResolutionSettings")
        settings_model.objects.create(
            store_id=store.id,
            payment_adapter="manual",
            instant_exchange_tiers=["gold", "silver"],
            keep_item_enabled=True,
            keep_item_recovery_percent=Decimal("80"),
            keep_item_max_value=Decimal("10.00"),
            return_shipping_cost=Decimal("6.50"),
            damaged_percent=Decimal("35"),
            used_percent=Decimal("0"),
        )
        settings_model.objects.create(store_id=untouched.id, payment_adapter="console")
        versions_before = PolicyVersion.objects.filter(store=store).count()
    finally:
        _migrate(AFTER)

    latest = PolicyVersion.objects.filter(store=store).order_by("-version").first()
    assert PolicyVersion.objects.filter(store=store).count() == versions_before + 1
    assert not PolicyVersion.objects.filter(store=untouched).exists()
    policy = parse_policy(latest.document)  # a valid document
    cheap = order(line(unit_price="5.00"))
    decision = decide(policy, cheap, customer("silver"), request(("l1", 1, "too_small")), NOW)
    assert decision.instant_exchange is True
    assert decision.keep_item.allowed  # 6.50 to ship > 80 % of 5.00
    assert decision.lines[0].damaged_deduction_percent == Decimal("35")
    bronze = decide(policy, cheap, customer("bronze"), None, NOW)
    assert bronze.instant_exchange is False
