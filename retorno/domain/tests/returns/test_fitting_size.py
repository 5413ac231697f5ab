"""The size that fits the shopper, from what a return says."""

import pytest

from retorno.domain.returns.reasons import fitting_size


@pytest.mark.parametrize(
    ("returned", "reason", "exchanged", "fits"),
    [
        ("42", "too_small", "", "43"),
        ("42", "too_large", "", "41"),
        ("42", "too_small", "44", "44"),  # the size exchanged to is the one that fits
        ("M", "changed_mind", "", "M"),  # it fitted: the shopper's size
        ("46", "too_small", "", ""),  # no bigger size exists
        ("", "too_small", "", ""),
    ],
)
def test_fitting_size(returned, reason, exchanged, fits):
    sizes = ["40", "41", "42", "43", "44", "45", "46"]
    got = fitting_size(
        returned_size=returned, reason=reason, exchanged_to_size=exchanged, sizes=sizes
    )
    assert got == fits
