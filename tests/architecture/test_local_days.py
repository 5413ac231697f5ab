"""Every "today" is the store's (or the carrier's) local day.

An aware instant becomes a calendar day, or a time of day, only through
retorno.domain.days (`local_day`, `local_time`), given the zone it belongs to. This test walks the
product's code (not its tests) and fails on every other way to get a day or a local time:
`<instant>.date()`, `date.today()`, `datetime.now()` / `utcnow()` / `today()`, and Django's
`timezone.localdate()` / `localtime()` (they use whatever zone happens to be active: the
server's in a job or an outbox handler).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "retorno" / "domain" / "days.py"
SKIPPED_PARTS = {"tests", "migrations"}

DAY_FROM_INSTANT = "turns an instant into a day or a time outside retorno.domain.days"
ZONELESS_CLOCK = "reads a clock without a zone; use timezone.now() and retorno.domain.days"
ACTIVE_ZONE = "uses the active zone; use retorno.domain.days with the store's zone"


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def offences(source: str) -> list[tuple[int, str]]:
    """(line, why) for each way of getting a day or a local time that bypasses the helper."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = _dotted(func)
        last = name.rsplit(".", 1)[-1]
        owner = name.rsplit(".", 2)[-2] if name.count(".") else ""
        if isinstance(func, ast.Attribute) and func.attr == "date" and not node.args:
            if not node.keywords:
                found.append((node.lineno, DAY_FROM_INSTANT))
        elif owner in ("date", "datetime") and last in ("today", "now", "utcnow"):
            found.append((node.lineno, ZONELESS_CLOCK))
        elif last in ("localdate", "localtime") and owner in ("", "timezone"):
            found.append((node.lineno, ACTIVE_ZONE))
    return sorted(found)


def product_files() -> list[Path]:
    files = []
    for folder in ("retorno", "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts) or path == HELPER:
                continue
            files.append(path)
    return files


def test_days_come_from_the_local_day_helper_only():
    files = product_files()
    assert len(files) > 100  # the walk does see the product's code
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {why}"
        for path in files
        for line, why in offences(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("now.date()", DAY_FROM_INSTANT),
        ("timezone.now().date()", DAY_FROM_INSTANT),
        ("shipment.pickup_window_start.date()", DAY_FROM_INSTANT),
        ("moment.astimezone(zone).date()", DAY_FROM_INSTANT),
        ("date.today()", ZONELESS_CLOCK),
        ("datetime.date.today()", ZONELESS_CLOCK),
        ("datetime.now()", ZONELESS_CLOCK),
        ("datetime.now(UTC)", ZONELESS_CLOCK),
        ("dt.datetime.now(tz=UTC)", ZONELESS_CLOCK),
        ("datetime.utcnow()", ZONELESS_CLOCK),
        ("datetime.today()", ZONELESS_CLOCK),
        ("timezone.localdate()", ACTIVE_ZONE),
        ("timezone.localtime(moment)", ACTIVE_ZONE),
        ("localdate()", ACTIVE_ZONE),
        ("localtime(moment)", ACTIVE_ZONE),
    ],
)
def test_each_bypass_is_caught(source, why):
    assert offences(source) == [(1, why)]


@pytest.mark.parametrize(
    "source",
    [
        "timezone.now()",
        "local_day(timezone.now(), store.timezone)",
        "days.local_time(moment, 'Europe/Madrid')",
        "date.fromisoformat('2026-01-12')",
        "datetime.combine(day, time.min, zone)",
        "time.localtime()",  # the time module's struct, not a day of a store
        "form.date(required=True)",
    ],
)
def test_what_stays_allowed(source):
    assert offences(source) == []
