"""Warehouse rules: grades, inspection checklists, disposition rules, return-to-vendor batches.

Pure Python; the warehouse app maps its models onto these. See docs/money.md (dispositions).
"""

from retorno.domain.warehouse.checklists import (
    Check,
    Checklist,
    ChecklistError,
    ChecklistIncomplete,
    ChecklistResult,
    checklist_for,
    checklist_result,
    parse_checklists,
)
from retorno.domain.warehouse.dispositions import (
    Disposition,
    DispositionDefaults,
    DispositionError,
    DispositionProposal,
    DispositionRule,
    DispositionRulesError,
    DispositionRuleSet,
    parse_disposition_rules,
    propose_disposition,
    sellable,
)
from retorno.domain.warehouse.grades import Grade, GradeError, as_grade, unit_physically_present
from retorno.domain.warehouse.rtv import (
    RtvBatchKey,
    RtvError,
    batch_deadline,
    rtv_batch_key,
    rtv_deadline,
    rtv_overdue,
)

__all__ = [
    "Check",
    "Checklist",
    "ChecklistError",
    "ChecklistIncomplete",
    "ChecklistResult",
    "Disposition",
    "DispositionDefaults",
    "DispositionError",
    "DispositionProposal",
    "DispositionRule",
    "DispositionRuleSet",
    "DispositionRulesError",
    "Grade",
    "GradeError",
    "RtvBatchKey",
    "RtvError",
    "as_grade",
    "batch_deadline",
    "checklist_for",
    "checklist_result",
    "parse_checklists",
    "parse_disposition_rules",
    "propose_disposition",
    "rtv_batch_key",
    "rtv_deadline",
    "rtv_overdue",
    "sellable",
    "unit_physically_present",
]
