"""The paper's corollaries, recomputed (its §3.4): inference prices fall exponentially, density
and chip price-performance compound, density grew faster after ChatGPT, and compression rarely
makes a model denser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from densing.analysis import Specification
from densing.calculator import densities_of
from densing.data import BENCHMARKS, load_early_models, load_models
from densing.trend import DAYS_PER_MONTH, TrendFit, fit_trend

CHATGPT = pd.Timestamp("2022-11-30")  # ChatGPT's release: the paper's split (§3.4, Figure 4)
DAYS_PER_YEAR = 365.25
# GPT-3.5's MMLU (5-shot, GPT-4 technical report Table 2): a model at least as capable as GPT-3.5
# scores at least this (data/api_prices.csv gives each model's score and source).
GPT35_MMLU = 70.0
# How input and output prices become one price per million tokens: a 3:1 input:output token mix,
# a common convention for chat workloads; the paper quotes input prices alone, also shown.
INPUT_SHARE = 0.75
MMLU_ONLY = Specification(benchmarks=("mmlu",))


def blended_price(prices: pd.DataFrame, input_share: float = INPUT_SHARE) -> pd.Series:
    """USD per million tokens for a mix of ``input_share`` input and the rest output tokens."""
    return input_share * prices["input_usd_per_mtok"] + (1 - input_share) * \
        prices["output_usd_per_mtok"]


def cheapest_over_time(prices: pd.DataFrame, price: pd.Series) -> pd.DataFrame:
    """The cheapest capable model at each date a price took effect (a price stays in force until
    the same model's next one): date, model, price, and ``since``, the date that model's price
    took effect (``date`` is only the latest change of any model's price)."""
    rows = prices.assign(price=price).sort_values("price_date")
    current: dict[str, tuple[float, pd.Timestamp]] = {}
    out = []
    for date, group in rows.groupby("price_date", sort=True):
        for row in group.itertuples():
            current[row.model] = (row.price, date)
        model = min(current, key=lambda m: current[m][0])
        out.append({"date": date, "model": model, "price": current[model][0],
                    "since": current[model][1]})
    return pd.DataFrame(out)


@dataclass(frozen=True)
class PriceTrend:
    """Prices of capable models: the cheapest line, its fold reduction, and the halving time."""

    cheapest: pd.DataFrame
    trend: TrendFit  # of tokens per dollar (1/price): its doubling time is the price's halving

    @property
    def halving_months(self) -> float:
        return self.trend.doubling_months

    @property
    def halving_months_ci(self) -> tuple[float, float]:
        lo, hi = self.trend.doubling_days_ci
        return lo / DAYS_PER_MONTH, hi / DAYS_PER_MONTH

    @property
    def fold(self) -> float:
        """First cheapest price over the last."""
        return float(self.cheapest["price"].iloc[0] / self.cheapest["price"].iloc[-1])


def price_trend(prices: pd.DataFrame, price: pd.Series, threshold: float = GPT35_MMLU,
                n_boot: int = 2000) -> PriceTrend:
    """The falling price of capable models: eq. 5's envelope fitted to tokens per dollar of the
    models whose MMLU is at least ``threshold`` (a record is a new cheapest price)."""
    capable = prices[prices["mmlu"] >= threshold]
    if capable.empty:
        raise ValueError(f"threshold = {threshold!r}: no priced model scores that high on MMLU")
    trend = fit_trend(capable["price_date"], 1.0 / price[capable.index], n_boot=n_boot)
    return PriceTrend(cheapest=cheapest_over_time(capable, price[capable.index]), trend=trend)


def combined_doubling_days(A_per_day: float | np.ndarray, chip_doubling_years: float
                           ) -> float | np.ndarray:
    """Capability per dollar of inference: ln of it grows by the sum of the two rates,
    ``A + ln 2 / T_chip``, so its doubling time is ``ln 2 / (A + ln 2 / T_chip)``."""
    return np.log(2) / (np.asarray(A_per_day) + np.log(2) / (chip_doubling_years * DAYS_PER_YEAR))


def mmlu_densities() -> pd.DataFrame:
    """MMLU-only densities of the dense models of data/models.csv and of the models released
    before ChatGPT (data/early_models.csv), against the MMLU-only reference."""
    early = load_early_models()
    table = pd.concat([
        early.assign(n_params=early["params_b"] * 1e9, architecture="dense", source="early"),
        load_models().assign(n_params=lambda t: t["params_b"] * 1e9, open_weights=True,
                             source="models")], ignore_index=True)
    table = table[table["architecture"] == "dense"]
    out = densities_of(table[["model", "release_date", "open_weights", "n_params", "mmlu",
                              "source"]].dropna(subset=["n_params", "mmlu"]), MMLU_ONLY,
                       n_draws=100)
    return out[out["reason"] == ""].reset_index(drop=True)


@dataclass(frozen=True)
class SplitTrend:
    """Two densing-law fits, before and after ChatGPT, and the ratio of their slopes."""

    before: TrendFit
    after: TrendFit
    # A_after / A_before, pairing the draws of the two fits (``TrendFit.bootstrap_A``: each side's
    # scatter about its line resampled independently, basic bootstrap); +inf where the slope
    # before is not positive and the slope after is (no finite ratio), NaN where neither is or a
    # side has no line
    ratio_draws: np.ndarray

    @property
    def ratio(self) -> float:
        return self.after.A / self.before.A

    @property
    def ratio_ci(self) -> tuple[float, float]:
        """95% interval of the ratio over the draws that define one; the upper end is +inf when
        more than 2.5% of them have a slope before that is zero or negative."""
        ok = self.ratio_draws[~np.isnan(self.ratio_draws)]
        if not ok.size:  # no bootstrap draws (n_boot = 0): no interval
            return float("nan"), float("nan")
        lo, hi = np.percentile(ok, [2.5, 97.5], method="inverted_cdf")
        return float(lo), float(hi)

    @property
    def unbounded_share(self) -> float:
        """Share of the draws (with a line on both sides) whose slope before is zero or negative
        while the slope after is positive: the ratio is unbounded there."""
        ok = ~np.isnan(self.ratio_draws)
        return float(np.isposinf(self.ratio_draws[ok]).mean()) if ok.any() else float("nan")


def split_trend(table: pd.DataFrame, split: pd.Timestamp = CHATGPT, n_boot: int = 2000
                ) -> SplitTrend:
    """Eq. 5 fitted separately to the models released before and after ``split``."""
    before = table[table["release_date"] < split]
    after = table[table["release_date"] >= split]
    fits = [fit_trend(part["release_date"], part["density"], n_boot=n_boot, seed=seed)
            for seed, part in enumerate((before, after))]
    A_before, A_after = fits[0].bootstrap_A, fits[1].bootstrap_A
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(A_before > 0, A_after / A_before, np.where(A_after > 0, np.inf, np.nan))
    ratio[np.isnan(A_before) | np.isnan(A_after)] = np.nan
    return SplitTrend(before=fits[0], after=fits[1], ratio_draws=ratio)


# Compressed models and their parents (the paper's §3.4 examples).
COMPRESSION = {"Llama-3.1-8B": ("Llama-3.2-3B", "Llama-3.2-1B", "Llama-3.1-Minitron-4B"),
               "Gemma-2-27B": ("Gemma-2-9B", "Gemma-2-2B")}


def compression_table(n_draws: int = 500) -> pd.DataFrame:
    """Each compressed model beside its parent: the density of the mean of five scores where it
    has all five, the median of its per-benchmark densities otherwise, and each benchmark's."""
    models = load_models()
    names = [m for parent, children in COMPRESSION.items() for m in (parent, *children)]
    rows = models[models["model"].isin(names)].assign(n_params=lambda t: t["params_b"] * 1e9)
    rows = rows.set_index("model").loc[names].reset_index()
    mean = densities_of(rows[["model", "n_params", *BENCHMARKS]], None, n_draws)
    median = densities_of(rows[["model", "n_params", *BENCHMARKS]],
                          Specification(aggregate="median", min_benchmarks=2), n_draws)
    per_benchmark = {b: densities_of(rows[["model", "n_params", b]],
                                     Specification(benchmarks=(b,)), n_draws)["density"]
                     for b in BENCHMARKS}
    parent_of = {c: p for p, children in COMPRESSION.items() for c in children}
    out = pd.DataFrame({"model": rows["model"], "parent": rows["model"].map(parent_of).fillna(""),
                        "n_params": rows["n_params"],
                        "density (mean score)": mean["density"],
                        "low": mean["density_low"], "high": mean["density_high"],
                        "density (median)": median["density"],
                        "median low": median["density_low"], "median high": median["density_high"],
                        **{f"density ({b})": per_benchmark[b] for b in BENCHMARKS}})
    return out



def compression_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """For each compressed model of ``compression_table``: is it denser than its parent? Read on
    the mean-score density where both have one, on the median of per-benchmark densities
    otherwise."""
    by_model = table.set_index("model")
    rows = []
    for child, parent in table.loc[table["parent"] != "", ["model", "parent"]].itertuples(
            index=False):
        both = by_model.loc[[child, parent], "density (mean score)"].notna().all()
        measure = "density (mean score)" if both else "density (median)"
        rows.append({"model": child, "parent": parent, "measure": measure[9:-1],
                     "denser than its parent":
                         by_model.loc[child, measure] > by_model.loc[parent, measure]})
    return pd.DataFrame(rows)
