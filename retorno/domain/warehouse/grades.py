"""Inspection grades: the condition a returned unit is found in."""

from __future__ import annotations

from enum import StrEnum

from retorno.domain.errors import DomainError


class Grade(StrEnum):
    """NEW: unopened or indistinguishable from new. LIKE_NEW: opened, no visible use. USED: signs
    of use. DAMAGED: broken, stained, missing parts. WRONG_ITEM: not the item on the order line
    (either the store sent the wrong item, or the shopper sent back something else).
    NOT_RECEIVED: the unit was expected but is not in the parcel."""

    NEW = "new"
    LIKE_NEW = "like_new"
    USED = "used"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_RECEIVED = "not_received"


class GradeError(DomainError):
    code = "unknown_grade"


# Grades that can go back on sale as the variant of the order line.
SELLABLE_GRADES: frozenset[Grade] = frozenset({Grade.NEW, Grade.LIKE_NEW})


def as_grade(value: Grade | str) -> Grade:
    """`value` as a Grade; GradeError("unknown_grade") for anything else."""
    try:
        return Grade(value)
    except ValueError:
        raise GradeError(f"Unknown grade {value!r}; use one of: {', '.join(Grade)}.") from None


def unit_physically_present(grade: Grade | str) -> bool:
    """False only for NOT_RECEIVED: there is nothing to shelve, grade further or dispose of."""
    return as_grade(grade) is not Grade.NOT_RECEIVED
