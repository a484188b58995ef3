"""Steps 3-4: eq. 4 inverts the chain exactly; density; the reachable range is enforced."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from densing import LossLaw, PerformanceCurve, Reference


@given(alpha=st.floats(0.05, 1.0), beta=st.floats(0.05, 1.0), log_a=st.floats(0, 8),
       log_b=st.floats(0, 8), E=st.floats(0, 2), gamma=st.floats(-30, -0.5),
       log_n=st.floats(6, 13), log_d0=st.floats(10, 13))
def test_effective_params_round_trip(alpha, beta, log_a, log_b, E, gamma, log_n, log_d0):
    law = LossLaw(a=10**log_a, alpha=alpha, b=10**log_b, beta=beta, E=E, irreducible=True)
    n, d0 = 10**log_n, 10**log_d0
    loss = law.predict(n, d0)
    # Put the curve's midpoint at this loss so the score is far from floor and ceiling.
    curve = PerformanceCurve(c=0.7, gamma=gamma, l=loss + 1 / gamma, d=0.25)
    ref = Reference(law, curve, D0=d0)
    excess = (loss - law.loss_floor(d0)) / loss
    assume(excess > 1e-6)  # the sizes term is not lost in floating point next to the floor
    n_hat = ref.effective_params(ref.predict_score(n, d0))
    # Inverting the sigmoid loses a few ulps of max(|l|, L, 1); eq. 4 divides that by α times the
    # loss above the floor, so that is the precision a correct inversion can promise.
    absolute_noise = 1e-13 * (abs(curve.l) + loss + 1.0)
    assert n_hat == pytest.approx(n, rel=1e-9 + absolute_noise / (alpha * excess * loss))


def test_vectorised_matches_scalar_and_accepts_series(known_reference):
    scores = pd.Series(np.linspace(0.26, 0.5, 25))
    vector = known_reference.effective_params(scores)
    scalars = [known_reference.effective_params(s) for s in scores]
    assert isinstance(scalars[0], float)
    assert vector == pytest.approx(scalars, rel=1e-12)
    assert np.all(np.diff(vector) > 0)  # a higher score is a larger reference


def test_density_is_effective_size_over_size(known_reference):
    n_hat = known_reference.effective_params(0.4)
    assert known_reference.density(0.4, 2e9) == pytest.approx(n_hat / 2e9)
    assert known_reference.density([0.4, 0.4], [1e9, 2e9]) == pytest.approx(
        [n_hat / 1e9, n_hat / 2e9])


def test_score_range_is_floor_to_infinite_model_at_d0(known_reference):
    low, high = known_reference.score_range
    law, curve = known_reference.law, known_reference.curve
    assert low == 0.25
    assert high == pytest.approx(curve.predict(law.b * 1e12 ** -law.beta + law.E))
    assert known_reference.effective_params(high - 1e-4) > 1e13  # huge, but finite


def test_unreachable_scores_raise_naming_the_range(known_reference):
    low, high = known_reference.score_range
    for bad in (low, 0.1, high, 0.9, float("nan")):
        with pytest.raises(ValueError, match=r"reference trained on D0 = 1e\+12 tokens"):
            known_reference.effective_params(bad)
    out = known_reference.density([0.3, 0.9, 0.2], [1e9] * 3, errors="coerce")
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()


def test_bad_d0_and_sizes_are_refused(known_reference):
    for d0 in (0.0, 1.0, 1e16, True, "1e12"):  # 1.0 would collapse the reachable range
        message = rf"^D0 = {re.escape(repr(d0))} is outside the valid range \[1e\+09, 1e\+15\]"
        with pytest.raises(ValueError, match=message):
            Reference(known_reference.law, known_reference.curve, D0=d0)
    with pytest.raises(ValueError, match=r"^n_params = -1\.0 is outside"):
        known_reference.density(0.4, -1.0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda r: r.density(None, 1e9), r"^score is missing \(got None\)$"),
    (lambda r: r.density(0.5, None), r"^n_params is missing \(got None\)$"),
    (lambda r: r.density([0.5, None], [1e9, 1e9]), r"missing value \(None\) at position 1"),
    (lambda r: r.density(0.5, float("inf")), r"n_params = inf is outside the valid range \(0, inf\)$"),
    (lambda r: r.density(0.5, 7.61), r"^n_params = 7\.61 is outside the valid range \[100000, "
     r"1e\+14\] \(a raw count\); it looks like billions: pass 7\.61e9 for 7\.61B$"),
    (lambda r: r.density(0.5, [7e9, 2e15]), r"^n_params = 2000000000000000\.0 is outside the valid range"),
    (lambda r: r.density(0.26, 1e9), r"score = 0\.26 is near the floor \(below 0\.2875"),
])
def test_missing_infinite_and_near_floor_inputs_are_named(known_reference, call, message):
    with pytest.raises(ValueError, match=message):
        call(known_reference)
    assert np.isnan(known_reference.density(0.26, 1e9, errors="coerce"))


def test_pandas_inputs_with_different_indexes_are_refused(known_reference):
    """Paired by position they would give each model another model's size."""
    scores = pd.Series([0.45, 0.47], index=["a", "b"])
    with pytest.raises(ValueError, match="^score and n_params are pandas objects with different"):
        known_reference.density(scores, pd.Series([1e9, 2e9], index=["b", "a"]))
    same = known_reference.density(scores, pd.Series([1e9, 2e9], index=["a", "b"]))
    assert np.allclose(same, known_reference.density([0.45, 0.47], [1e9, 2e9]))


