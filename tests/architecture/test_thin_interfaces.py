"""Interfaces (the API, the shopper's portal, the back office) parse, call one service or
selector, and render: they never query a model themselves. A query in a view is a rule of the
product hidden where no other interface can reuse it, and where tests of the capability do not
see it; it belongs in the capability's `selectors` (reads) or `services` (writes).
"""

from __future__ import annotations

import ast
from pathlib import Path

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
