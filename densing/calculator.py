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

from densing._checks import PARAMS_RANGE, as_count, check_columns, params_out_of_range
from densing.analysis import ALL_FLOORS, SCORE, Analysis, Specification, analyse, combine_densities
from densing.data import BENCHMARKS
from densing.resample import ReferenceDraws, draw_references
from densing.trend import row_percentiles

SCORE_RANGE = (0.0, 100.0)
COLUMNS = ("model", "release_date", "n_params", *BENCHMARKS)  # the columns densing reads
N_DRAWS = 500  # reference refits behind the interval
LEVEL = 0.95
BLOCK_CELLS = 2**20  # densities (draws x rows) computed at once: 8 MB, stays in cache


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
        share, low, high = _intervals(_draws(spec, n_draws), rows.assign(n_b=n / 1e9), spec)
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


def _intervals(draws: ReferenceDraws, rows: pd.DataFrame, spec: Specification
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the share of refitted references that place it and the LEVEL percentile interval
    of their densities, in blocks of rows so that memory stays bounded for any table."""
    tail = (1 - LEVEL) / 2 * 100
    out = np.full((len(rows), 3), np.nan)
    block = max(1, BLOCK_CELLS // len(draws.law))
    for start in range(0, len(rows), block):
        rho = draws.model_densities(rows.iloc[start:start + block], spec).T  # (rows, draws)
        out[start:start + block, 0] = np.isfinite(rho).mean(axis=1)
        out[start:start + block, 1:] = row_percentiles(np.where(np.isfinite(rho), rho, np.nan),
                                                       [tail, 100 - tail])
    return out[:, 0], out[:, 1], out[:, 2]


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
    if spec is not None and not isinstance(spec, Specification):
        raise ValueError(f"spec = {spec!r} must be a Specification (or None for the book's)")
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
        reach = f"what a reference trained on D0 = {spec.D0:.3g} tokens can reach"
        reasons[key] = np.select(
            [np.isnan(values) & (key == SCORE), np.isnan(values), values < ref.near_floor,
             values >= high, values > ref.near_top],
            [f"the mean score needs all of {', '.join(spec.benchmarks)}; missing "
             + _joined([np.where(rows[b].isna(), b, "") for b in spec.benchmarks], ", "),
             "", f"{label} is near the floor (below {ref.near_floor:.1f}): its density would say "
                 "more about the fitted floor than about the model",
             f"{label} is beyond {reach} (>= {high:.1f})",
             f"{label} is near the top of {reach} (above {ref.near_top:.1f}): its density would "
             "say more about the fitted top than about the model"], default="")
    if spec.aggregate == "mean_score":
        return per_key[SCORE], reasons[SCORE]
    rho = combine_densities(np.column_stack([per_key[b] for b in keys]), spec)
    why = _joined(list(reasons.values()), "; ")
    reason = np.where(np.isnan(rho), np.where(
        why != "", why, f"fewer than {spec.min_benchmarks} placeable scores"), "")
    return rho, reason


def _joined(parts: list[np.ndarray], sep: str) -> np.ndarray:
    """Row by row, the non-empty strings of ``parts`` joined by ``sep`` (vectorised)."""
    out = np.full(len(parts[0]), "", dtype=object)
    for part in parts:
        part = np.asarray(part, dtype=object)
        out = np.where(part == "", out, np.where(out == "", part, out + sep + part))
    return out.astype(str)


def _validated(table: pd.DataFrame, spec: Specification) -> pd.DataFrame:
    """The sizes and the specification's scores as floats, or a ValueError naming the field, the
    value, the row and the valid range. Vectorised: a table of 10^5 rows is checked at once."""
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    check_columns(table.columns, COLUMNS)
    if "n_params" not in table.columns:
        raise ValueError("n_params is missing: give each model's raw parameter count "
                         "(e.g. 7.6e9 for 7.6B)")
    if table.empty:
        raise ValueError("the table has no rows")
    unknown = [b for b in spec.benchmarks if b not in BENCHMARKS]
    if unknown:
        raise ValueError(f"benchmarks = {unknown[0]!r}: only {BENCHMARKS} can be given for a model")
    rows = pd.DataFrame({"n_params": _numbers(table["n_params"], "n_params")})
    for b in spec.benchmarks:
        rows[b] = _numbers(table[b], b) if b in table.columns else np.nan
    n = rows["n_params"].to_numpy()
    if np.isnan(n).any():
        raise ValueError(f"n_params is missing{_row(np.isnan(n), len(n))}: give the raw "
                         "parameter count")
    outside = (n < PARAMS_RANGE[0]) | (n > PARAMS_RANGE[1])
    if outside.any():
        raise ValueError(params_out_of_range("n_params", float(n[outside][0]),
                                             _row(outside, len(n))))
    scores = rows[list(spec.benchmarks)]
    for b in spec.benchmarks:
        values = scores[b].to_numpy()
        bad = (values < SCORE_RANGE[0]) | (values > SCORE_RANGE[1])
        if bad.any():
            raise ValueError(f"{b} = {float(values[bad][0])!r}{_row(bad, len(n))} is not a "
                             f"percentage: the valid range is [{SCORE_RANGE[0]:g}, "
                             f"{SCORE_RANGE[1]:g}]")
    given = scores.notna()
    if not given.any(axis=None):
        raise ValueError(f"no scores given: pass at least one of {', '.join(spec.benchmarks)} "
                         "(percent)")
    fractions = ((scores.where(given) <= 1).sum(axis=1) == given.sum(axis=1)) & (
        given.sum(axis=1) >= 2)
    if fractions.any():
        row = int(np.flatnonzero(fractions)[0])
        raise ValueError(("the scores" if len(rows) == 1 else f"the scores of row {row + 1}")
                         + " are all at most 1 "
                         f"({', '.join(f'{b} = {v:g}' for b, v in scores.iloc[row].dropna().items())}"
                         "): they look like fractions; pass percentages (0.742 -> 74.2)")
    for b in spec.benchmarks:  # a benchmark whose random guessing scores well above 1%
        floor = ALL_FLOORS.get(b) or 0.0
        fraction = (scores[b] <= 1).to_numpy() if floor > 1 else np.zeros(len(rows), bool)
        if fraction.any():
            value = scores[b].to_numpy()[fraction][0]
            raise ValueError(f"{b} = {value:g}{_row(fraction, len(n))} is far below random "
                             f"guessing ({floor:g}%): it looks like a fraction; pass percentages "
                             f"({value:g} -> {value * 100:g})")
    return rows


def _row(bad: np.ndarray, rows: int) -> str:
    """`` (row i)``, the first row flagged in ``bad`` counted from 1, in a table of several."""
    return f" (row {int(np.flatnonzero(bad)[0]) + 1})" if rows > 1 else ""


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, so that messages show ``inf``, not
    ``np.float64(inf)``."""
    return value.item() if isinstance(value, np.generic) else value


def _numbers(column: pd.Series, name: str) -> np.ndarray:
    """A column as floats; None, NaN and empty cells are missing (NaN); text, booleans, complex
    numbers and infinities are refused, naming the value and the row."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_complex_dtype(column):
        raise ValueError(f"{name} = {column.iloc[0]!r}{_row(np.ones(1, bool), len(column))} "
                         "must be a number")
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float)
    else:
        cells = column.astype(object)
        flag = cells.map(lambda v: isinstance(v, (bool, np.bool_, complex, np.complexfloating))
                         ).to_numpy(bool)
        blank = cells.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(bool)
        try:
            values = pd.to_numeric(cells.where(~(flag | blank), "x"),
                                   errors="coerce").to_numpy(float)
        except OverflowError:  # an integer beyond any float (10**400)
            big = cells.map(lambda v: isinstance(v, int) and abs(v) > 1e308).to_numpy(bool)
            raise ValueError(f"{name}{_row(big, len(column))} is an integer beyond any float "
                             "(over 1e308)") from None
        refused = flag | (np.isnan(values) & column.notna().to_numpy() & ~blank)
        if refused.any():
            first = _plain(cells.to_numpy()[refused][0])
            raise ValueError(f"{name} = {first!r}{_row(refused, len(column))} must be a number")
        values = np.where(blank, np.nan, values)
    infinite = np.isinf(values)
    if infinite.any():
        valid = PARAMS_RANGE if name == "n_params" else SCORE_RANGE
        first = _plain(column.to_numpy()[infinite][0])
        raise ValueError(f"{name} = {first!r}{_row(infinite, len(column))} is not finite: the "
                         f"valid range is [{valid[0]:g}, {valid[1]:g}]")
    return values
