"""The forecasts of chapter 7, pinned; and the properties a forecast must have whatever the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.forecast import (CUTOFFS, FORECAST_SPECS, forecast, forecasts, growth_after,
                              scorecard, summaries)
from densing.robustness import PAPER_CUTOFF


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
