"""The import graph of `retorno/`, read from the source text, and the figures the rulebook holds.

`python -m tests.architecture.imports` prints them: import circles, imports of another module's
private names, imports inside functions (and which of them carry no reason), and the largest
modules. `test_import_graph.py` asserts the limits.

A module imports another when it names it in an import statement anywhere: at the top, under
`if TYPE_CHECKING:` or inside a function. An import inside a function still ties the two modules
together; it only hides the tie from the interpreter until the function runs.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "retorno"
# Production modules may not grow past this many lines; these are data, not code.
MAX_MODULE_LINES = 700
LARGE_BY_NATURE = frozenset({"retorno.demo.data", "retorno.demo.generator"})


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def is_test(self) -> bool:
        parts = self.name.split(".")
        return "tests" in parts or parts[-1] == "conftest"

    @property
    def is_migration(self) -> bool:
        return "migrations" in self.name.split(".")

    @property
    def lines(self) -> int:
        return len(self.path.read_text().splitlines())


@dataclass(frozen=True)
class Import:
    source: str
    target: str  # the module imported (a module of the graph, or an outside name)
    line: int
    inside_function: bool
    explained: bool  # a comment on the line or just above it says why
    private_name: str = ""  # `_name` taken from another module


@dataclass
class Graph:
    modules: dict[str, Module]
    imports: list[Import] = field(default_factory=list)

    def edges(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = defaultdict(set)
        for imp in self.imports:
            if imp.target in self.modules and imp.target != imp.source:
                graph[imp.source].add(imp.target)
        return graph


def modules(root: Path = ROOT) -> dict[str, Module]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        found[name] = Module(name, path, is_package)
    return found


def _resolve_from(node: ast.ImportFrom, module: Module) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _owning_module(name: str, known: dict[str, Module]) -> str:
    """The module of the graph that `name` (a module or a name inside one) belongs to."""
    while name and name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _functions_around(tree: ast.AST) -> dict[ast.AST, bool]:
    inside: dict[ast.AST, bool] = {}

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside[child] = in_function
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    return inside


def _commented(lines: list[str], lineno: int) -> bool:
    """A comment on the line (not a tool's marker) or on the line just above."""
    comment = lines[lineno - 1].partition("#")[2].strip()
    above = lines[lineno - 2].strip() if lineno >= 2 else ""
    return bool(comment and not comment.startswith(("noqa", "type:"))) or above.startswith("#")


def _explained_imports(tree: ast.AST, lines: list[str]) -> set[ast.AST]:
    """Import statements that say why: commented themselves, or in an unbroken run of imports
    whose first one is (one comment for a block of imports)."""
    explained: set[ast.AST] = set()
    blocks = (
        block
        for node in ast.walk(tree)
        for name in ("body", "orelse", "finalbody")
        if isinstance(block := getattr(node, name, None), list)
    )
    for block in blocks:
        run_explained = False
        for statement in block:
            if not isinstance(statement, ast.Import | ast.ImportFrom):
                run_explained = False
                continue
            run_explained = run_explained or _commented(lines, statement.lineno)
            if run_explained:
                explained.add(statement)
    return explained


def _imports_of(module: Module, known: dict[str, Module]) -> Iterator[Import]:
    text = module.path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(module.path))
    inside = _functions_around(tree)
    explained = _explained_imports(tree, lines)
    bound: dict[str, str] = {}  # local name -> retorno module it is bound to
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        common = {
            "source": module.name,
            "line": node.lineno,
            "inside_function": inside.get(node, False),
            "explained": node in explained,
        }
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _owning_module(alias.name, known)
                if alias.asname and alias.name in known:
                    bound[alias.asname] = alias.name
                yield Import(target=target or alias.name, **common)
            continue
        base = _resolve_from(node, module)
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full in known:
                bound[alias.asname or alias.name] = full
                yield Import(target=full, **common)
                continue
            target = _owning_module(base, known) or base
            private = (
                alias.name
                if alias.name.startswith("_")
                and not alias.name.startswith("__")
                and target != module.name
                else ""
            )
            yield Import(target=target, private_name=private, **common)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and bound[node.value.id] != module.name
        ):
            yield Import(
                source=module.name,
                target=bound[node.value.id],
                line=node.lineno,
                inside_function=False,
                explained=True,
                private_name=node.attr,
            )


@cache
def graph(root: Path = ROOT) -> Graph:
    known = modules(root)
    result = Graph(known)
    for module in known.values():
        result.imports.extend(_imports_of(module, known))
    return result


def circles(g: Graph) -> list[list[str]]:
    """The strongly connected groups of modules (each a circle of imports), largest first."""
    edges = g.edges()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(g.modules)))
    try:
        for name in sorted(g.modules):
            if name not in index:
                visit(name)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found, key=len, reverse=True)


def private_imports(g: Graph) -> list[Import]:
    return [imp for imp in g.imports if imp.private_name]


def function_imports(g: Graph, *, production_only: bool = True) -> list[Import]:
    """Import statements inside functions (one per statement, whatever it names)."""
    seen: dict[tuple[str, int], Import] = {}
    for imp in g.imports:
        if imp.inside_function and not (production_only and g.modules[imp.source].is_test):
            seen.setdefault((imp.source, imp.line), imp)
    return list(seen.values())


def production_modules(g: Graph) -> list[Module]:
    return [m for m in g.modules.values() if not (m.is_test or m.is_migration)]


def oversized_modules(g: Graph) -> list[tuple[str, int]]:
    return sorted(
        (
            (m.name, m.lines)
            for m in production_modules(g)
            if m.name not in LARGE_BY_NATURE and m.lines > MAX_MODULE_LINES
        ),
        key=lambda pair: -pair[1],
    )


def report(g: Graph) -> str:
    out = []
    found = circles(g)
    out.append(f"import circles: {len(found)}")
    out.extend(f"  {len(c)}: {' '.join(c)}" for c in found)
    private = private_imports(g)
    out.append(f"imports of another module's private names: {len(private)}")
    out.extend(f"  {p.source}:{p.line} {p.target}.{p.private_name}" for p in private)
    inner = function_imports(g)
    unexplained = [imp for imp in inner if not imp.explained]
    out.append(
        f"imports inside functions (production): {len(inner)}, "
        f"without a comment saying why: {len(unexplained)}"
    )
    out.extend(f"  {i.source}:{i.line} {i.target}" for i in inner)
    in_tests = len(function_imports(g, production_only=False)) - len(inner)
    out.append(f"imports inside functions (tests): {in_tests}")
    sizes = sorted(((m.lines, m.name) for m in production_modules(g)), reverse=True)
    out.append(f"largest production modules (limit {MAX_MODULE_LINES} lines):")
    out.extend(f"  {lines:5d} {name}" for lines, name in sizes[:12])
    return "\n".join(out)


if __name__ == "__main__":
    print(report(graph(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT)))
