"""Settings have one home: config/settings.py reads the environment, .env.example names every
variable it reads (and nothing else), and the code reads `settings.X`, never a default of its
own (`getattr(settings, "X", default)` hides a setting from both files)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings.py"
EXAMPLE = ROOT / ".env.example"


def variables_read(source: str) -> set[str]:
    """Environment variables named by django-environ calls: env.int("X", ...), env("X")."""
    tree = ast.parse(source)
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and (
                (isinstance(func.value, ast.Name) and func.value.id == "env")
                or (isinstance(func.value, ast.Call) and ast.unparse(func.value).endswith("Env()"))
            )
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.add(first.value)
    return found


def variables_listed(text: str) -> set[str]:
    """NAME=value lines of .env.example, commented-out examples included."""
    return set(re.findall(r"(?m)^#?\s*([A-Z][A-Z0-9_]*)=", text))


def test_env_example_names_every_variable_settings_read_and_no_other():
    read = variables_read(SETTINGS.read_text())
    listed = variables_listed(EXAMPLE.read_text())
    assert len(read) > 40
    assert {"missing from .env.example": read - listed, "read by no setting": listed - read} == {
        "missing from .env.example": set(),
        "read by no setting": set(),
    }


def defaulted_settings(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(root)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) == 3
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "settings"
    ]


def test_the_code_reads_settings_without_defaults_of_its_own():
    files = [p for p in sorted((ROOT / "retorno").rglob("*.py")) if "tests" not in p.parts]
    found = [hit for path in files for hit in defaulted_settings(path)]
    assert found == [], "declare these in config/settings.py and read settings.X"


def test_the_rules_see_what_they_look_for(tmp_path: Path):
    assert variables_read(
        'env = environ.Env()\nA = env.int("A", default=1)\nB = environ.Env().str("B")\n'
        'C = env("C")\nD = os.environ.get("D")\n'
    ) == {"A", "B", "C"}
    assert variables_listed("# A comment\nA=1\n# B=example\nnot=this\n") == {"A", "B"}
    module = tmp_path / "module.py"
    module.write_text('x = getattr(settings, "X", 3)\ny = getattr(settings, name)\n')
    assert defaulted_settings(module, tmp_path) == ["module.py:1"]


def test_locale_paths_are_folders_that_exist():
    assert all(Path(folder).is_dir() for folder in settings.LOCALE_PATHS)
