"""The forecasts of chapter 7, pinned; and the properties a forecast must have whatever the data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.forecast import (CUTOFFS, FORECAST_SPECS, FORECASTERS, LAW, baseline_scores,
                              baseline_verdicts, forecast, forecast_from, forecasters, forecasts,
                              growth_after, interval_score, paper_rate, scorecard, scored_points,
                              summaries)
from densing.robustness import PAPER_CUTOFF
from densing.trend import fit_trend


@pytest.fixture(scope="module")
def runs():
    return {label: forecasts(spec, CUTOFFS) for label, spec in FORECAST_SPECS.items()}


# specification, cutoff: models fitted, doubling days, later records, records inside, end verdict
PINNED = {
    ("headline", "2024-04-30"): (30, 56.2, 3, 3, "inside"),
    ("headline", "2024-10-31"): (47, 66.9, 2, 2, "inside"),
    ("headline", "2025-04-30"): (56, 75.1, 1, 1, "below"),
    ("the paper's models", "2024-04-30"): (18, 56.2, 3, 3, "inside"),
    ("the paper's models", "2024-10-31"): (23, 56.2, 2, 1, "below"),
    ("the paper's models", "2025-04-30"): (23, 56.2, 1, 0, "below"),
}


def test_forecasts_are_pinned(runs):
    table = summaries(runs)
    actual = {(row["specification"], str(row["cutoff"])): (
        row["models fitted"], round(row["doubling (days)"], 1), row["new records"],
        row["records inside"], row["end verdict"]) for _, row in table.iterrows()}
    moved = {k: (actual[k], v) for k, v in PINNED.items() if actual[k] != v}
    assert not moved, f"chapter 7's forecasts moved (now, pinned): {moved}"


def test_the_later_records_are_pinned(runs):
    card = scorecard(runs)
    headline = card[card["specification"] == "headline"]
    assert list(zip(headline["cutoff"], headline["model"], headline["verdict"], strict=True)) == [
        ("2024-04-30", "Qwen2-7B", "inside"), ("2024-04-30", "Qwen2.5-7B", "inside"),
        ("2024-04-30", "Qwen3-8B", "inside"), ("2024-10-31", "Qwen3-8B", "inside"),
        ("2024-10-31", "Seed-OSS-36B-Base", "inside"),
        ("2025-04-30", "Seed-OSS-36B-Base", "inside")], headline


def test_a_forecast_uses_only_the_past_and_scores_only_the_future(runs):
    for by_cutoff in runs.values():
        for fc in by_cutoff.values():
            assert (fc.fit.used["release_date"] <= fc.cutoff).all()
            assert ((fc.later["release_date"] > fc.cutoff)
                    & (fc.later["release_date"] <= fc.end)).all()


def test_records_are_the_models_that_beat_every_earlier_density(runs):
    fc = runs["headline"][PAPER_CUTOFF]
    everyone = analyse(Specification(n_boot=0)).used
    for row in fc.later.itertuples():
        earlier = everyone[(everyone["release_date"] < row.release_date)
                           | ((everyone["release_date"] == row.release_date)
                              & (everyone["rho"] > row.rho))]
        assert row.record == (row.rho > earlier["rho"].max()), row.model


def test_the_prediction_interval_contains_the_line_and_widens_with_the_horizon(runs):
    fc = runs["headline"][PAPER_CUTOFF]
    dates = pd.date_range(fc.cutoff, fc.end, periods=12)
    line, low, high = fc.band(dates)
    assert (low < line).all() and (line < high).all()
    assert np.all(np.diff(np.log(high / low)) > 0), "the interval must widen with the horizon"
    np.testing.assert_allclose(line, fc.fit.trend.predict(dates))


def test_verdicts_follow_the_interval(runs):
    later = runs["headline"]["2024-04-30"].later
    expected = np.where(later["rho"] > later["high"], "above",
                        np.where(later["rho"] < later["low"], "below", "inside"))
    assert list(later["verdict"]) == list(expected)


def test_a_shorter_horizon_scores_fewer_models():
    six = forecast(Specification(), PAPER_CUTOFF, horizon_months=6, n_draws=100)
    twelve = forecast(Specification(), PAPER_CUTOFF, horizon_months=12, n_draws=100)
    assert set(six.later["model"]) < set(twelve.later["model"])


def test_growth_after_the_paper_is_pinned():
    """Chapter 7: on the paper's mean score the maximum density kept growing after the cutoff."""
    before = analyse(Specification(window=(None, PAPER_CUTOFF), n_boot=0)).used["rho"].max()
    after = growth_after(Specification(n_boot=0), PAPER_CUTOFF).used
    assert (after["release_date"] > PAPER_CUTOFF).all() and len(after) == 11
    assert after["rho"].max() > before, "the maximum density no longer grew after the paper"
    assert after.loc[after["rho"].idxmax(), "model"] == "Seed-OSS-36B-Base"


