"""The rulebook's figures, measured from the source on every run (see imports.py).

No import circle anywhere in `retorno`; no module takes another's private name; an import
inside a function carries a comment saying why (Django's app registry: `AppConfig.ready()`
registering handlers that import models; a heavy third-party package loaded only by the code
that uses it); no production module past MAX_MODULE_LINES lines (but data). Each holds with no
exception listed: a new one is cut where it appears.
"""

from __future__ import annotations

from pathlib import Path

from tests.architecture import imports


def graph() -> imports.Graph:
    return imports.graph()


def test_the_graph_is_read():
    g = graph()
    assert len(g.modules) > 300
    assert "retorno.returns.models" in g.edges()["retorno.returns.services"]


def test_no_import_circle():
    assert imports.circles(graph()) == []


def test_no_module_takes_another_modules_private_name():
    assert [
        f"{i.source}:{i.line} {i.target}.{i.private_name}" for i in imports.private_imports(graph())
    ] == []


def test_an_import_inside_a_function_says_why():
    unexplained = [i for i in imports.function_imports(graph()) if not i.explained]
    assert [f"{i.source}:{i.line} {i.target}" for i in unexplained] == []


def test_no_production_module_is_past_the_limit():
    assert imports.oversized_modules(graph()) == []


# --- the measure itself --------------------------------------------------------------------------


def write(root: Path, name: str, text: str) -> None:
    path = root / "retorno" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_measure_finds_circles_private_names_and_hidden_imports(tmp_path: Path):
    write(tmp_path, "__init__.py", "")
    write(tmp_path, "a.py", "from retorno import b\n\ndef f():\n    return b._secret\n")
    write(tmp_path, "b.py", "def g():\n    from retorno.a import f\n    return f\n")
    write(tmp_path, "c.py", "from retorno.b import _secret\n")
    write(
        tmp_path,
        "d.py",
        "def h():\n    # the app registry is not ready at import time\n    import retorno.c\n",
    )
    g = imports.graph(tmp_path)
    assert imports.circles(g) == [["retorno.a", "retorno.b"]]
    assert sorted((i.source, i.private_name) for i in imports.private_imports(g)) == [
        ("retorno.a", "_secret"),
        ("retorno.c", "_secret"),
    ]
    inner = {i.source: i.explained for i in imports.function_imports(g)}
    assert inner == {"retorno.b": False, "retorno.d": True}
