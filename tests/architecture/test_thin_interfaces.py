"""Interfaces (the API, the shopper's portal, the back office) parse, call one service or
selector, and render: they never query a model themselves. A query in a view is a rule of the
product hidden where no other interface can reuse it, and where tests of the capability do not
see it; it belongs in the capability's `selectors` (reads) or `services` (writes).
"""

from __future__ import annotations

import ast
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
# above). Every package of `retorno` is a context but the interfaces themselves, the demo data,
# analytics (a layer of reads, ADR 12), core and the domain (shared by everyone). A context's
# faces may be packages (`money/services/refunds.py`, `returns/selectors/queue.py`), and an app
# may sit one level down (`connectors/shopify/services.py`).
INTERFACES_PACKAGES = frozenset({"api", "portal", "backoffice"})
OPEN_TO_INTERFACES = INTERFACES_PACKAGES | {"demo", "analytics", "core", "domain"}
PUBLIC_FACES = frozenset({"services", "selectors", "workflows", "models"})


def reaches(g: imports.Graph | None = None) -> list[str]:
    """Imports by an interface module of a context's module that is not one of its faces."""
    g = g or imports.graph()
    found = []
    for imp in g.imports:
        source = imp.source.split(".")
        target = imp.target.split(".")
        if source[1] not in INTERFACES_PACKAGES or g.modules[imp.source].is_test:
            continue
        if len(target) < 3 or target[0] != "retorno" or target[1] in OPEN_TO_INTERFACES:
            continue
        if not PUBLIC_FACES & set(target[2:]):
            found.append(f"{imp.source}:{imp.line} {imp.target}")
    return sorted(set(found))


def test_interfaces_reach_contexts_through_their_selectors_and_services_only():
    assert reaches() == [], "put a selector or a service in front of what these reach"


def test_the_rule_sees_a_reach_past_the_faces(tmp_path: Path):
    for name, text in {
        "__init__.py": "",
        "api/__init__.py": "",
        "api/views.py": (
            "from retorno.money.selectors import refunds\n"
            "from retorno.money.services.refunds import refund_create\n"
            "from retorno.money.exports import csv_lines\n"
            "from retorno.core.labels import label\n"
            "from retorno.connectors.shopify.client import Client\n"
        ),
        "money/__init__.py": "",
        "money/selectors.py": "refunds = 1\n",
        "money/services/__init__.py": "",
        "money/services/refunds.py": "def refund_create(): ...\n",
        "money/exports.py": "def csv_lines(): ...\n",
        "core/__init__.py": "",
        "core/labels.py": "def label(): ...\n",
        "connectors/__init__.py": "",
        "connectors/shopify/__init__.py": "",
        "connectors/shopify/client.py": "class Client: ...\n",
    }.items():
        path = tmp_path / "retorno" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert sorted(r.split(" ")[1] for r in reaches(imports.graph(tmp_path))) == [
        "retorno.connectors.shopify.client",
        "retorno.money.exports",
    ]