# Against what? The law's forecast beside no growth, the paper's rate and the last two records.

def test_the_interval_score_by_hand():
    """Gneiting & Raftery's interval score: the width, plus 2/α times the miss (α = 0.05: 40)."""
    np.testing.assert_allclose(interval_score(1.0, 0.0, 2.0), 2.0)  # inside: the width
    np.testing.assert_allclose(interval_score(-1.0, 0.0, 2.0), 2.0 + 40 * 1.0)  # below by 1
    np.testing.assert_allclose(interval_score(3.5, 0.0, 2.0), 2.0 + 40 * 1.5)  # above by 1.5
    np.testing.assert_allclose(interval_score(2.0, 0.0, 2.0), 2.0)  # on the edge: no penalty
    np.testing.assert_allclose(interval_score(3.0, 0.0, 2.0, level=0.5), 2.0 + 4 * 1.0)
    np.testing.assert_allclose(interval_score([1.0, -1.0, 3.5], 0.0, 2.0), [2.0, 42.0, 62.0])
    with pytest.raises(ValueError):
        interval_score(1.0, 2.0, 0.0)


def test_the_paper_rate_is_read_from_its_table():
    assert paper_rate() == 0.0073


def test_baselines_are_their_definitions(runs):
    fc = runs["headline"][PAPER_CUTOFF]
    dates = pd.date_range(fc.cutoff, fc.end, periods=7)
    days = ((dates - fc.cutoff) / pd.Timedelta(days=1)).to_numpy()
    out = forecasters(fc, dates)
    assert list(out) == list(FORECASTERS)
    np.testing.assert_allclose(np.exp(out["no growth"][0]), fc.best_at_cutoff)
    np.testing.assert_allclose(np.exp(out["the paper's rate"][0]),
                               fc.best_at_cutoff * np.exp(0.0073 * days))
    last = fc.records_before.tail(2)
    through = forecasters(fc, last["release_date"])["the last two records"][0]
    np.testing.assert_allclose(np.exp(through), last["rho"])  # the line passes through both
    assert last["rho"].iloc[-1] == fc.best_at_cutoff  # the last record is the maximum
    np.testing.assert_allclose(out[LAW][0], np.log(fc.fit.trend.predict(dates)))
    _, low, high = fc.band(dates)
    np.testing.assert_allclose(np.exp(out[LAW][1:]), [low, high])
    for name in FORECASTERS[1:]:  # the records' scatter about the law's line, ± 1.96 s
        point, low, high = out[name]
        np.testing.assert_allclose(high - point, 1.959964 * fc.scatter, rtol=1e-6)
        np.testing.assert_allclose(point - low, 1.959964 * fc.scatter, rtol=1e-6)


def test_the_scores_follow_the_points(runs):
    fc = runs["headline"]["2024-10-31"]
    points = scored_points(fc)
    scores = baseline_scores({"headline": {"2024-10-31": fc}})
    assert len(points) == len(FORECASTERS) * (len(fc.records()) + 1)
    for name, group in points.groupby("forecaster"):
        row = scores.set_index("forecaster").loc[name]
        assert row["points scored"] == len(fc.records()) + 1
        np.testing.assert_allclose(row["mean abs log error"],
                                   np.abs(np.log(group["forecast"] / group["observed"])).mean())
        np.testing.assert_allclose(row["mean interval score"], interval_score(
            np.log(group["observed"]), np.log(group["low"]), np.log(group["high"])).mean())


