"""Layering seen from the data model and from the imports.

Foreign keys point down: a model may reference its own layer or a lower one, never a higher one
(returns > policies > orders > accounts > stores > core; Django's auth models are lowest). And
the pure domain imports nothing of Django.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
# Rank of each app, bottom to top. The capabilities share a rank: they sit between orders and
# returns and must stay independent of each other, so a key between two of them is refused too.
CAPABILITIES = (
    "policies",
    "logistics",
    "warehouse",
    "money",
    "notifications",
    "insight",
    "webhooks",
    "connectors.shopify",
    "connectors.stripe",
    "connectors.woocommerce",
)
RANKS = {
    "core": 0,
    "stores": 1,
    "accounts": 2,
    "orders": 3,
    **dict.fromkeys(CAPABILITIES, 4),
    "returns": 5,
    # The analytics rollups: derived tables above the return kernel (ADR 12).
    "analytics": 6,
}
BELOW_EVERYTHING = {"auth", "contenttypes"}


def app_of(model: type[models.Model]) -> str:
    return apps.get_app_config(model._meta.app_label).name.removeprefix("retorno.")


def layer_of(model: type[models.Model]) -> int:
    if model._meta.app_label in BELOW_EVERYTHING:
        return -1
    name = app_of(model)
    assert name in RANKS, f"retorno.{name} has models but no place in the layer order"
    return RANKS[name]


def allowed(source: type[models.Model], target: type[models.Model]) -> bool:
    # Down, or inside the app; never up, never to a sibling capability.
    return layer_of(target) < layer_of(source) or app_of(target) == app_of(source)


def retorno_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("retorno.")
        for model in config.get_models()
    ]


def test_every_retorno_app_with_models_has_a_layer():
    for model in retorno_models():
        layer_of(model)


def test_there_are_foreign_keys_to_check():
    assert (
        sum(
            isinstance(field, models.ForeignKey)
            for model in retorno_models()
            for field in model._meta.get_fields()
        )
        >= 10
    )


def test_foreign_keys_point_to_the_same_or_a_lower_layer():
    upward = []
    for model in retorno_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue  # reverse relations are the other side of a checked key
            target = field.related_model
            if not allowed(model, target):
                upward.append(f"{model._meta.label}.{field.name} -> {target._meta.label}")
    assert upward == []


def test_the_check_would_catch_an_upward_or_sideways_key():
    from retorno.orders.models import Order
    from retorno.policies.models import PolicyVersion
    from retorno.returns.models import Return
    from retorno.stores.models import Store

    assert allowed(Return, Order)
    assert allowed(Order, Order)
    assert not allowed(Order, Return)
    assert not allowed(Store, PolicyVersion)
    if apps.is_installed("retorno.notifications"):
        from retorno.notifications.models import Message

        assert not allowed(PolicyVersion, Message)


# --- the pure domain ---------------------------------------------------------------------------

FORBIDDEN = ("django", "celery", "ninja", "pydantic", "httpx", "psycopg", "rest_framework")
DOMAIN = ROOT / "retorno" / "domain"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def domain_sources() -> list[Path]:
    return [p for p in DOMAIN.rglob("*.py") if "tests" not in p.relative_to(DOMAIN).parts]


def test_domain_imports_nothing_of_django_or_the_rest_of_retorno():
    offenders = []
    for path in domain_sources():
        for module in imported_modules(path):
            top = module.split(".")[0]
            outside_domain = module.startswith("retorno.") and not module.startswith(
                "retorno.domain"
            )
            if top in FORBIDDEN or outside_domain:
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert domain_sources()
    assert offenders == []


def test_domain_loads_without_django():
    """Import every domain module in a fresh interpreter and check Django never got loaded."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import retorno.domain as d\n"
        "for m in pkgutil.walk_packages(d.__path__, 'retorno.domain.'):\n"
        "    if '.tests' not in m.name:\n"
        "        importlib.import_module(m.name)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a pinned dependency; reinstall with make install"
    result = subprocess.run(
        [lint, "--no-cache"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
