"""The law beside the field (chapter 10): the paper's two versions, knowledge against procedural
benchmarks, two kinds of reference, and the densing law's rate among other measured rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from densing._checks import as_count, as_number
from densing.analysis import Specification
from densing.answer import ARXIV, JOURNAL
from densing.data import BENCHMARKS, load_ladder
from densing.ladder import method_comparison
from densing.robustness import JOURNAL_CUTOFF, PAPER_CUTOFF, SPECIFICATIONS, Run, run
from densing.trend import DAYS_PER_MONTH

# What each of the paper's benchmarks mostly asks for: recalling facts (MMLU, the knowledge that
# "Incompressible Knowledge Probes" tests) or carrying out steps (reasoning, mathematics, code).
KIND = {"mmlu": "knowledge", "bbh": "procedural", "math": "procedural",
        "humaneval": "procedural", "mbpp": "procedural"}
# The specification of chapter 6 closest to each version: its data end at the version's cutoff.
CLOSEST = {ARXIV: f"released up to {PAPER_CUTOFF}", JOURNAL: f"released up to {JOURNAL_CUTOFF}"}
# Secondary: Tsinghua University's news release on the journal version, mirrored at
# http://m.ywqicheng.com/en/info/1245/14611.htm ("from February 2023 to April 2025, the maximum
# capability density of open-source LLMs approximately doubles every 3.5 months").
JOURNAL_PERIOD = "2023-02 to 2025-04"
# References compared on MMLU alone (the only benchmark every kind can be fitted for).
REFERENCES = {"two-step, C4 loss and panel curve": "c4_panel",
              "two-step, task loss on the ladder": "task_loss",
              "one-step, log accuracy on the ladder": "one_step"}


def implied_A(doubling_months: float) -> float:
    """The growth rate per day a doubling time in months implies: ``A = ln 2 / t`` (eq. 5)."""
    t = as_number("doubling_months", doubling_months, low=0, low_open=True)
    return float(np.log(2) / (t * DAYS_PER_MONTH))


def months(value: pd.Series, unit: pd.Series, factor_years: pd.Series) -> np.ndarray:
    """A time (days, months or years), or a growth ``factor`` over ``factor_years`` years, as
    months per doubling (or halving): ``12·years·ln 2 / ln(factor)`` for a factor."""
    v = np.asarray(value, dtype=float)
    per_unit = unit.map({"days": 1 / DAYS_PER_MONTH, "months": 1.0, "years": 12.0}).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        from_factor = 12 * np.asarray(factor_years, dtype=float) * np.log(2) / np.log(v)
    return np.where(unit.to_numpy() == "factor", from_factor, v * per_unit)


def rates_on_one_axis(rates: pd.DataFrame, law: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``load_field_rates`` and the densing law's own (``law``, as ``densing_rows``
    gives them) in months per doubling or halving, shortest first; a lag stays in months.

    Columns ``rate``, ``measures``, ``direction``, ``months``, ``low``, ``high`` (the interval in
    months, NaN where none is published), ``interval``, ``period``, ``evidence``, ``source``."""
    out = rates.assign(months=months(rates["value"], rates["unit"], rates["factor_years"]))
    ends = [months(rates[c], rates["unit"], rates["factor_years"])
            for c in ("interval_low", "interval_high")]
    out["low"], out["high"] = np.fmin(*ends), np.fmax(*ends)  # a larger factor is a shorter time
    columns = ["rate", "measures", "direction", "months", "low", "high", "interval", "period",
               "evidence", "source"]
    both = pd.concat([law[columns], out[columns]], ignore_index=True)
    return both.sort_values("months", kind="stable").reset_index(drop=True)


