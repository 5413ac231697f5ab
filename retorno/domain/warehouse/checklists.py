"""Inspection checklists per product category, and the result of answering one.

Each check is a yes/no question phrased so that "yes" is good ("Original packaging present?").
Required checks must be answered before an inspection can be saved; optional ones may be left
out. A checklist passes when every answered check is "yes".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from retorno.domain.documents import DocumentError
from retorno.domain.errors import DomainError
from retorno.domain.warehouse._document import Collector

# The category key of the checklist used for categories without their own.
DEFAULT_CATEGORY = "*"
_CHECK_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_CHECKS = 100


class ChecklistError(DomainError):
    """Codes: unknown_check, invalid_answer."""

    code = "invalid_checklist_answers"


class ChecklistIncomplete(ChecklistError):
    """Required checks left unanswered; `missing` lists their ids in checklist order."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(
            f"These required checks have no answer: {', '.join(missing)}.",
            code="checklist_incomplete",
        )
        self.missing = missing


class ChecklistsDocumentError(DocumentError):
    def __init__(self, errors: Any) -> None:
        super().__init__(errors, code="invalid_checklists")


@dataclass(frozen=True, slots=True)
class Check:
    check_id: str
    label: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Checklist:
    category: str
    checks: tuple[Check, ...]


@dataclass(frozen=True, slots=True)
class ChecklistResult:
    """`failed` lists the ids answered "no"; `unanswered` the optional ids left out."""

    passed: bool
    failed: tuple[str, ...]
    unanswered: tuple[str, ...]


def checklist_result(checklist: Checklist, answers: Mapping[str, bool]) -> ChecklistResult:
    """Judge `answers` (check id → True for "yes") against `checklist`.

    Raises ChecklistIncomplete (code checklist_incomplete) when a required check has no answer,
    ChecklistError("unknown_check") for an answer to a check the list does not have (a stale
    form), and ChecklistError("invalid_answer") for an answer that is not a bool.
    """
    known = {check.check_id for check in checklist.checks}
    for check_id, answer in answers.items():
        if check_id not in known:
            raise ChecklistError(f"{check_id!r} is not a check of this list.", code="unknown_check")
        if not isinstance(answer, bool):
            raise ChecklistError(
                f"The answer to {check_id!r} must be yes or no.", code="invalid_answer"
            )
    missing = tuple(
        c.check_id for c in checklist.checks if c.required and c.check_id not in answers
    )
    if missing:
        raise ChecklistIncomplete(missing)
    failed = tuple(c.check_id for c in checklist.checks if answers.get(c.check_id) is False)
    unanswered = tuple(c.check_id for c in checklist.checks if c.check_id not in answers)
    return ChecklistResult(passed=not failed, failed=failed, unanswered=unanswered)


def checklist_for(checklists: Mapping[str, Checklist], category: str | None) -> Checklist:
    """The checklist of `category`, else the default one ("*"), else an empty one."""
    if category is not None and category in checklists:
        return checklists[category]
    return checklists.get(DEFAULT_CATEGORY, Checklist(category or DEFAULT_CATEGORY, ()))


def parse_checklists(document: Mapping[str, Any]) -> MappingProxyType[str, Checklist]:
    """Compile a store's checklists document into category → Checklist.

    {"checklists": [{"category": "shoes" or "*", "checks": [{"id", "label", "required"?}]}]}
    ("required" defaults to true). Raises ChecklistsDocumentError with every problem and its
    field path ("checklists[0].checks[2].id").
    """
    check = Collector()
    root = check.mapping(document, "", ("checklists",), ("checklists",))
    raw_lists = root.get("checklists", [])
    if not isinstance(raw_lists, list):
        check.add("checklists", "must be a list")
        raw_lists = []
    result: dict[str, Checklist] = {}
    for index, raw in enumerate(raw_lists):
        path = f"checklists[{index}]"
        entry = check.mapping(raw, path, ("category", "checks"), ("category", "checks"))
        category = (
            check.text(entry["category"], f"{path}.category", max_length=200)
            if "category" in entry
            else None
        )
        if category is not None and category in result:
            check.add(f"{path}.category", f"{category!r} already has a checklist")
        checks = _parse_checks(check, entry.get("checks", []), f"{path}.checks")
        if category is not None and category not in result:
            result[category] = Checklist(category, checks)
    if check.errors:
        raise ChecklistsDocumentError(check.errors)
    return MappingProxyType(result)


def _parse_checks(check: Collector, raw_checks: Any, path: str) -> tuple[Check, ...]:
    if not isinstance(raw_checks, list):
        check.add(path, "must be a list")
        return ()
    if len(raw_checks) > MAX_CHECKS:
        check.add(path, f"must have at most {MAX_CHECKS} checks")
    checks: list[Check] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_checks):
        item_path = f"{path}[{index}]"
        item = check.mapping(raw, item_path, ("id", "label", "required"), ("id", "label"))
        check_id = item.get("id")
        ok = True
        if "id" in item and (not isinstance(check_id, str) or not _CHECK_ID.match(check_id)):
            check.add(f"{item_path}.id", "must be 1-64 lowercase letters, digits, '.', '_' or '-'")
            ok = False
        elif check_id in seen:
            check.add(f"{item_path}.id", f"{check_id!r} is used by an earlier check")
            ok = False
        label = (
            check.text(item["label"], f"{item_path}.label", max_length=200)
            if "label" in item
            else None
        )
        required = item.get("required", True)
        if not isinstance(required, bool):
            check.add(f"{item_path}.required", "must be true or false")
            ok = False
        if ok and isinstance(check_id, str) and label is not None:
            seen.add(check_id)
            checks.append(Check(check_id, label, required))
    return tuple(checks)
