"""The reference bootstrap and the α profile: eq. 2 on the ladder has two optima, the refits find
both, and the book's statements about them hold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from densing import Specification, analyse
from densing.analysis import _c4_law, model_table, panel_rows
from densing.resample import alpha_profile, reference_modes, uncertainty

SECOND_OPTIMUM = 0.1  # α between the two optima of eq. 2 on the ladder's C4 loss


@pytest.fixture(scope="module")
def headline():
    return analyse()


@pytest.fixture(scope="module")
def bands(headline):
    return uncertainty(headline)


def test_loss_law_bootstrap_finds_the_second_optimum_as_the_reference_refits_do(bands):
    """Refits restarted only from the full-data fit missed the second optimum (18% of draws
    against 38% for the reference refits, which restart from every start)."""
    draws = _c4_law(False).bootstrap(200, seed=0)
    share = float((draws["alpha"] >= SECOND_OPTIMUM).mean())
    reference_share = float((bands.draws.law[:, 1] >= SECOND_OPTIMUM).mean())
    assert share == pytest.approx(reference_share, abs=0.1), (share, reference_share)


def test_the_profile_is_flat_from_alpha_01_to_03(headline):
    """Chapter 6: the least-squares error is lowest at the fit's α, but only 15-20% lower than
    anywhere from 0.1 to 0.3, where the doubling time is far shorter."""
    law = headline.reference.law
    profile = alpha_profile(headline, [0.04, law.alpha, 0.1, 0.2, 0.3]).set_index("alpha")
    assert profile["rss"].idxmin() == pytest.approx(law.alpha)
    assert profile.loc[law.alpha, "rss"] == pytest.approx(law.rss, rel=1e-4)
    excess = profile.loc[[0.1, 0.2, 0.3], "rss"] / law.rss - 1
    assert excess.between(0.0, 0.25).all(), excess.to_dict()
    assert profile.loc[law.alpha, "doubling_days"] == pytest.approx(
        headline.trend.doubling_days, rel=1e-6)
    assert profile.loc[0.3, "doubling_days"] < 0.6 * headline.trend.doubling_days
    assert profile.loc[0.3, "reach"] < profile.loc[law.alpha, "reach"]
    assert abs(profile.loc[0.3, "olmo2_error"]) < abs(profile.loc[law.alpha, "olmo2_error"])


def test_the_low_end_of_the_reference_interval_comes_from_the_second_optimum(bands):
    """Chapter 6's prose: a larger α goes with a shorter doubling time (the scatter's rank
    correlation is negative), the draws in the second optimum double much faster (a median
    of 49 days against 82), and the low end of the interval is theirs."""
    modes = reference_modes(bands, SECOND_OPTIMUM)
    near, far = modes["median doubling (days)"]
    assert modes["share"].iloc[1] == pytest.approx(0.38, abs=0.05), "share in the second optimum"
    assert far < 0.7 * near, (near, far)
    days = np.log(2) / bands.A_reference
    ok = np.isfinite(days) & (days > 0)
    assert stats.spearmanr(bands.draws.law[ok, 1], days[ok]).statistic < -0.3
    low = bands.interval("reference")[0]
    assert (bands.draws.law[np.isclose(days, low, rtol=0.05), 1] >= SECOND_OPTIMUM).all()


def test_obsscaling_panel_is_dense_models_only():
    spec = Specification(benchmarks=("mmlu", "humaneval"), panel="obsscaling")
    panel = panel_rows(spec, model_table(spec))
    for moe in ("deepseek-ai/DeepSeek-V2", "deepseek-ai/DeepSeek-Coder-V2-Base",
                "deepseek-ai/deepseek-moe-16b-base"):
        assert moe not in set(panel["hub_id"]), moe


def test_uniform_scores_join_meta_s_renamed_repositories():
    """ObsScaling names it meta-llama/Meta-Llama-3.1-8B; models.csv meta-llama/Llama-3.1-8B."""
    table = model_table(Specification(scores="uniform", benchmarks=("mmlu", "humaneval")))
    row = table.set_index("model").loc["Llama-3.1-8B"]
    assert row["mmlu"] == pytest.approx(65.99) and row["humaneval"] == pytest.approx(37.2)


@pytest.mark.parametrize(("change", "message"), [
    ({"seed": None}, r"^seed = None must be a whole number >= 0"),  # was None + 1: TypeError
    ({"seed": 1.5}, r"^seed = 1\.5 must be a whole number >= 0"),
    ({"n_draws": -1}, r"^n_draws = -1 is outside the valid range"),
    ({"level": 95}, r"^level = 95\.0 is outside the valid range \(0, 1\)"),
])
def test_bad_uncertainty_settings_are_refused(headline, bands, change, message):
    with pytest.raises(ValueError, match=message):
        uncertainty(headline, **{"draws": bands.draws, **change})


def test_no_draws_give_nan_intervals_not_errors():
    """n_draws = 0 (as n_boot = 0): every interval NaN and the table saying so; before, the
    refits failed with an unexplained reshape error."""
    import pandas as pd

    from densing.forecast import forecast

    bands = uncertainty(analyse(Specification(n_boot=0)), n_draws=0)
    assert all(np.isnan(bands.interval(s)).all() for s in ("models", "reference", "combined"))
    assert set(bands.table()["doubling, 95% interval (days)"]) == {"none (no draws)"}
    fc = forecast(Specification(n_boot=50), "2024-10-31", n_draws=0)
    line, low, high = fc.band(pd.DatetimeIndex([fc.end]))
    assert np.isfinite(line).all() and np.isnan(low).all() and np.isnan(high).all()
