"""Interfaces (the API, the shopper's portal, the back office) parse, call one service or
selector, and render: they never query a model themselves. A query in a view is a rule of the
product hidden where no other interface can reuse it, and where tests of the capability do not
see it; it belongs in the capability's `selectors` (reads) or `services` (writes).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from tests.architecture import imports

ROOT = Path(__file__).resolve().parents[2]
INTERFACES = ("retorno/api", "retorno/portal", "retorno/backoffice")
# A model's managers: `Model.objects`, and the ones Django gives every model.
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})


def interface_files(root: Path = ROOT) -> list[Path]:
    return [
        path
        for folder in INTERFACES
        for path in sorted((root / folder).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(root).parts)
    ]


def manager_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno} "
        f".{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS
    ]


def test_interfaces_query_no_model_themselves():
    found = [use for path in interface_files() for use in manager_uses(path)]
    assert found == [], "move these queries into a selector or a service:\n" + "\n".join(found)


def test_the_rule_sees_a_query_in_a_view(tmp_path: Path):
    view = tmp_path / "views.py"
    view.write_text(
        "from retorno.returns.models import Return\n\n"
        "def page(request, rma):\n"
        "    return Return.objects.filter(rma=rma).first()\n\n"
        "def other(model):\n"
        "    return model._default_manager.all()\n"
    )
    assert sorted(use.rsplit(" ", 1)[1] for use in manager_uses(view)) == [
        "._default_manager",
        ".objects",
    ]
    assert len(interface_files()) > 40


# --- what an interface may import from a capability ----------------------------------------------

# An interface talks to a context through its reads (`selectors`), its writes (`services`, a
# return's `workflows`) and its models (types, choices); queries stay in the first two (the rule
# above). Analytics is a layer of reads (ADR 12); core and the domain are shared by everyone.
CONTEXTS = frozenset(
    {
        "accounts",
        "insight",
        "integrations",
        "logistics",
        "money",
        "notifications",
        "orders",
        "policies",
        "returns",
        "stores",
        "warehouse",
        "webhooks",
    }
)
PUBLIC_FACES = frozenset({"services", "selectors", "workflows", "models"})
# Interface module -> imports of other modules of a context it still makes: they may only
# shrink (each waits for a selector or service to stand in front of what it reaches).
KNOWN_REACHES: dict[str, int] = {
    "retorno.api.v1.routers.insight": 1,
    "retorno.api.v1.routers.logistics": 2,
    "retorno.api.v1.routers.policy": 1,
    "retorno.backoffice.carrier_forms": 1,
    "retorno.backoffice.views": 1,
    "retorno.backoffice.views_carrier_accounts": 1,
    "retorno.backoffice.views_carriers": 1,
    "retorno.backoffice.views_exports": 1,
    "retorno.backoffice.views_pickups": 1,
    "retorno.backoffice.views_warehouse": 1,
    "retorno.portal.ratelimit": 1,
    "retorno.portal.views_recovery": 1,
}


def reaches() -> list[str]:
    g = imports.graph()
    found = []
    for imp in g.imports:
        source = imp.source.split(".")
        target = imp.target.split(".")
        if source[1] not in {"api", "portal", "backoffice"} or g.modules[imp.source].is_test:
            continue
        if len(target) < 3 or target[0] != "retorno" or target[1] not in CONTEXTS:
            continue
        if target[2] not in PUBLIC_FACES:
            found.append(f"{imp.source}:{imp.line} {imp.target}")
    return sorted(set(found))


def test_interfaces_reach_contexts_through_their_selectors_and_services_only():
    counts = Counter(reach.split(":")[0] for reach in reaches())
    grown = {m: n for m, n in counts.items() if n > KNOWN_REACHES.get(m, 0)}
    assert grown == {}, [r for r in reaches() if r.split(":")[0] in grown]
    shrunk = {m: n for m, n in KNOWN_REACHES.items() if counts[m] < n}
    assert shrunk == {}, "an entry fixed is an entry lowered in KNOWN_REACHES"
