"""A new store's first-run checklist: the steps, in the order a store owner takes them, and
where the store stands. A step is done when the store's own data says so (the facts come from
retorno.returns.selectors.onboarding), skipped when the owner chose to leave it for later; the
checklist is complete when every step is done or skipped, and a skipped step can be resumed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

POLICY, CARRIERS, BRANDING, NOTIFICATIONS, SHOP, TEAM, TEST_RETURN = (
    "policy",
    "carriers",
    "branding",
    "notifications",
    "shop",
    "team",
    "test_return",
)
STEPS: tuple[str, ...] = (POLICY, CARRIERS, BRANDING, NOTIFICATIONS, SHOP, TEAM, TEST_RETURN)

DONE, SKIPPED, TO_DO = "done", "skipped", "to_do"


@dataclass(frozen=True)
class Step:
    code: str
    state: str  # done, skipped or to_do


@dataclass(frozen=True)
class Checklist:
    steps: tuple[Step, ...]

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.state == DONE)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def next_step(self) -> str | None:
        """The first step still to do (skipped steps wait until resumed)."""
        return next((s.code for s in self.steps if s.state == TO_DO), None)

    @property
    def complete(self) -> bool:
        return self.next_step is None


def checklist(facts: Mapping[str, bool], skipped: Iterable[str]) -> Checklist:
    """Where the store stands: a step its data shows done is done even if it was skipped."""
    left = set(skipped)
    return Checklist(
        tuple(
            Step(code, DONE if facts.get(code) else SKIPPED if code in left else TO_DO)
            for code in STEPS
        )
    )


def skip(skipped: Iterable[str], code: str) -> list[str]:
    """The skipped steps after skipping `code` (unknown steps are not kept)."""
    if code not in STEPS:
        raise ValueError(f"unknown onboarding step {code!r}")
    kept = [s for s in skipped if s in STEPS]
    return kept if code in kept else [*kept, code]


def resume(skipped: Iterable[str], code: str) -> list[str]:
    return [s for s in skipped if s in STEPS and s != code]
