"""axe-core in the browser tests: the vendored copy (retorno/core/static/vendor/axe-core, from
the npm registry at a pinned version) injected into the page, run, and its serious or critical
violations returned as readable lines."""

from __future__ import annotations

import pathlib
from typing import Any

AXE = pathlib.Path(__file__).resolve().parents[2] / "retorno/core/static/vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")


def serious_violations(page: Any) -> list[str]:
    """Every serious or critical axe-core violation on the page, as "rule: target (impact)".
    The page's context must bypass CSP (the portal allows only its own nonced scripts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}})"
    )
    return [
        f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'][:3])} ({v['impact']})"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
