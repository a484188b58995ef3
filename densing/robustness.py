"""How much the law depends on our choices: many specifications, each with its three intervals.

``SPECIFICATIONS`` is the table of chapter 6: the headline, every field changed one at a time, and
the combinations a reader would try. ``run`` analyses each with ``uncertainty``; specifications whose
references are the same (they differ only in D0, the models, the window, the exclusions or the
estimator) share one set of refitted references, so the whole table costs about one refit per
distinct reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from densing.analysis import Analysis, Specification, analyse, reference_key
from densing.resample import ReferenceDraws, Uncertainty, draw_references, uncertainty

PAPER_CUTOFF = "2024-10-31"  # the paper's models end in October 2024 (no cutoff is stated)
JOURNAL_CUTOFF = "2025-04-30"  # the journal version's data end in April 2025
PAIR = ("mmlu", "humaneval")  # the two of the paper's benchmarks one harness measured for everyone
UNIFORM_FOUR = (*PAIR, "bbh_leaderboard", "math_hard_leaderboard")

_default = Specification()
SPECIFICATIONS: dict[str, Specification] = {
    "headline": _default,
    "the paper's models": _default.replace(models="paper"),
    f"released up to {PAPER_CUTOFF}": _default.replace(window=(None, PAPER_CUTOFF)),
    f"released up to {JOURNAL_CUTOFF}": _default.replace(window=(None, JOURNAL_CUTOFF)),
    "OLS on all models": _default.replace(estimator="ols"),
    "upper quantile (q = 0.9)": _default.replace(estimator="quantile"),
    "D0 = 0.3T": _default.replace(D0=3e11),
    "D0 = 4T": _default.replace(D0=4e12),
    "non-embedding parameters": _default.replace(params="non_embedding"),
    "eq. 2 with irreducible E": _default.replace(irreducible=True),
    "Phi-2 from the MiniCPM table": _default.replace(alternative_scores=("Phi-2",)),
    "without Phi-2": _default.replace(exclude=("Phi-2",)),
    **{f"{b} only": _default.replace(benchmarks=(b,)) for b in _default.benchmarks},
    "MMLU + HumanEval, reported": _default.replace(benchmarks=PAIR),
    "MMLU + HumanEval, uniform": _default.replace(benchmarks=PAIR, scores="uniform"),
    "MMLU + HumanEval, ObsScaling panel": _default.replace(benchmarks=PAIR, panel="obsscaling"),
    "MMLU + HumanEval, both panels": _default.replace(benchmarks=PAIR, panel="both"),
    "four uniform benchmarks": _default.replace(benchmarks=UNIFORM_FOUR, scores="uniform"),
    "task-loss reference (MMLU), D0 = 1T": _default.replace(reference="task_loss",
                                                            benchmarks=("mmlu",)),
    "task-loss reference (MMLU), D0 = 10T": _default.replace(reference="task_loss",
                                                             benchmarks=("mmlu",), D0=1e13),
    "paper's models, Phi-2 from the MiniCPM table": _default.replace(
        models="paper", alternative_scores=("Phi-2",)),
    "closest to the paper's protocol": _default.replace(
        benchmarks=UNIFORM_FOUR, scores="uniform", models="paper", window=(None, PAPER_CUTOFF)),
    "closest to the paper's protocol, MMLU + HumanEval": _default.replace(
        benchmarks=PAIR, scores="uniform", models="paper", window=(None, PAPER_CUTOFF)),
    "paper's models, OLS": _default.replace(models="paper", estimator="ols"),
    "geometric mean of per-benchmark densities": _default.replace(aggregate="geometric"),
    "median of per-benchmark densities": _default.replace(aggregate="median"),
    "median, at least four benchmarks": _default.replace(aggregate="median", min_benchmarks=4),
    "mixtures of experts by total parameters": _default.replace(moe="total"),
    "mixtures of experts by active parameters": _default.replace(moe="active"),
}

# Rows the table shows but the book does not defend, each with the reason: ranges "across
# specifications" leave them out and list them apart (a range should not end on a row the book
# itself calls uninformative).
NOT_DEFENDED = {label: "the task-loss reference places most models above the highest MMLU it was "
                       "calibrated on, by extrapolation: uninformative"
                for label in SPECIFICATIONS if SPECIFICATIONS[label].reference == "task_loss"}


@dataclass(frozen=True)
class Run:
    """One specification analysed, with its three intervals."""

    analysis: Analysis
    uncertainty: Uncertainty


def run(specs: dict[str, Specification], n_draws: int = 500, seed: int = 0) -> dict[str, Run]:
    """Analyse every specification and its intervals, sharing refitted references where equal."""
    shared: dict[Specification, ReferenceDraws] = {}
    runs = {}
    for label, spec in specs.items():
        analysis = analyse(spec)
        key = reference_key(spec)
        if key not in shared:
            shared[key] = draw_references(analysis, n_draws, seed)
        runs[label] = Run(analysis, uncertainty(analysis, n_draws, seed, draws=shared[key]))
    return runs


def specification_table(runs: dict[str, Run]) -> pd.DataFrame:
    """One row per specification: what changed, models used, envelope models with their release
    months, A, doubling time with its three 95% intervals (days), R²."""
    rows = []
    for label, result in runs.items():
        analysis, trend = result.analysis, result.analysis.trend
        envelope = analysis.envelope_models
        row = {"specification": label, "changes": analysis.spec.describe(),
               "models": len(analysis.used), "record-setters": len(envelope),
               "last record": envelope["release_date"].max(), "envelope": ", ".join(
                   f"{m} ({d:%Y-%m})" for m, d in zip(envelope["model"], envelope["release_date"],
                                                      strict=True)),
               "A (per day)": trend.A, "doubling (days)": trend.doubling_days, "R²": trend.r2}
        for source in ("models", "reference", "combined"):
            row[f"{source} low"], row[f"{source} high"] = result.uncertainty.interval(source)
            row[f"{source} failed"] = result.uncertainty.failed(source)
        rows.append(row)
    return pd.DataFrame(rows)


def doubling_range(table: pd.DataFrame) -> tuple[float, float]:
    """Shortest and longest doubling time (days) across the rows of ``specification_table`` the
    book defends (every row but ``NOT_DEFENDED``)."""
    days = table.loc[~table["specification"].isin(NOT_DEFENDED), "doubling (days)"].to_numpy(float)
    return float(np.min(days)), float(np.max(days))


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The numbers of ``specification_table`` for readers: rounded, each interval one "low–high"
    cell; the record-setters themselves are in ``record_setters``."""
    out = table[["specification", "models", "record-setters"]].copy()
    out["last record"] = table["last record"].dt.strftime("%Y-%m")
    out["A (per day)"] = table["A (per day)"].map("{:.4f}".format)
    out["doubling (days)"] = table["doubling (days)"].map("{:.0f}".format)
    for source in ("models", "reference", "combined"):
        out[f"{source} interval (days)"] = [
            f"{lo:.0f}–{hi:.0f}" for lo, hi in zip(table[f"{source} low"], table[f"{source} high"],
                                                   strict=True)]
    out["failed draws"] = table["combined failed"]
    out["R²"] = table["R²"].map("{:.2f}".format)
    return out


