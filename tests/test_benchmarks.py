"""The five-benchmark reference inside ``analyse``: step 2 recovers a known curve; no model is
dropped silently. The models table is replaced by synthetic models with known scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing import PerformanceCurve, Specification, analyse
from densing import analysis as analysis_module
from densing.analysis import SCORE, _c4_law
from densing.data import BENCHMARKS

TRUTH = PerformanceCurve(c=75.0, gamma=-3.5, l=2.35, d=25.0)


def synthetic_models(n=80, seed=0) -> pd.DataFrame:
    """Models whose every score follows ``TRUTH`` of the reference C4 loss."""
    rng = np.random.default_rng(seed)
    law = _c4_law(False)
    params_b = np.exp(rng.uniform(np.log(0.3), np.log(80), n))
    tokens_t = np.exp(rng.uniform(np.log(0.3), np.log(20), n))
    score = TRUTH.predict(law.predict(params_b * 1e9, tokens_t * 1e12))
    table = pd.DataFrame({"model": [f"m{i}" for i in range(n)], "hub_id": None,
                          "architecture": "dense", "in_paper": False, "params_b": params_b,
                          "params_non_embedding_b": np.nan, "train_tokens_t": tokens_t,
                          "release_date": pd.Timestamp("2024-01-01")
                          + pd.to_timedelta(rng.integers(0, 600, n), unit="D")})
    for b in BENCHMARKS:
        table[b] = score
    return table


@pytest.fixture
def with_models(monkeypatch):
    """``analyse`` on a given models table (the cached references are cleared around it)."""
    def use(table: pd.DataFrame):
        monkeypatch.setattr(analysis_module, "load_models", lambda: table.copy())
        analysis_module._fitted_references.cache_clear()
        return analyse(Specification(n_boot=0))
    yield use
    analysis_module._fitted_references.cache_clear()


def test_step_two_recovers_a_known_curve(with_models):
    models = synthetic_models()
    result = with_models(models)
    curve = result.references["mmlu"].curve
    assert curve.gamma == pytest.approx(TRUTH.gamma, rel=1e-4)
    assert curve.l == pytest.approx(TRUTH.l, rel=1e-4)
    # A panel model that lies exactly on the curve is exactly as dense as its on-curve density.
    rows = result.densities
    assert np.allclose(rows["rho_mmlu"], rows["rho_on_curve"], rtol=1e-6)


def test_average_floor_is_the_mean_of_the_five(with_models):
    refs = with_models(synthetic_models()).references
    assert refs[SCORE].curve.floor == pytest.approx(
        np.mean([refs[b].curve.floor for b in BENCHMARKS]))


def test_every_model_is_kept_with_a_reason(with_models):
    models = synthetic_models(n=40)
    models.loc[0, "params_b"] = np.nan
    models.loc[1, "mmlu"] = np.nan
    models.loc[2, list(BENCHMARKS)] = 1.0  # below every floor that is not zero
    models.loc[3, "architecture"] = "moe"
    models.loc[4, "release_date"] = pd.NaT
    table = with_models(models).densities.set_index("model")
    assert len(table) == len(models)
    assert table.loc["m0", "reason"] == "no parameter count"
    assert table.loc["m1", "reason"] == "fewer than 5 scores"
    assert table.loc["m1", "why_mmlu"] == "no score" and np.isfinite(table.loc["m1", "rho_bbh"])
    assert table.loc["m2", "why_mmlu"].startswith("at or below the floor")
    assert table.loc["m3", "reason"] == "mixture-of-experts"
    assert table.loc["m4", "reason"] == "no release date"
    assert table["in_trend"].sum() == len(models) - 5
