"""The tables chapter 6 shows, built by package functions (densing.robustness): each checked
against what it must say, on small runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.data import load_paper_values
from densing.robustness import (SPECIFICATIONS, leave_out_record_setters, on_curve_by_D0,
                                paper_comparison, readable, run, specification_fields,
                                specification_table, summary_table, task_loss_reach)

CLOSEST = "closest to the paper's protocol"


@pytest.fixture(scope="module")
def table():
    specs = {label: SPECIFICATIONS[label] for label in ("headline", CLOSEST)}
    return specification_table(run(specs, n_draws=20))


def test_specification_fields_lists_every_field_with_its_default():
    fields = specification_fields()
    assert list(fields["field"]) == [f.name for f in dataclasses.fields(Specification)]
    shown = fields.set_index("field")
    assert shown.loc["D0", "default"] == "1e+12"
    assert shown.loc["exclude", "default"] == "none"
    assert shown.loc["estimator", "values"] == "envelope, ols, quantile"
    assert "bbh_leaderboard" in shown.loc["benchmarks", "values"]
    assert fields.notna().all(axis=None) and (fields["values"].str.len() > 0).all()


def test_summary_table_keeps_the_numbers_of_the_full_table(table):
    summary, full = summary_table(table), readable(table)
    assert list(summary.columns) == ["specification", "models", "doubling (days)",
                                     "models 95% (days)", "reference 95% (days)",
                                     "combined 95% (days)", "R²"]
    assert list(summary["doubling (days)"]) == list(full["doubling (days)"])
    assert list(summary["combined 95% (days)"]) == list(full["combined interval (days)"])
    assert list(summary["R²"]) == list(full["R²"])
    # Narrower than the full table: the columns a reader compares, nothing else.
    assert len(summary.columns) < len(full.columns)


def test_paper_comparison_puts_our_rows_beside_the_papers(table):
    paper = load_paper_values()
    comparison = paper_comparison(table, paper, [CLOSEST, "headline"])
    assert list(comparison["specification"]) == [CLOSEST, "headline", "paper (arXiv v2)",
                                                 "journal version"]
    rows = comparison.set_index("specification")
    assert rows.loc["paper (arXiv v2)", "doubling (days)"] == "95"
    assert rows.loc["paper (arXiv v2)", "models"] == "29"
    assert rows.loc["paper (arXiv v2)", "combined 95% interval (days)"] == ""
    assert rows.loc["journal version", "R²"] == "not found"  # the journal text was not read
    assert rows.loc["journal version", "doubling (days)"] == "107"  # 3.5 months in days
    ours = table.set_index("specification").loc[CLOSEST]
    assert rows.loc[CLOSEST, "doubling (days)"] == f"{ours['doubling (days)']:.0f}"
    low, high = rows.loc[CLOSEST, "combined 95% interval (days)"].split("–")
    assert float(low) <= ours["doubling (days)"] <= float(high)


def test_on_curve_densities_fall_with_D0_by_about_the_same_factor():
    examples = ["Llama-1-7B", "Qwen2.5-7B"]
    flattery = on_curve_by_D0(examples)
    assert list(flattery.columns) == ["training tokens", "D0 = 1T", "D0 = 4T", "D0 = 15T"]
    # A model trained on exactly D0 tokens sits on the curve at density 1.
    assert flattery.loc["Llama-1-7B", "D0 = 1T"] == pytest.approx(1.0, abs=1e-6)
    densities = flattery.drop(columns="training tokens")
    assert (densities.diff(axis=1).iloc[:, 1:] < 0).all(axis=None)
    fall = densities["D0 = 15T"] / densities["D0 = 1T"]
    assert fall.max() / fall.min() < 1.2
    assert flattery.loc["Qwen2.5-7B", "training tokens"] == pytest.approx(18e12)


def test_task_loss_reach_grows_with_D0_and_places_models_by_extrapolation():
    reach = task_loss_reach((1e12, 1e13))
    assert list(reach["D0 (tokens)"]) == ["1T", "10T"]
    assert reach["highest MMLU reachable"].is_monotonic_increasing
    assert (reach["beyond reach"].diff().iloc[1:] <= 0).all()
    assert (reach["placed above the calibration data"] <= reach["models placed"]).all()
    # Most placed models lie above the calibration data: the densities are extrapolated.
    assert (reach["placed above the calibration data"] > reach["models placed"] / 2).all()
    assert (reach["largest density"] > 1e3).all()


def test_leave_out_record_setters_refits_without_each_one():
    headline = analyse(Specification(n_boot=0))
    dropped = leave_out_record_setters(headline)
    every = dropped[dropped["models"] == "every model"]
    assert list(every["left out"]) == list(headline.envelope_models["model"])
    paper = dropped[dropped["models"] == "the paper's models"]
    in_paper = headline.used.set_index("model")["in_paper"].astype(bool)
    assert all(in_paper[m] for m in paper["left out"])
    first = every.iloc[0]
    refit = analyse(Specification(exclude=(first["left out"],), n_boot=0))
    assert first["doubling (days)"] == pytest.approx(refit.trend.doubling_days)
    assert np.isfinite(dropped["doubling (days)"]).all()
    assert isinstance(dropped, pd.DataFrame) and (dropped["record-setters"] >= 2).all()


def test_summary_table_shows_an_unbounded_interval_as_infinity(table):
    unbounded = table.head(1).assign(**{"combined high": np.inf})
    assert summary_table(unbounded)["combined 95% (days)"].iloc[0].endswith("–∞")
