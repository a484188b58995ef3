"""The density of your model: the book's analysis applied to sizes and scores you give.

``density_of`` takes one model, ``densities_of`` a table; both read densities off the references
of a ``Specification`` (default: the book's headline) and give an interval from refitting that
reference on resampled data (``densing.resample``). Scores are percentages (0-100), sizes raw
parameter counts (7.6e9, not 7.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from densing._checks import PARAMS_RANGE, as_count, params_out_of_range
from densing.analysis import ALL_FLOORS, SCORE, Analysis, Specification, analyse, combine_densities
from densing.data import BENCHMARKS
from densing.resample import ReferenceDraws, draw_references

SCORE_RANGE = (0.0, 100.0)
N_DRAWS = 500  # reference refits behind the interval
LEVEL = 0.95


@dataclass(frozen=True)
class ModelDensity:
    """One model's density, its interval, and what it was read against."""

    n_params: float
    scores: dict[str, float]
    effective_params: float  # N̂ (eq. 4), parameters
    density: float  # ρ = N̂ / N
    interval: tuple[float, float]  # of ρ, from refitting the reference (LEVEL)
    placed_share: float  # share of the refitted references that can place the scores
    reference: str
    D0: float
    spec: Specification

    def summary(self) -> dict[str, Any]:
        """The numbers as one flat record (for tables, CSV and JSON)."""
        return {"n_params": self.n_params, **self.scores,
                "effective_params": self.effective_params, "density": self.density,
                "density_low": self.interval[0], "density_high": self.interval[1],
                "placed_share": self.placed_share,
                "D0": self.D0, "reference": self.reference}


def density_of(n_params: Any = None, *, mmlu: Any = None, bbh: Any = None, math: Any = None,
               humaneval: Any = None, mbpp: Any = None, spec: Specification | None = None,
               n_draws: int = N_DRAWS) -> ModelDensity:
    """The density of one model of ``n_params`` parameters (a raw count) from its scores in
    percent. A score that a reference cannot place (near the floor, beyond reach) is refused."""
    spec = _spec(spec)
    given = {"mmlu": mmlu, "bbh": bbh, "math": math, "humaneval": humaneval, "mbpp": mbpp}
    scores = {b: v for b, v in given.items() if v is not None}
    missing = [b for b in spec.benchmarks if b not in scores]
    if spec.aggregate == "mean_score" and missing and scores:
        raise ValueError(f"the mean score needs all of {', '.join(spec.benchmarks)}; missing "
                         f"{', '.join(missing)}: pass them, or aggregate='median' to use the "
                         "benchmarks given")
    row = densities_of(pd.DataFrame([{"n_params": n_params, **scores}]), spec, n_draws).iloc[0]
    if row["reason"]:
        raise ValueError(row["reason"])
    return ModelDensity(n_params=float(row["n_params"]),
                        scores={b: float(v) for b, v in scores.items()},
                        effective_params=float(row["effective_params"]),
                        density=float(row["density"]),
                        interval=(float(row["density_low"]), float(row["density_high"])),
                        placed_share=float(row["placed_share"]),
                        reference=describe_reference(spec), D0=spec.D0, spec=spec)


