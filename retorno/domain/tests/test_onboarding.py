"""The first-run checklist's rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retorno.domain import onboarding

steps = st.sampled_from(onboarding.STEPS)


def test_the_next_step_is_the_first_to_do() -> None:
    empty = onboarding.checklist({}, [])
    assert empty.next_step == "policy"
    assert empty.done == 0
    assert not empty.complete
    some = onboarding.checklist({"policy": True}, ["carriers"])
    assert [s.state for s in some.steps[:3]] == ["done", "skipped", "to_do"]
    assert some.next_step == "branding"


@given(facts=st.dictionaries(steps, st.booleans()), skipped=st.lists(steps))
def test_data_wins_over_skipping_and_complete_means_nothing_to_do(
    facts: dict[str, bool], skipped: list[str]
) -> None:
    result = onboarding.checklist(facts, skipped)
    for step in result.steps:
        if facts.get(step.code):
            assert step.state == "done"
        elif step.code in skipped:
            assert step.state == "skipped"
    assert result.complete == all(s.state != "to_do" for s in result.steps)
    assert result.done == sum(1 for code in onboarding.STEPS if facts.get(code))


@given(skipped=st.lists(steps), step=steps)
def test_skip_then_resume_leaves_the_step_out(skipped: list[str], step: str) -> None:
    after = onboarding.skip(skipped, step)
    assert step in after
    assert step not in onboarding.resume(after, step)
    assert onboarding.skip(after, step) == after


def test_unknown_steps_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        onboarding.skip([], "nothing")
