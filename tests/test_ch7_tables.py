"""The tables of chapter 7's going-deeper blocks (densing.forecast: score_coverage,
aggregate_trends, aggregate_ratios, growth_table, moe_densities), checked against what they are
made of, and the statements the chapter makes about them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.data import BENCHMARKS, load_models
from densing.forecast import (aggregate_ratios, aggregate_trends, growth_after, growth_table,
                              moe_densities, score_coverage)
from densing.robustness import PAPER_CUTOFF

AGGREGATES = {"mean score (the paper's)": "mean_score", "median of densities": "median"}


@pytest.fixture(scope="module")
def models():
    return load_models()


@pytest.fixture(scope="module")
def by_aggregate():
    return {label: analyse(Specification(aggregate=a, n_boot=200))
            for label, a in AGGREGATES.items()}


def test_score_coverage_counts_the_later_models_per_benchmark(models):
    table = score_coverage(models, PAPER_CUTOFF).set_index("benchmark")
    after = models[models["release_date"] > PAPER_CUTOFF]
    assert list(table.index) == list(BENCHMARKS)
    for b in BENCHMARKS:
        assert table.loc[b, "models with the score"] == after[b].notna().sum()
        assert table.loc[b, "of them mixture-of-experts"] == (
            after[b].notna() & (after["architecture"] == "moe")).sum()
    assert (table["of them mixture-of-experts"] <= table["models with the score"]).all()


def test_score_coverage_of_a_small_table():
    rows = pd.DataFrame({"release_date": pd.to_datetime(["2024-01-01", "2025-01-01",
                                                         "2025-02-01"]),
                         "architecture": ["dense", "moe", "dense"],
                         **{b: [1.0, 2.0, np.nan] for b in BENCHMARKS}})
    table = score_coverage(rows, "2024-06-30")
    assert table["models with the score"].tolist() == [1] * len(BENCHMARKS)
    assert table["of them mixture-of-experts"].tolist() == [1] * len(BENCHMARKS)


def test_aggregate_trends_are_the_analyses_trends(by_aggregate):
    table = aggregate_trends(by_aggregate, PAPER_CUTOFF).set_index("density")
    for label, result in by_aggregate.items():
        row = table.loc[label]
        assert row["models"] == len(result.used)
        assert row["released after the cutoff"] == (result.used["release_date"]
                                                     > PAPER_CUTOFF).sum()
        assert row["doubling (days)"] == pytest.approx(result.trend.doubling_days)
        assert row["low"] <= row["doubling (days)"] <= row["high"]
        assert row["last record"] == result.envelope_models["model"].iloc[-1]


def test_aggregate_ratios_of_an_aggregate_with_itself_are_one(by_aggregate):
    result = by_aggregate["mean score (the paper's)"]
    same = aggregate_ratios({"a": result, "b": result}, "a").iloc[0]
    for column in ("ratio, 10th percentile", "ratio, median", "ratio, 90th percentile",
                   "Spearman correlation"):
        assert same[column] == pytest.approx(1.0)


def test_aggregate_ratios_are_ordered_and_leave_out_the_base(by_aggregate):
    table = aggregate_ratios(by_aggregate, "mean score (the paper's)")
    assert table["density"].tolist() == ["median of densities"]
    row = table.iloc[0]
    assert row["ratio, 10th percentile"] <= row["ratio, median"] <= row["ratio, 90th percentile"]
    assert -1 <= row["Spearman correlation"] <= 1


def test_growth_table_is_growth_after_the_cutoff():
    spec = Specification(n_boot=200)
    row = growth_table({"headline": spec}, PAPER_CUTOFF).iloc[0]
    before = analyse(spec.replace(window=(None, PAPER_CUTOFF), n_boot=0)).used["rho"].max()
    later = growth_after(spec, PAPER_CUTOFF)
    assert row["highest before"] == pytest.approx(before)
    assert row["highest after"] == pytest.approx(later.used["rho"].max())
    assert row["models after the cutoff"] == len(later.used)
    assert row["record-setters after the cutoff"] == len(later.envelope_models)
    assert row["draws"] == len(later.trend.bootstrap_A)
    days = (row["released"] - pd.Timestamp(PAPER_CUTOFF)).days
    assert row["doubling implied (days)"] == pytest.approx(
        np.log(2) * days / np.log(row["highest after"] / row["highest before"]))
    # Chapter 7: on the paper's mean score the maximum kept growing after the paper.
    assert row["highest after"] > row["highest before"]
    assert row["by"] == "Seed-OSS-36B-Base"


def test_moe_densities_by_active_are_by_total_times_total_over_active(models):
    """Chapter 7: "a density by active parameters is the density by total parameters times
    total/active" (the reference, fitted on dense models, is the same in both views)."""
    views = {"total": analyse(Specification(moe="total", aggregate="median", n_boot=0)),
             "active": analyse(Specification(moe="active", aggregate="median", n_boot=0))}
    table = moe_densities(models, views)
    assert len(table) > 0
    assert set(table["model"]) <= set(models.loc[models["architecture"] == "moe", "model"])
    np.testing.assert_allclose(table["density by active parameters"],
                               table["density by total parameters"] * table["params_b"]
                               / table["params_active_b"], rtol=1e-6)