def densities_of(table: pd.DataFrame, spec: Specification | None = None,
                 n_draws: int = N_DRAWS) -> pd.DataFrame:
    """Densities of every row of ``table``: a column ``n_params`` (raw counts) and the benchmark
    columns the specification uses (percent; others are ignored and kept). Adds
    ``effective_params``, ``density``, ``density_low``/``density_high`` (the interval from
    refitting the reference, over the refits that can place the scores), ``placed_share`` (the
    share of refits that can) and ``reason`` (why a row has no density; empty otherwise)."""
    spec, n_draws = _spec(spec), as_count("n_draws", n_draws)
    rows = _validated(table, spec)
    analysis = _analysis(spec)
    n = rows["n_params"].to_numpy(float)
    rows[SCORE] = rows[list(spec.benchmarks)].mean(axis=1, skipna=False)
    rho, reason = _point_densities(rows, analysis)
    share = low = high = np.full(len(rows), np.nan)  # n_draws = 0: no refits, no interval
    if n_draws:
        draws = _draws(spec, n_draws).model_densities(rows.assign(n_b=n / 1e9), spec)
        tail = (1 - LEVEL) / 2 * 100
        share = np.isfinite(draws).mean(axis=0)
        finite = np.where(np.isfinite(draws), draws, np.nan)
        low, high = (np.array([np.nanpercentile(c, q) if np.isfinite(c).any() else np.nan
                               for c in finite.T]) for q in (tail, 100 - tail))
    placed = reason == ""
    out = table.copy()
    out["n_params"] = n
    out["effective_params"] = np.where(placed, rho * n, np.nan)
    out["density"] = np.where(placed, rho, np.nan)
    out["density_low"] = np.where(placed, low, np.nan)
    out["density_high"] = np.where(placed, high, np.nan)
    out["placed_share"] = np.where(placed, share, np.nan)
    out["reason"] = reason
    return out


def describe_reference(spec: Specification) -> str:
    """The reference of ``spec`` in words, for output beside a density."""
    step1 = "eq. 2 + E" if spec.irreducible else "eq. 2"
    if spec.reference == "task_loss":
        what = f"task-loss reference ({step1} on the OLMo ladder's MMLU loss)"
    else:
        what = (f"C4-loss reference ({step1} on the OLMo ladder) with a '{spec.panel}' panel "
                f"curve")
    combine = {"mean_score": "mean score", "geometric": "geometric mean of densities",
               "median": "median of densities"}[spec.aggregate]
    return (f"{what}; {', '.join(spec.benchmarks)} ({combine}); D0 = {spec.D0 / 1e12:g}T tokens; "
            f"{spec.params} parameters")


def _spec(spec: Specification | None) -> Specification:
    return Specification(n_boot=0) if spec is None else spec.replace(n_boot=0)


@lru_cache(maxsize=None)
def _analysis(spec: Specification) -> Analysis:
    return analyse(spec)


@lru_cache(maxsize=None)
def _draws(spec: Specification, n_draws: int) -> ReferenceDraws:
    return draw_references(_analysis(spec), n_draws, spec.seed)


