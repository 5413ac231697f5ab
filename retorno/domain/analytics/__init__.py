"""Analytics figures as pure functions: periods, rates that refuse small denominators, the fit
index with its binomial test, percentiles and age buckets, confirmed defects.

The selectors (`retorno.analytics`) count; these functions turn counts into figures, so every
rule of docs/analytics.md is written (and tested) once.
"""