def densing_rows(headline: Run, paper: pd.DataFrame) -> pd.DataFrame:
    """The densing law's rows for ``rates_on_one_axis``: ours (the headline, with its combined
    interval) and the two versions of the paper as printed (no interval is published).
    ``paper`` is ``load_paper_values()`` indexed by version and quantity."""
    trend = headline.analysis.trend
    low, high = (d / DAYS_PER_MONTH for d in headline.uncertainty.interval("combined"))
    used = headline.analysis.used["release_date"]
    measures = "maximum capability density of open base models (five benchmarks, D0 = 1T)"
    rows = [{"rate": "densing law, ours", "months": trend.doubling_months, "low": low,
             "high": high, "interval": "95% interval, models and reference resampled",
             "period": f"{used.min():%Y-%m} to {used.max():%Y-%m}", "evidence": "computed here",
             "source": "this book, chapter 5"}]
    for version, period in ((ARXIV, _paper_period(headline)), (JOURNAL, JOURNAL_PERIOD)):
        source = paper.loc[(version, "doubling_months"), "source"]
        rows.append({"rate": f"densing law, {version}",
                     "months": float(paper.loc[(version, "doubling_months"), "value"]),
                     "low": np.nan, "high": np.nan, "interval": "none published",
                     "period": period, "evidence": "secondary" if source.startswith("secondary")
                     else "primary", "source": source})
    return pd.DataFrame(rows).assign(measures=measures, direction="doubles")


def _paper_period(result: Run) -> str:
    """The release months of the paper's own models (its Figure 1), as models.csv dates them."""
    densities = result.analysis.densities
    dates = densities.loc[densities["in_paper"].astype(bool), "release_date"].dropna()
    return f"{dates.min():%Y-%m} to {dates.max():%Y-%m}"


def paper_versions(paper: pd.DataFrame, runs: dict[str, Run]) -> pd.DataFrame:
    """The arXiv and journal versions side by side: models, data, doubling time as printed, the
    A printed and the A the doubling time implies, the slopes before and after ChatGPT, and our
    closest configuration (``CLOSEST``, in ``runs``) with its combined 95% interval.
    ``paper`` is ``load_paper_values()`` indexed by version and quantity."""
    def value(version: str, quantity: str) -> float:
        key = (version, quantity)
        return float(paper.loc[key, "value"]) if key in paper.index else np.nan

    def marked(version: str, quantity: str) -> str:
        key = (version, quantity)
        secondary = key in paper.index and str(paper.loc[key, "source"]).startswith("secondary")
        return " (secondary)" if secondary else ""

    rows = []
    for version, A_key, split in ((ARXIV, "A", ("A_mmlu_before_chatgpt", "A_mmlu_after_chatgpt")),
                                  (JOURNAL, "A_secondary", ("A_before_chatgpt",
                                                            "A_after_chatgpt"))):
        doubling = value(version, "doubling_months")
        closest = runs[CLOSEST[version]]
        low, high = closest.uncertainty.interval("combined")
        rows.append({
            "version": version,
            "models": f"{value(version, 'n_models'):.0f}{marked(version, 'n_models')}",
            "data to": (f"{pd.Timestamp(closest.analysis.spec.window[1]):%B %Y}"
                        + (" (ours; none stated)" if version == ARXIV else " (secondary)")),
            "doubling (months)": f"{doubling:g}{marked(version, 'doubling_months')}",
            "A printed (per day)": f"{value(version, A_key):g}{marked(version, A_key)}",
            "A implied by the doubling (per day)": f"{implied_A(doubling):.4f}",
            "A before → after ChatGPT": (f"{value(version, split[0]):g} → "
                                         f"{value(version, split[1]):g}{marked(version, split[1])}"
                                         + (", MMLU only" if version == ARXIV else "")),
            "ours, closest (days)": f"{closest.analysis.trend.doubling_days:.0f}",
            "ours, 95% interval (days)": f"{low:.0f}–{high:.0f}",
        })
    return pd.DataFrame(rows)


def benchmark_trends(runs: dict[str, Run]) -> pd.DataFrame:
    """Each benchmark's own densing law (chapter 6's "<benchmark> only" rows in ``runs``), grouped
    as knowledge or procedural (``KIND``): record-setters, doubling time (days) and its 95%
    intervals with the models' scatter alone and with the reference refitted too, and whether the
    combined interval excludes no growth."""
    rows = []
    for b in BENCHMARKS:
        result = runs[f"{b} only"]
        trend, bands = result.analysis.trend, result.uncertainty
        (m_lo, m_hi), (c_lo, c_hi) = bands.interval("models"), bands.interval("combined")
        rows.append({"benchmark": b, "kind": KIND[b], "record-setters":
                     len(result.analysis.envelope_models), "doubling (days)": trend.doubling_days,
                     "models low": m_lo, "models high": m_hi, "combined low": c_lo,
                     "combined high": c_hi,
                     "grows": bool(np.isfinite(c_hi) and c_lo > 0 and c_hi > 0)})
    return pd.DataFrame(rows)


