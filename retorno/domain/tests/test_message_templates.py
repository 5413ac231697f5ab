"""A store's own words: variables filled, unknown ones refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain import message_templates as mt


def test_fill_and_problems() -> None:
    values = {"rma": "R-1", "store": "Moda"}
    assert mt.fill("{store}: {rma} ({rma})", values) == "Moda: R-1 (R-1)"
    assert mt.fill("{nope} {rma}", values) == "{nope} R-1"
    assert mt.unknown_variables("{nope} {rma} {nope} {x1}") == ["nope", "x1"]
    assert mt.problems("Hi {customer_name}", "", "") == {}
    assert mt.problems("{name}", "x" * 201, "") == {
        "subject": "unknown_variable",
        "headline": "too_long",
    }


@given(text=st.text(alphabet=st.sampled_from("ab {}_rmastoe"), max_size=40))
def test_a_text_without_problems_fills_every_brace_it_names(text: str) -> None:
    values = {name: f"<{name}>" for name in mt.VARIABLES}
    if not mt.unknown_variables(text):
        filled = mt.fill(text, values)
        for name in mt.VARIABLES:
            assert "{" + name + "}" not in filled


def test_a_claim_template_has_the_claims_variables() -> None:
    assert mt.variables_for("claim_opened") == mt.CLAIM_VARIABLES
    assert mt.variables_for("approved") == mt.VARIABLES
    claim_vars = mt.variables_for("claim_rejected")
    assert mt.problems("{store}: {claim}", "", "", claim_vars) == {}
    assert mt.problems("{rma}", "", "{tracking_url}", claim_vars) == {
        "subject": "unknown_variable",
        "intro": "unknown_variable",
    }
    assert mt.problems("{claim}", "", "") == {"subject": "unknown_variable"}
