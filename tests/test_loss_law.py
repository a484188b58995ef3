"""Step 1: eq. 2 recovers known constants, predicts, inverts and refuses bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing import FitWarning, LossLaw

SIZES = np.array([2e8, 4e8, 8e8, 1.3e9])
MULTIPLIERS = np.array([1, 2, 5, 10])


def synthetic_ladder(a, alpha, b, beta, E=0.0, noise=0.0, seed=0):
    n = np.repeat(SIZES, MULTIPLIERS.size)
    d = 20 * n * np.tile(MULTIPLIERS, SIZES.size)
    loss = a * n ** -alpha + b * d ** -beta + E
    rng = np.random.default_rng(seed)
    return n, d, loss * np.exp(noise * rng.standard_normal(loss.size))


def test_recovers_paper_form_exactly():
    n, d, loss = synthetic_ladder(a=400.0, alpha=0.34, b=410.0, beta=0.28)
    law = LossLaw.fit(n, d, loss)
    assert law.params == pytest.approx({"a": 400.0, "alpha": 0.34, "b": 410.0, "beta": 0.28},
                                       rel=1e-4)
    assert law.E == 0.0 and not law.irreducible


def test_recovers_irreducible_term():
    n, d, loss = synthetic_ladder(a=180.0, alpha=0.32, b=40.0, beta=0.19, E=0.53)
    law = LossLaw.fit(n, d, loss, irreducible=True)
    assert law.E == pytest.approx(0.53, rel=1e-3)
    assert law.alpha == pytest.approx(0.32, rel=1e-3)
    assert law.beta == pytest.approx(0.19, rel=1e-3)


def test_noisy_fit_predicts_within_noise():
    n, d, loss = synthetic_ladder(a=180.0, alpha=0.32, b=40.0, beta=0.19, E=0.53, noise=0.002)
    law = LossLaw.fit(n, d, loss, irreducible=True)
    truth = 180.0 * 7e9 ** -0.32 + 40.0 * 4e12 ** -0.19 + 0.53
    assert law.predict(7e9, 4e12) == pytest.approx(truth, rel=0.02)


def test_irreducible_term_on_its_bound_warns():
    n, d, loss = synthetic_ladder(a=400.0, alpha=0.34, b=410.0, beta=0.28)  # truly E = 0
    with pytest.warns(FitWarning, match="E ended on a bound"):
        law = LossLaw.fit(n, d, loss, irreducible=True)
    assert law.on_bound == ("E",)


def test_scalar_in_scalar_out_and_series_in():
    law = LossLaw(a=180.0, alpha=0.32, b=40.0, beta=0.19, E=0.53, irreducible=True)
    assert isinstance(law.predict(1e9, 1e11), float)
    out = law.predict(pd.Series([1e9, 2e9]), [1e11, 1e11])
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    assert out[0] == pytest.approx(law.predict(1e9, 1e11))


def test_params_for_inverts_predict():
    law = LossLaw(a=180.0, alpha=0.32, b=40.0, beta=0.19, E=0.53, irreducible=True)
    n = np.geomspace(1e7, 1e12, 50)
    assert law.params_for(law.predict(n, 1e12), 1e12) == pytest.approx(n, rel=1e-9)
    assert np.isnan(law.params_for(law.loss_floor(1e12), 1e12))


@pytest.mark.parametrize(("field", "kwargs"), [
    ("N", {"N": [1e8, -1.0, 1e9, 2e9, 3e9, 4e9], "D": [1e10] * 6, "loss": [1.0] * 6}),
    ("D", {"N": [1e8] * 6, "D": [1e10, np.nan, 1e10, 1e10, 1e10, 1e10], "loss": [1.0] * 6}),
    ("loss", {"N": [1e8] * 6, "D": [1e10] * 6, "loss": [1.0, 0.0, 1.0, 1.0, 1.0, 1.0]}),
])
def test_refuses_bad_input_naming_the_field(field, kwargs):
    with pytest.raises(ValueError, match=rf"^{field} = .* outside the valid range"):
        LossLaw.fit(**kwargs)


def test_refuses_mismatched_lengths_and_too_few_points():
    with pytest.raises(ValueError, match="differ in length"):
        LossLaw.fit([1e8, 2e8], [1e10], [1.0, 0.9])
    with pytest.raises(ValueError, match="needs more"):
        LossLaw.fit([1e8, 2e8, 3e8, 4e8], [1e10] * 4, [1.0, 0.9, 0.8, 0.7])


def test_bootstrap_is_seeded_and_brackets_the_truth():
    n, d, loss = synthetic_ladder(a=180.0, alpha=0.32, b=40.0, beta=0.19, E=0.53, noise=0.003)
    law = LossLaw.fit(n, d, loss, irreducible=True)
    first, second = law.bootstrap(60, seed=3), law.bootstrap(60, seed=3)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == ["a", "alpha", "b", "beta", "E"]
    assert first["beta"].quantile(0.02) < 0.19 < first["beta"].quantile(0.98)


@pytest.mark.parametrize("irreducible", [False, True])
def test_the_fits_analytic_jacobian_is_the_derivative_of_its_residuals(monkeypatch, irreducible):
    """Eq. 2's Jacobian (on ln L), as ``LossLaw.fit`` hands it to the optimiser, against central
    finite differences."""
    from scipy.optimize._numdiff import approx_derivative

    import densing.loss_law as loss_law

    seen = {}

    def spy(fun, starts, lower, upper, names, what):
        seen.update(fun=fun)
        return fit(fun, starts, lower, upper, names, what)

    fit = loss_law.multistart_fit
    monkeypatch.setattr(loss_law, "multistart_fit", spy)
    n = np.array([1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e8, 1e9, 1e10])
    d = np.array([2e9, 6e9, 2e10, 6e10, 2e11, 6e11, 2e10, 2e11, 2e9])
    loss = 1.7 + 400 * n ** -0.34 + 410 * d ** -0.28
    LossLaw.fit(n, d, loss, irreducible=irreducible)
    p = np.array([6.0, 0.34, 6.0, 0.28, 1.5])[:5 if irreducible else 4]
    _, jacobian = seen["fun"](p[None, :], np.arange(1))
    numeric = approx_derivative(lambda q: seen["fun"](q[None, :], np.arange(1))[0][0], p,
                                method="3-point")
    np.testing.assert_allclose(jacobian[0], numeric, rtol=1e-6, atol=1e-8)


def test_a_fit_the_batched_engine_cannot_step_still_converges(monkeypatch):
    """When the batched engine fails on a singular step, ``multistart_fit`` polishes the starts
    themselves and still recovers the law."""
    import densing._fit as fit

    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(fit, "batched_least_squares", singular)
    n = np.array([1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e8, 1e9, 1e10])
    d = np.array([2e9, 6e9, 2e10, 6e10, 2e11, 6e11, 2e10, 2e11, 2e9])
    law = LossLaw.fit(n, d, 400 * n ** -0.34 + 410 * d ** -0.28)
    assert law.alpha == pytest.approx(0.34, rel=1e-4) and law.beta == pytest.approx(0.28, rel=1e-4)


@pytest.mark.parametrize("irreducible", ["False", 0, 1, None])
def test_irreducible_must_be_true_or_false(irreducible):
    """``"False"`` would otherwise fit with the irreducible term (a non-empty string is true)."""
    n = np.array([1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e8, 1e9, 1e10])
    d = np.array([2e9, 6e9, 2e10, 6e10, 2e11, 6e11, 2e10, 2e11, 2e9])
    with pytest.raises(ValueError, match=rf"^irreducible = {irreducible!r} must be True or False$"):
        LossLaw.fit(n, d, 400 * n ** -0.34 + 410 * d ** -0.28, irreducible=irreducible)


@pytest.mark.parametrize(("call", "message"), [
    (lambda law: law.predict(7.61, 1e12), r"^N = 7\.61 is outside the valid range \[100000, "
     r"1e\+14\] \(a raw count\); it looks like billions: pass 7\.61e9 for 7\.61B$"),
    (lambda law: law.predict(7.61e9, 18.0), r"^D = 18\.0 is outside the valid range \[1e\+06, "
     r"1e\+16\] tokens \(a raw count\); it looks like trillions or billions: pass 18e12 for 18T$"),
    (lambda law: law.loss_floor(1.0), r"^D = 1\.0 is outside the valid range"),
    (lambda law: LossLaw.fit([1, 2, 3, 4, 5, 6], [1e12] * 6, [3, 2.8, 2.6, 2.5, 2.4, 2.3]),
     r"^N = 1\.0 is outside the valid range .* it looks like billions"),
])
def test_sizes_and_tokens_in_billions_are_refused_with_a_hint(call, message):
    """Before, eq. 2 took a size of 7.61 and 18 tokens as they came, and read off a loss."""
    law = LossLaw(a=400.0, alpha=0.34, b=410.0, beta=0.28)
    with pytest.raises(ValueError, match=message):
        call(law)
