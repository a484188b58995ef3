"""The paper's corollaries (chapter 9): the arithmetic, the data files, and the pinned numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing.corollaries import (blended_price, cheapest_over_time, combined_doubling_days,
                                 compression_table, compression_verdicts, mmlu_densities,
                                 price_trend, split_trend)
from densing.data import DATA_DIR, load_chip_trends, load_early_models, load_prices


def test_growth_rates_add():
    """0.0073 per day with chips doubling every 2.1 years: the paper's 88 days go with 0.007."""
    assert combined_doubling_days(0.0073, 2.1) == pytest.approx(84.49, abs=0.01)
    assert combined_doubling_days(0.007, 2.1) == pytest.approx(87.70, abs=0.01)
    A = np.array([0.005, 0.01])
    both = np.log(2) / combined_doubling_days(A, 2.0)
    assert both == pytest.approx(A + np.log(2) / (2.0 * 365.25))


def test_the_cheapest_price_steps_down_and_a_price_stays_in_force():
    prices = pd.DataFrame({"model": ["a", "b", "a", "c"],
                           "price_date": pd.to_datetime(["2023-01-01", "2023-06-01",
                                                         "2023-09-01", "2024-01-01"]),
                           "input_usd_per_mtok": [10.0, 4.0, 2.0, 3.0],
                           "output_usd_per_mtok": [10.0, 8.0, 2.0, 3.0]})
    cheapest = cheapest_over_time(prices, prices["input_usd_per_mtok"])
    assert list(cheapest["model"]) == ["a", "b", "a", "a"]
    assert list(cheapest["price"]) == [10.0, 4.0, 2.0, 2.0]
    assert blended_price(prices).iloc[1] == pytest.approx(0.75 * 4 + 0.25 * 8)


def test_a_known_halving_time_is_recovered():
    days = np.arange(0, 800, 100)
    prices = pd.DataFrame({"model": [f"m{i}" for i in range(days.size)],
                           "price_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, "D"),
                           "input_usd_per_mtok": 20 * 0.5 ** (days / 90.0),
                           "output_usd_per_mtok": 20 * 0.5 ** (days / 90.0),
                           "mmlu": 75.0})
    trend = price_trend(prices, prices["input_usd_per_mtok"], n_boot=50)
    assert trend.trend.doubling_days == pytest.approx(90.0)
    assert trend.fold == pytest.approx(2 ** (700 / 90))


def test_split_trend_recovers_two_known_slopes():
    dates = pd.Timestamp("2021-01-01") + pd.to_timedelta(np.arange(0, 1400, 100), "D")
    t = (dates - dates[0]).days.to_numpy(float)
    split = pd.Timestamp("2022-11-30")
    before = dates < split
    log_rho = np.where(before, 0.004 * t, 0.004 * t[before].max() + 0.008 * (t - t[before].max()))
    table = pd.DataFrame({"release_date": dates, "density": np.exp(log_rho)})
    result = split_trend(table, split, n_boot=50)
    assert result.before.A == pytest.approx(0.004) and result.after.A == pytest.approx(0.008)
    assert result.ratio == pytest.approx(2.0)
    without_draws = split_trend(table, split, n_boot=0)  # an IndexError before
    assert without_draws.ratio == pytest.approx(2.0) and np.isnan(without_draws.ratio_ci).all()


def test_chapter_nine_numbers_are_pinned():
    prices = load_prices()
    moved = {}
    for name, price, fold, months in (("input", prices["input_usd_per_mtok"], 266.7, 3.09),
                                      ("blended", blended_price(prices), 152.4, 3.64)):
        trend = price_trend(prices, price)
        if abs(trend.fold - fold) > 0.1 or abs(trend.halving_months - months) > 0.01:
            moved[name] = (round(trend.fold, 1), round(trend.halving_months, 2))
    split = split_trend(mmlu_densities())
    if abs(split.before.A - 0.00480) > 2e-5 or abs(split.after.A - 0.00483) > 2e-5:
        moved["chatgpt"] = (round(split.before.A, 5), round(split.after.A, 5))
    assert not moved, f"chapter 9's numbers moved (now): {moved}"
    assert split.ratio_ci[0] < 1 < split.ratio_ci[1], "the ratio's interval no longer includes 1"


def test_only_gemma_2_9b_is_denser_than_its_parent_on_the_mean_score():
    table = compression_table(n_draws=50).set_index("model")
    rho = table["density (mean score)"]
    assert rho["Gemma-2-9B"] > rho["Gemma-2-27B"] > rho["Gemma-2-2B"]
    assert np.isnan(rho["Llama-3.2-3B"])  # no BBH of its kind: the median decides
    verdicts = compression_verdicts(table.reset_index()).set_index("model")
    assert list(verdicts.index[verdicts["denser than its parent"]]) == ["Gemma-2-9B"]
    assert verdicts.loc["Llama-3.2-3B", "measure"] == "median"
    assert verdicts.loc["Gemma-2-9B", "measure"] == "mean score"
    median = table["density (median)"]
    assert median["Llama-3.1-8B"] > max(median[m] for m in ("Llama-3.2-3B", "Llama-3.2-1B",
                                                            "Llama-3.1-Minitron-4B"))


def test_every_new_value_has_a_source_and_a_date():
    prices, early, chips = load_prices(), load_early_models(), load_chip_trends()
    assert prices["price_date"].notna().all() and prices["price_source"].str.len().gt(10).all()
    assert early["release_date"].max() < pd.Timestamp("2022-11-30")
    assert early["mmlu_source"].str.len().gt(10).all() and chips["source"].str.len().gt(10).all()


@pytest.mark.parametrize(("loader", "name", "column", "value", "message"), [
    (load_prices, "api_prices.csv", "price_date", "", "price_date of .* is empty"),
    (load_prices, "api_prices.csv", "price_date", "2024", "price_date must be YYYY-MM-DD"),
    (load_prices, "api_prices.csv", "input_usd_per_mtok", "-1", r"input_usd_per_mtok = -1\.0"),
    (load_prices, "api_prices.csv", "price_source", "", "input_usd_per_mtok of .* has no"),
    (load_early_models, "early_models.csv", "mmlu", "120", r"mmlu = 120\.0 .* outside"),
    (load_early_models, "early_models.csv", "release_date", "", "release_date of .* is empty"),
    (load_chip_trends, "chip_trends.csv", "source", "", "value of .* has no source"),
])
def test_broken_files_are_refused(tmp_path, loader, name, column, value, message):
    table = pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False)
    table.loc[0, column] = value
    table.to_csv(tmp_path / name, index=False)
    with pytest.raises(ValueError, match=message):
        loader(tmp_path / name)
