"""Step 2: eq. 3 recovers known constants, inverts exactly and refuses scores it cannot invert."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from densing import PerformanceCurve

TRUE = {"c": 0.75, "gamma": -3.7, "l": 0.57, "d": 0.25}


def synthetic_scores(noise=0.0, seed=0):
    loss = np.linspace(0.3, 2.5, 400)
    score = TRUE["c"] / (1 + np.exp(-TRUE["gamma"] * (loss - TRUE["l"]))) + TRUE["d"]
    rng = np.random.default_rng(seed)
    return loss, score + noise * rng.standard_normal(loss.size)


def test_recovers_all_four_constants_when_free():
    loss, score = synthetic_scores()
    curve = PerformanceCurve.fit(loss, score)
    assert curve.params == pytest.approx(TRUE, rel=1e-5)


def test_fixed_floor_and_ceiling_are_respected():
    loss, score = synthetic_scores(noise=0.01)
    curve = PerformanceCurve.fit(loss, score, floor=0.25, ceiling=1.0)
    assert curve.d == 0.25 and curve.ceiling == pytest.approx(1.0)
    assert curve.gamma == pytest.approx(TRUE["gamma"], rel=0.05)
    assert curve.l == pytest.approx(TRUE["l"], abs=0.02)


@given(c=st.floats(0.1, 100), gamma=st.floats(-50, -0.05), l_mid=st.floats(0.0, 5.0),
       d=st.floats(0.0, 50.0), z=st.floats(-8, 8))
def test_loss_for_inverts_predict(c, gamma, l_mid, d, z):
    curve = PerformanceCurve(c=c, gamma=gamma, l=l_mid, d=d)
    loss = l_mid + z / -gamma  # keep the sigmoid away from saturation
    assume(loss >= 0)
    assert curve.loss_for(curve.predict(loss)) == pytest.approx(loss, rel=1e-6, abs=1e-6 / -gamma)


def test_unreachable_scores_raise_or_coerce():
    curve = PerformanceCurve(**TRUE)
    for bad in (0.25, 0.1, 1.0, 1.2, float("nan")):
        with pytest.raises(ValueError, match=r"strictly between 0\.25 and 1"):
            curve.loss_for(bad)
    out = curve.loss_for([0.5, 0.2, 1.0], errors="coerce")
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()
    with pytest.raises(ValueError, match="errors = 'ignore'"):
        curve.loss_for(0.5, errors="ignore")


def test_refuses_bad_fit_input():
    loss, score = synthetic_scores()
    with pytest.raises(ValueError, match=r"^score = -0\.1 is outside"):
        PerformanceCurve.fit(loss, np.r_[-0.1, score[1:]])
    with pytest.raises(ValueError, match=r"^floor = 0\.99 is outside"):
        PerformanceCurve.fit(loss, score, floor=0.99)
    with pytest.raises(ValueError, match=r"^ceiling = 0\.5 is outside"):
        PerformanceCurve.fit(loss, score, ceiling=0.5)


@pytest.mark.parametrize(("floor", "ceiling"), [(None, None), (25.0, None), (None, 100.0),
                                                (25.0, 100.0)])
def test_the_fits_analytic_jacobian_is_the_derivative_of_its_residuals(monkeypatch, floor,
                                                                      ceiling):
    """Eq. 3's Jacobian, as ``PerformanceCurve.fit`` hands it to the optimiser, against central
    finite differences, for each of the four sets of free parameters."""
    from scipy.optimize._numdiff import approx_derivative

    import densing.performance as performance

    seen = {}

    def spy(fun, starts, lower, upper, names, what):
        seen.update(fun=fun, n=len(names))
        return fit(fun, starts, lower, upper, names, what)

    fit = performance.multistart_fit
    monkeypatch.setattr(performance, "multistart_fit", spy)
    rng = np.random.default_rng(0)
    loss = rng.uniform(0.5, 2.0, 30)
    score = 25 + 50 / (1 + np.exp(4 * (loss - 1.2))) + rng.normal(0, 1, 30)
    PerformanceCurve.fit(loss, score, floor=floor, ceiling=ceiling)
    p = np.array([-3.0, 1.1, 20.0, 60.0])[:seen["n"]]
    _, jacobian = seen["fun"](p[None, :], np.arange(1))
    numeric = approx_derivative(lambda q: seen["fun"](q[None, :], np.arange(1))[0][0], p,
                                method="3-point")
    np.testing.assert_allclose(jacobian[0], numeric, rtol=1e-6, atol=1e-8)
