"""Tables that chapters 5 and 9 show, built from the analysis: each is a function with a test
(tests/test_ch5_tables.py, tests/test_ch9_tables.py), so the pages only display them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from densing.analysis import SCORE, Analysis
from densing.data import BENCHMARKS
from densing.display import significant

# The benchmarks as a reader names them.
BENCHMARK_NAMES = {"mmlu": "MMLU", "bbh": "BBH", "math": "MATH", "humaneval": "HumanEval",
                   "mbpp": "MBPP", SCORE: "average of the five"}
# A density at least this large is "extreme": it comes from a score high on the reference's
# curve, where the inverse of eq. 4 climbs steeply towards the score no reference at D0 passes.
EXTREME = 100.0


def benchmark_coverage(models: pd.DataFrame) -> pd.DataFrame:
    """Per benchmark: how many models have a score, how many of them are in the paper's figure,
    and how many distinct sources the scores come from."""
    return pd.DataFrame({
        "benchmark": [BENCHMARK_NAMES[b] for b in BENCHMARKS],
        "models with a score": [int(models[b].notna().sum()) for b in BENCHMARKS],
        "of them in the paper": [int(models.loc[models["in_paper"], b].notna().sum())
                                 for b in BENCHMARKS],
        "distinct sources": [int(models[f"{b}_source"].nunique()) for b in BENCHMARKS]})


def curve_constants(result: Analysis) -> pd.DataFrame:
    """Step 2's fitted curves (eq. 3), one row per score: the constants, the floor and ceiling,
    the panel the curve is fitted on, the highest score a reference at D0 reaches, and the
    constants that ended on a bound of the fit."""
    rows = []
    for score, ref in result.references.items():
        curve = ref.curve
        rows.append({"score": BENCHMARK_NAMES.get(score, score),
                     "panel models": int(result.panel[score].notna().sum()),
                     "floor d": curve.floor, "ceiling c + d": curve.ceiling,
                     "γ": curve.gamma, "l": curve.l,
                     "highest score at D0": ref.score_range[1],
                     "constants on a bound": ", ".join(curve.on_bound) or "none"})
    return pd.DataFrame(rows)


def exclusion_reasons(densities: pd.DataFrame) -> pd.DataFrame:
    """The models without a density in the trend, grouped by reason: how many, and which."""
    out = densities[~densities["in_trend"]]
    grouped = out.groupby("reason", sort=False)["model"]
    table = pd.DataFrame({"reason": list(grouped.groups), "models": grouped.size().to_numpy(),
                          "which": grouped.apply(", ".join).to_numpy()})
    return table.sort_values("models", ascending=False, kind="stable").reset_index(drop=True)


def model_densities(result: Analysis) -> pd.DataFrame:
    """Every model in order of release, narrow enough for a page: whether the paper's figure shows
    it, its size, its density on the average of the five scores (three significant digits) or why
    it has none, and its density on each benchmark alone (columns named by benchmark)."""
    table = result.densities.sort_values(["release_date", "model"])
    return pd.DataFrame({
        "model": table["model"].to_numpy(),
        "released": table["release_date"].dt.strftime("%Y-%m").to_numpy(),
        "paper": table["in_paper"].to_numpy(bool),
        "size": (table["n_b"] * 1e9).to_numpy(),
        # the density on the average of the five scores, or why the model has none (with spaces
        # for hyphens, so that a narrow column can wrap the words)
        "average, or why none": [significant(rho) if np.isfinite(rho) else reason.replace("-", " ")
                                 for rho, reason in zip(table["rho"].to_numpy(float),
                                                        table["reason"].fillna(""), strict=True)],
        **{BENCHMARK_NAMES[b]: table[f"rho_{b}"].to_numpy(float) for b in BENCHMARKS}})


def near_top_refusals(result: Analysis) -> str:
    """Chapter 5: in words, the models whose average, or whose score on one benchmark, the rule
    near the top of the reach refuses (``Reference.near_top``)."""
    table = result.densities.set_index("model")
    refused = {key: list(table.index[table["reason" if key == SCORE else f"why_{key}"]
                                     .str.startswith("near the top")])
               for key in [SCORE, *result.spec.benchmarks]}
    per_benchmark = "; ".join(f"{BENCHMARK_NAMES[b]} of {', '.join(models)}"
                              for b, models in refused.items() if b != SCORE and models)
    return ((f"In the headline it refuses the average of {', '.join(refused[SCORE])}"
             if refused[SCORE] else "In the headline no model's average is that close to the top")
            + (f"; among the per-benchmark densities it refuses the {per_benchmark}."
               if per_benchmark else ", nor any score on one benchmark."))


def extreme_densities(result: Analysis, threshold: float = EXTREME) -> pd.DataFrame:
    """Every density of at least ``threshold`` in ``result`` (on the average or one benchmark):
    the model, the score it comes from, how far that score is from the floor to the highest score
    a reference at D0 reaches (0 to 1), the density and the effective size N̂ behind it."""
    rows = []
    table = result.densities
    for score, ref in result.references.items():
        column = "rho" if score == SCORE else f"rho_{score}"
        low, high = ref.score_range
        for row in table[table[column] >= threshold].itertuples():
            value = float(getattr(row, score))
            rows.append({"model": row.model, "score": BENCHMARK_NAMES.get(score, score),
                         "value": value, "share of reach": (value - low) / (high - low),
                         "density": float(getattr(row, column)),
                         "effective size": float(getattr(row, column)) * row.n_b * 1e9})
    columns = ["model", "score", "value", "share of reach", "density", "effective size"]
    return pd.DataFrame(rows, columns=columns).sort_values("density", ascending=False,
                                                           ignore_index=True)


def price_summary(trends: dict) -> pd.DataFrame:
    """Chapter 9: for each way of pricing (``trends``: name -> ``corollaries.PriceTrend``), the
    first and last cheapest capable price with its model and date, the fold reduction, and the
    halving time with its 95% interval (basic bootstrap)."""
    rows = []
    for view, t in trends.items():
        lo, hi = t.halving_months_ci
        first, last = t.cheapest.iloc[0], t.cheapest.iloc[-1]
        rows.append({"price": view,
                     "cheapest first": f"${first['price']:.3g} ({first['model']}, "
                                       f"{first['since']:%Y-%m-%d})",
                     "cheapest last": f"${last['price']:.3g} ({last['model']}, "
                                      f"{last['since']:%Y-%m-%d})",
                     "fold reduction": t.fold, "halving (months)": t.halving_months,
                     "95% interval (months)": f"{lo:.1f} to {hi:.1f}" if np.isfinite(hi)
                     else f"{lo:.1f} to no bound",
                     "draws without a line": t.trend.failed_draws})
    return pd.DataFrame(rows)


def split_summary(split, table: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """Chapter 9: the MMLU-only trend before and after ``date`` (``split``: a
    ``corollaries.SplitTrend`` fitted on ``table``): models, record-setters, slope with its 95%
    interval (basic bootstrap), doubling time, and draws in which no line could be fitted."""
    rows = []
    for side, fit in (("before", split.before), ("after", split.after)):
        lo, hi = fit.A_ci
        part = table[(table["release_date"] < date) == (side == "before")]
        rows.append({"period": f"{side} ChatGPT", "models": len(part),
                     "record-setters": len(fit.envelope), "A (per day)": f"{fit.A:.4f}",
                     "95% interval of A": f"{lo:.4f} to {hi:.4f}",
                     "doubling (days)": fit.doubling_days,
                     "draws without a line": f"{fit.failed_draws} of {len(fit.bootstrap_A)}"})
    return pd.DataFrame(rows)