def record_setters(table: pd.DataFrame) -> pd.DataFrame:
    """What each row of ``specification_table`` changes, and its record-setters with their
    release months."""
    return table[["specification", "changes", "envelope"]].rename(
        columns={"envelope": "record-setters (release month)"})


def doubling_times(specs: dict[str, Specification]) -> pd.DataFrame:
    """The point estimate of the doubling time (days) under each specification, without intervals:
    the range chapter 5 puts beside its headline (chapter 6 adds the intervals). Columns
    ``specification`` and ``doubling (days)``, as ``doubling_range`` takes them."""
    return pd.DataFrame([{"specification": label,
                          "doubling (days)": analyse(spec.replace(n_boot=0)).trend.doubling_days}
                         for label, spec in specs.items()])


def token_share(analysis: Analysis) -> tuple[float, pd.DataFrame]:
    """How much of the envelope's rise is training tokens: ``ln ρ = ln ρ_on_curve +
    ln(ρ/ρ_on_curve)``, both parts fitted by least squares over the release dates of the
    record-setters whose tokens are published (a least-squares slope is linear in what it fits,
    so the two slopes add up to the line's). Returns the tokens' share and those record-setters."""
    envelope = analysis.used.merge(analysis.envelope_models[["model"]], on="model")
    known = envelope[envelope["rho_on_curve"].notna()]
    days = ((known["release_date"] - known["release_date"].min()) / pd.Timedelta(days=1)).to_numpy()
    tokens = np.polyfit(days, np.log(known["rho_on_curve"]), 1)[0]
    beating = np.polyfit(days, np.log(known["rho"] / known["rho_on_curve"]), 1)[0]
    return float(tokens / (tokens + beating)), envelope