def benchmark_specifications() -> dict[str, Specification]:
    """Chapter 6's single-benchmark specifications, by label ("mmlu only", ...)."""
    return {f"{b} only": SPECIFICATIONS[f"{b} only"] for b in BENCHMARKS}


def heldout_comparison() -> pd.DataFrame:
    """``method_comparison`` on every task of the ladder, one row per task: the larger absolute
    error (accuracy points, in percent) of each method over OLMo-2 7B and 13B, and which is
    smaller."""
    errors = method_comparison(load_ladder())
    worst = errors.assign(**{c: 100 * errors[c].abs() for c in ("two_step_error",
                                                                  "one_step_error")}
                          ).groupby("task", sort=False)[["two_step_error", "one_step_error"]].max()
    return worst.rename(columns={"two_step_error": "two-step (points)",
                                 "one_step_error": "one-step (points)"}).assign(
        closer=lambda t: np.where(t["one-step (points)"] < t["two-step (points)"], "one-step",
                                  "two-step")).reset_index()


def reference_kinds(n_draws: int = 500) -> pd.DataFrame:
    """The densing law on MMLU with each kind of reference (``REFERENCES``) at D0 = 1T: the top
    of its reach, the models it places, record-setters, doubling time, and its 95% intervals from
    the models' scatter (``models low``/``high``) and with the reference refitted too
    (``combined low``/``high``; ``inf`` where the interval includes no growth)."""
    runs = run({label: SPECIFICATIONS["mmlu only"].replace(reference=reference)
                for label, reference in REFERENCES.items()}, n_draws=n_draws)
    rows = []
    for label, result in runs.items():
        analysis = result.analysis
        (m_lo, m_hi), (c_lo, c_hi) = (result.uncertainty.interval(source)
                                      for source in ("models", "combined"))
        rows.append({"reference": label, "reach (MMLU)": analysis.reference.score_range[1],
                     "models placed": len(analysis.used),
                     "record-setters": len(analysis.envelope_models),
                     "doubling (days)": analysis.trend.doubling_days, "models low": m_lo,
                     "models high": m_hi, "combined low": c_lo, "combined high": c_hi})
    return pd.DataFrame(rows)


def fixed_size_time_slope(models: pd.DataFrame, benchmark: str = "mmlu", n_boot: int = 2000,
                          seed: int = 0, doubling_months: float = 3.5) -> dict[str, float]:
    """The test "Incompressible Knowledge Probes" runs, on our scores: least squares of
    ``score = β0 + β1·log10(N in billions) + β2·months`` (months since 2024-01-01) over the dense
    models with a score, a size and a release date, and a 95% percentile interval of β2 from
    ``n_boot`` resamples of the models. The densing law predicts ``β1·log10(2)/doubling_months``:
    a model of fixed size gains what doubling its size gives, once per doubling time.
    Scores and slopes in points (percent)."""
    if benchmark not in KIND:
        raise ValueError(f"benchmark = {benchmark!r} is not one of {tuple(KIND)}")
    n_boot = as_count("n_boot", n_boot)
    if n_boot < 1:
        raise ValueError(f"n_boot = {n_boot} must be an integer >= 1")
    rows = models[(models["architecture"] == "dense")].dropna(
        subset=[benchmark, "params_b", "release_date"])
    months_since = ((rows["release_date"] - pd.Timestamp("2024-01-01")) / pd.Timedelta(days=1)
                    / DAYS_PER_MONTH).to_numpy(float)
    x = np.column_stack([np.ones(len(rows)), np.log10(rows["params_b"].to_numpy(float)),
                         months_since])
    y = rows[benchmark].to_numpy(float)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    picks = np.random.default_rng(seed).integers(0, len(y), (n_boot, len(y)))
    xb, yb = x[picks], y[picks]  # (draws, models, 3) and (draws, models): normal equations
    boot = np.linalg.solve(np.einsum("dni,dnj->dij", xb, xb),
                           np.einsum("dni,dn->di", xb, yb)[..., None])[..., 0]
    low, high = np.percentile(boot[:, 2], [2.5, 97.5])
    return {"models": len(y), "per_decade": float(beta[1]), "per_month": float(beta[2]),
            "low": float(low), "high": float(high),
            "predicted": float(beta[1] * np.log10(2) / doubling_months)}
