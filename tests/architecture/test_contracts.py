"""The import-linter contracts say what the rulebook means. Siblings on one layer are written
with `|` (independent: none imports another) and never with `:` (which lets them import each
other: an import from logistics into notifications passed under it). `make check` runs the
contracts with lint-imports; this test keeps them from being loosened."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_siblings_on_a_layer_are_independent():
    layered = [c for c in contracts() if c["type"] == "layers"]
    assert layered
    loose = [layer for c in layered for layer in c["layers"] if ":" in layer]
    assert loose == [], "write siblings with | so none may import another"


def test_every_capability_is_a_layer_of_its_own_below_the_kernel():
    (layers,) = [c["layers"] for c in contracts() if c["type"] == "layers"]
    kernel = layers.index("retorno.returns")
    capabilities = [m.strip() for m in layers[kernel + 1].split("|")]
    assert {"retorno.logistics", "retorno.money", "retorno.notifications"} <= set(capabilities)
    assert len(capabilities) >= 6