# --- Tables of chapter 6, as package functions (each tested in tests/test_ch6_tables.py) ---

_FIELD_VALUES = {
    "irreducible": "False or True", "D0": "1e9 to 1e15 tokens",
    "window": "release dates (start, end), each 'YYYY-MM-DD' or None",
    "exclude": "model names (left out of the trend only)",
    "alternative_scores": "model names in data/alternative_scores.csv",
    "min_benchmarks": "1 to the number of benchmarks (geometric or median aggregate)",
    "n_boot": "resamples of the models", "seed": "seed of every random draw"}


def specification_fields() -> pd.DataFrame:
    """Every field of ``Specification``: its default (the headline) as a reader would type it,
    and the values it takes. Columns ``field``, ``default``, ``values``."""
    import dataclasses

    from densing.analysis import CHOICES, UNIFORM_BENCHMARKS
    from densing.data import BENCHMARKS

    def shown(value) -> str:
        if isinstance(value, tuple):
            return ", ".join("None" if v is None else str(v) for v in value) or "none"
        return f"{value:g}" if isinstance(value, float) else str(value)

    values = {**_FIELD_VALUES, "benchmarks": f"any of {', '.join(BENCHMARKS)}; with uniform "
                                             f"scores any of {', '.join(UNIFORM_BENCHMARKS)}",
              **{name: ", ".join(choices) for name, choices in CHOICES.items()}}
    return pd.DataFrame([{"field": f.name, "default": shown(getattr(_default, f.name)),
                          "values": values[f.name]} for f in dataclasses.fields(Specification)])


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``specification_table`` a reader compares, narrow enough for the page:
    specification, models, doubling time and its three 95% intervals ("low–high" days; "∞" where
    the slope's interval reaches zero), R². ``readable`` has every column."""
    out = table[["specification", "models"]].copy()
    out["doubling (days)"] = table["doubling (days)"].map("{:.0f}".format)
    for source in ("models", "reference", "combined"):
        out[f"{source} 95% (days)"] = [
            f"{lo:.0f}–{hi:.0f}" if np.isfinite(hi) else f"{lo:.0f}–∞"
            for lo, hi in zip(table[f"{source} low"], table[f"{source} high"], strict=True)]
    out["R²"] = table["R²"].map("{:.2f}".format)
    return out


PAPER_VERSIONS = {"arXiv v2 (2024)": "paper (arXiv v2)", "journal (2025)": "journal version"}


def paper_comparison(table: pd.DataFrame, paper: pd.DataFrame, rows: list[str]) -> pd.DataFrame:
    """``rows`` of ``specification_table`` beside the paper's and the journal version's own fit
    (``paper``: ``load_paper_values()``): models, A (per day), doubling time, R² and the combined
    95% interval, as text; "not found" where a source gives no value (the paper's rows have no
    interval)."""
    from densing.trend import DAYS_PER_MONTH

    values = paper.set_index(["version", "quantity"])["value"]

    def value(version: str, quantity: str) -> float:
        found = values.get((version, quantity), np.nan)
        return float(found) if pd.notna(found) else np.nan

    ours = table.set_index("specification").loc[rows]
    out = [{"specification": label, "models": float(row["models"]), "A": row["A (per day)"],
            "days": row["doubling (days)"], "r2": row["R²"],
            "interval": f"{row['combined low']:.0f}–{row['combined high']:.0f}"}
           for label, row in ours.iterrows()]
    for version, label in PAPER_VERSIONS.items():
        days = value(version, "doubling_days")
        out.append({"specification": label, "models": value(version, "n_models"),
                    "A": value(version, "A"), "r2": value(version, "r2"), "interval": "",
                    "days": days if np.isfinite(days)
                    else value(version, "doubling_months") * DAYS_PER_MONTH})
    out = pd.DataFrame(out)

    def text(column: str, form: str) -> list[str]:
        return ["not found" if np.isnan(v) else form.format(v) for v in out[column]]

    return pd.DataFrame({"specification": out["specification"], "models": text("models", "{:.0f}"),
                         "A (per day)": text("A", "{:.4f}"),
                         "doubling (days)": text("days", "{:.0f}"), "R²": text("r2", "{:.3f}"),
                         "combined 95% interval (days)": out["interval"]})


def on_curve_by_D0(models: list[str], D0s: tuple[float, ...] = (1e12, 4e12, 1.5e13)
                   ) -> pd.DataFrame:
    """The density on the curve of each of ``models`` (the density it would have by scoring
    exactly what the headline's panel curve predicts for its N and D) read at each of ``D0s``.
    Index ``model``; columns ``training tokens`` (a count) and ``D0 = <x>T`` per D0."""
    from densing.data import load_models

    tokens = load_models().set_index("model").loc[models, "train_tokens_t"]
    out = pd.DataFrame({"training tokens": tokens.astype(float) * 1e12})
    for D0 in D0s:
        rows = analyse(_default.replace(D0=D0, n_boot=0)).densities.set_index("model")
        out[f"D0 = {D0 / 1e12:g}T"] = rows.loc[models, "rho_on_curve"].astype(float)
    return out.rename_axis("model")


def task_loss_reach(D0s: tuple[float, ...] = (3e11, 1e12, 4e12, 1e13, 1e14)) -> pd.DataFrame:
    """The panel-free task-loss reference (MMLU) at each of ``D0s``: the highest MMLU it can
    place, the models it places, those beyond its reach, those placed above the highest MMLU of
    its calibration data (the ladder and OLMo-2), the largest density and the doubling time."""
    from densing.analysis import SCORE

    task = _default.replace(reference="task_loss", benchmarks=("mmlu",), n_boot=0)
    calibrated = 100 * analyse(task).panel["accuracy"].max()
    rows = []
    for D0 in D0s:
        result = analyse(task.replace(D0=D0))
        placed = result.used
        rows.append({"D0 (tokens)": f"{D0 / 1e12:g}T",
                     "highest MMLU reachable": float(result.reference.score_range[1]),
                     "models placed": len(placed),
                     "beyond reach": int(result.densities["reason"].fillna("")
                                         .str.startswith("beyond").sum()),
                     "placed above the calibration data": int((placed[SCORE] > calibrated).sum()),
                     "largest density": float(placed["rho"].max()),
                     "doubling (days)": float(result.trend.doubling_days)})
    return pd.DataFrame(rows)


def leave_out_record_setters(analysis: Analysis) -> pd.DataFrame:
    """Each record-setter of ``analysis`` left out of the trend in turn, on every model and on
    the paper's models (where it is one of them): the doubling time and the record-setters
    left. Columns ``left out``, ``models``, ``doubling (days)``, ``record-setters``."""
    spec = analysis.spec.replace(n_boot=0)
    in_paper = analysis.used.set_index("model")["in_paper"].astype(bool)
    rows = []
    for model in analysis.envelope_models["model"]:
        for label, base in (("every model", spec.replace(models="all")),
                            ("the paper's models", spec.replace(models="paper"))):
            if label == "the paper's models" and not in_paper[model]:
                continue
            refit = analyse(base.replace(exclude=(*base.exclude, model)))
            rows.append({"left out": model, "models": label,
                         "doubling (days)": float(refit.trend.doubling_days),
                         "record-setters": len(refit.trend.envelope)})
    return pd.DataFrame(rows)