def _synthetic_forecast(A: float, noise: float, seed: int = 1):
    """Models whose log density lies on the line A·t + B (plus a little noise), fitted up to a
    cutoff through ``forecast_from``, the path ``forecast`` takes."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", "2025-12-31", freq="9D")
    t = ((dates - dates[0]) / pd.Timedelta(days=1)).to_numpy()
    everyone = pd.DataFrame({"model": [f"m{i}" for i in range(len(dates))], "release_date": dates,
                             "n_b": 7.0, "rho": np.exp(A * t - 1.0 + rng.normal(0, noise, t.size))})
    cutoff = "2024-06-30"
    used = everyone[everyone["release_date"] <= cutoff]
    trend = fit_trend(used["release_date"], used["rho"], n_boot=300, seed=seed)
    fit = SimpleNamespace(trend=trend, used=used)
    lines = np.column_stack([trend.bootstrap_A, trend.bootstrap_B])
    return forecast_from(fit, lines, everyone, cutoff)


def test_when_the_truth_is_the_law_the_law_beats_no_growth():
    fc = _synthetic_forecast(A=0.006, noise=0.05)
    scores = baseline_scores({"synthetic": {"2024-06-30": fc}}).set_index("forecaster")
    assert len(fc.records()) > 10
    law, flat = scores.loc[LAW], scores.loc["no growth"]
    assert law["mean abs log error"] < flat["mean abs log error"] / 5, scores
    assert law["mean interval score"] < flat["mean interval score"], scores
    assert law["points inside"] >= 0.8 * law["points scored"], scores
    verdict = baseline_verdicts(scores.reset_index()).iloc[0]
    assert verdict["law's rank, log error"] < 3 and verdict["best point forecast"] != "no growth"


# specification, cutoff: best point forecast, best interval forecast, the law's rank on each
PINNED_VERDICTS = {
    ("headline", "2024-04-30"): ("the paper's rate", "the paper's rate", 2, 2),
    ("headline", "2024-10-31"): ("the paper's rate", "the paper's rate", 4, 4),
    ("headline", "2025-04-30"): ("no growth", "no growth", 4, 4),
    ("the paper's models", "2024-04-30"): ("the paper's rate", "the paper's rate", 2, 2),
    ("the paper's models", "2024-10-31"): (
        "the paper's rate", "the paper's rate and the last two records", 4, 4),
    ("the paper's models", "2025-04-30"): ("no growth", "no growth", 4, 4),
}
# the headline's mean absolute log errors (ln ρ), by cutoff, in the order of FORECASTERS
PINNED_LOG_ERRORS = {"2024-04-30": (1.64, 1.98, 0.33, 91.50),
                     "2024-10-31": (2.07, 1.55, 0.57, 0.94),
                     "2025-04-30": (2.54, 0.17, 1.57, 1.39)}


def test_the_verdicts_against_the_baselines_are_pinned(runs):
    scores = baseline_scores(runs)
    verdicts = baseline_verdicts(scores)
    actual = {(row["specification"], row["cutoff"]): (
        row["best point forecast"], row["best interval forecast"], row["law's rank, log error"],
        row["law's rank, interval score"]) for _, row in verdicts.iterrows()}
    moved = {k: (actual[k], v) for k, v in PINNED_VERDICTS.items() if actual[k] != v}
    assert not moved, f"chapter 7's verdicts against the baselines moved (now, pinned): {moved}"
    head = scores[scores["specification"] == "headline"]
    errors = {c: tuple(round(v, 2) for v in g.set_index("forecaster").loc[
        list(FORECASTERS), "mean abs log error"]) for c, g in head.groupby("cutoff")}
    moved = {k: (errors[k], v) for k, v in PINNED_LOG_ERRORS.items() if errors[k] != v}
    assert not moved, f"chapter 7's log errors moved (now, pinned): {moved}"
    assert (verdicts["law's width"] > 3 * verdicts["widest other"]).all(), \
        "the law's year-ahead interval is no longer several times wider than the others'"