def test_a_score_near_the_top_of_the_reach_is_refused_or_coerced(known_reference):
    """The mirror of the floor: within 5% of the reachable range below the top, N̂ grows without
    bound (before, 0.5 of a reachable 0.511 gave a density of many thousands)."""
    low, high = known_reference.score_range
    assert known_reference.near_top == pytest.approx(high - 0.05 * (high - low))
    score = (known_reference.near_top + high) / 2
    with pytest.raises(ValueError, match=rf"^score = {score!r} is near the top \(above 0\.4978, "
                                         r"within 5% of the reachable range below its top 0\.5109"):
        known_reference.density(score, 1e9)
    assert np.isnan(known_reference.density(score, 1e9, errors="coerce"))
    below = known_reference.near_top - 1e-6
    assert np.isfinite(known_reference.density(below, 1e9))
    # the effective size itself is still defined there: only the density is refused
    assert np.isfinite(known_reference.effective_params(score))


@pytest.mark.parametrize(("call", "message"), [
    # shapes that numpy would broadcast into a matrix, every value paired with every other
    (lambda r: r.law.predict([1e9, 2e9], [[1e12], [2e12]]), r"^inputs differ in shape: "),
    (lambda r: r.density([0.4, 0.45], [[1e9], [2e9]]), r"^inputs differ in shape: "),
    (lambda r: r.predict_score([1e9, 2e9, 3e9], [1e12, 2e12]), r"^inputs differ in shape: "),
    # True and False where a number is meant (read as 1 and 0 before)
    (lambda r: r.law.predict(True, 1e12), r"^N = True holds True or False where a number"),
    (lambda r: r.density([0.4, True], [1e9, 1e9]), r"^score = \[0\.4, True\] holds True"),
    (lambda r: r.curve.loss_for(np.array([True, False])), r"^score = .* holds True or False"),
    (lambda r: r.effective_params(pd.Series([True])), r"^score = .* holds True or False"),
])
def test_matrices_and_booleans_are_refused(known_reference, call, message):
    with pytest.raises(ValueError, match=message):
        call(known_reference)
    # one number beside an array still pairs with every value
    assert known_reference.law.predict([1e9, 2e9], 1e12).shape == (2,)