def _point_densities(rows: pd.DataFrame, analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """Densities from the fitted references, and the reason a row has none."""
    spec, n = analysis.spec, rows["n_params"].to_numpy(float)
    keys = [SCORE] if spec.aggregate == "mean_score" else list(spec.benchmarks)
    per_key, reasons = {}, {}
    for key in keys:
        ref, values = analysis.references[key], rows[key].to_numpy(float)
        low, high = ref.score_range
        label = "the mean score" if key == SCORE else key
        per_key[key] = ref.density(np.where(np.isnan(values), -1.0, values), n, errors="coerce")
        missing = rows[list(spec.benchmarks)].isna()
        reasons[key] = np.select(
            [np.isnan(values) & (key == SCORE), np.isnan(values), values < ref.near_floor,
             values >= high],
            [[f"the mean score needs all of {', '.join(spec.benchmarks)}; missing "
              f"{', '.join(missing.columns[m])}" for m in missing.to_numpy()],
             "", f"{label} is near the floor (below {ref.near_floor:.1f}): its density would say "
                 "more about the fitted floor than about the model",
             f"{label} is beyond what a reference trained on D0 = {spec.D0:.3g} tokens can reach "
             f"(>= {high:.1f})"], default="")
    if spec.aggregate == "mean_score":
        return per_key[SCORE], reasons[SCORE]
    rho = combine_densities(np.column_stack([per_key[b] for b in keys]), spec)
    why = np.array(["; ".join(r[i] for r in reasons.values() if r[i]) for i in range(len(rows))])
    reason = np.where(np.isnan(rho), np.where(
        why != "", why, f"fewer than {spec.min_benchmarks} placeable scores"), "")
    return rho, reason


def _validated(table: pd.DataFrame, spec: Specification) -> pd.DataFrame:
    """The sizes and the specification's scores as floats, or a ValueError naming the field, the
    value and the valid range."""
    if "n_params" not in table.columns:
        raise ValueError("n_params is missing: give each model's raw parameter count "
                         "(e.g. 7.6e9 for 7.6B)")
    unknown = [b for b in spec.benchmarks if b not in BENCHMARKS]
    if unknown:
        raise ValueError(f"benchmarks = {unknown[0]!r}: only {BENCHMARKS} can be given for a model")
    rows = pd.DataFrame({"n_params": _numbers(table["n_params"], "n_params")})
    for b in spec.benchmarks:
        rows[b] = _numbers(table[b], b) if b in table.columns else np.nan
    for i, value in enumerate(rows["n_params"]):
        where = f" (row {i + 1})" if len(rows) > 1 else ""
        if np.isnan(value):
            raise ValueError(f"n_params is missing{where}: give the raw parameter count")
        if not PARAMS_RANGE[0] <= value <= PARAMS_RANGE[1]:
            raise ValueError(params_out_of_range("n_params", value, where))
    scores = rows[list(spec.benchmarks)]
    for b in spec.benchmarks:
        for i, value in enumerate(scores[b]):
            where = f" (row {i + 1})" if len(rows) > 1 else ""
            if not np.isnan(value) and not SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:
                raise ValueError(f"{b} = {value!r}{where} is not a percentage: the valid range is "
                                 f"[{SCORE_RANGE[0]:g}, {SCORE_RANGE[1]:g}]")
    given = scores.notna()
    if not given.any(axis=None):
        raise ValueError(f"no scores given: pass at least one of {', '.join(spec.benchmarks)} "
                         "(percent)")
    fractions = (scores.where(given) <= 1).sum(axis=1) == given.sum(axis=1)
    if (fractions & (given.sum(axis=1) >= 2)).any():
        row = int(np.flatnonzero(fractions & (given.sum(axis=1) >= 2))[0])
        raise ValueError(("the scores" if len(rows) == 1 else f"the scores of row {row + 1}")
                         + " are all at most 1 "
                         f"({', '.join(f'{b} = {v:g}' for b, v in scores.iloc[row].dropna().items())}"
                         "): they look like fractions; pass percentages (0.742 -> 74.2)")
    for b in spec.benchmarks:  # a benchmark whose random guessing scores well above 1%
        floor = ALL_FLOORS.get(b) or 0.0
        fraction = (scores[b] <= 1).to_numpy() if floor > 1 else np.zeros(len(rows), bool)
        if fraction.any():
            i = int(np.flatnonzero(fraction)[0])
            value, where = scores[b].iloc[i], f" (row {i + 1})" if len(rows) > 1 else ""
            raise ValueError(f"{b} = {value:g}{where} is far below random guessing "
                             f"({floor:g}%): it looks like a fraction; pass percentages "
                             f"({value:g} -> {value * 100:g})")
    return rows


def _numbers(column: pd.Series, name: str) -> np.ndarray:
    """A column as floats; None and empty cells become NaN (missing), text is refused."""
    values = column.replace({"": np.nan}).astype(object).where(column.notna(), np.nan)
    out = np.empty(len(values))
    for i, value in enumerate(values):
        if isinstance(value, bool):
            raise ValueError(f"{name} = {value!r} must be a number")
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} = {value!r} must be a number") from None
        if np.isinf(out[i]):
            raise ValueError(f"{name} = {value!r} is not finite: the valid range is "
                             + (f"[{PARAMS_RANGE[0]:g}, {PARAMS_RANGE[1]:g}]" if name == "n_params"
                                else f"[{SCORE_RANGE[0]:g}, {SCORE_RANGE[1]:g}]"))
    return out
