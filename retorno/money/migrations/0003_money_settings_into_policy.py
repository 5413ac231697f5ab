"""Instant-exchange tiers, keep-the-item and deduction rates move from the per-store money
settings into the versioned policy document (docs/policies.md). A store that had changed any
of them gets a new policy version saying the same thing, so nothing it decided changes."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.db import migrations

# The policy settings added with this move and their defaults, as of this migration (frozen
# here on purpose: a migration must not follow later changes of the code).
ADDED_DEFAULTS: dict[str, Any] = {
    "instant_exchange": False,
    "instant_exchange_return_days": 30,
    "keep_item": False,
    "keep_item_max_value": None,
    "keep_item_recovery_percent": "100",
    "return_shipping_cost": "0.00",
    "damaged_deduction_percent": "50",
    "used_deduction_percent": "0",
}


def _text(value: Any) -> str:
    return format(Decimal(value).normalize(), "f")


def _policy_changes(row: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    base: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    if row.keep_item_enabled:
        base["keep_item"] = True
        base["keep_item_recovery_percent"] = _text(row.keep_item_recovery_percent)
        base["return_shipping_cost"] = f"{Decimal(row.return_shipping_cost):.2f}"
        if row.keep_item_max_value is not None:
            base["keep_item_max_value"] = f"{Decimal(row.keep_item_max_value):.2f}"
    if Decimal(row.damaged_percent) != Decimal(50):
        base["damaged_deduction_percent"] = _text(row.damaged_percent)
    if Decimal(row.used_percent) != Decimal(0):
        base["used_deduction_percent"] = _text(row.used_percent)
    tiers = [tier for tier in (row.instant_exchange_tiers or []) if tier]
    if tiers:
        rules.append(
            {
                "id": "instant-exchange-tiers",
                "description": "These tiers get their exchange before sending the item back.",
                "when": {"tier_in": sorted(set(tiers))},
                "then": {"instant_exchange": True},
            }
        )
    return base, rules


def money_settings_into_policy(apps: Any, schema_editor: Any) -> None:
    settings_model = apps.get_model("resolutions", "ResolutionSettings")
    policy_model = apps.get_model("policies", "PolicyVersion")
    for row in settings_model.objects.all():
        base, rules = _policy_changes(row)
        if not base and not rules:
            continue
        current = policy_model.objects.filter(store_id=row.store_id).order_by("-version").first()
        if current is None:
            continue  # the store gets the default policy on first use; nothing to carry
        document = copy.deepcopy(current.document)
        document["base"] = {**ADDED_DEFAULTS, **document["base"], **base}
        taken = {rule["id"] for rule in document.get("rules", [])}
        document["rules"] = [
            *document.get("rules", []), *(r for r in rules if r["id"] not in taken)
        ]
        policy_model.objects.create(
            store_id=row.store_id,
            version=current.version + 1,
            document=document,
            note="Money settings (instant exchange, keep-the-item, deductions) moved here.",
            created_by="Retorno upgrade",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("resolutions", "0002_charges"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(money_settings_into_policy, migrations.RunPython.noop),
        migrations.RemoveField(model_name="resolutionsettings", name="instant_exchange_tiers"),
        migrations.RemoveField(model_name="resolutionsettings", name="keep_item_enabled"),
        migrations.RemoveField(
            model_name="resolutionsettings", name="keep_item_recovery_percent"
        ),
        migrations.RemoveField(model_name="resolutionsettings", name="keep_item_max_value"),
        migrations.RemoveField(model_name="resolutionsettings", name="return_shipping_cost"),
        migrations.RemoveField(model_name="resolutionsettings", name="damaged_percent"),
        migrations.RemoveField(model_name="resolutionsettings", name="used_percent"),
    ]
