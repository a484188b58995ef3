"""Uncertainty that includes the reference: refit it on resampled data, recompute the trend.

Three intervals for the growth rate A, each labelled for what it covers:
- **models**: the scatter of the models about the line, resampled, the reference held fixed
  (``TrendFit.A_ci``, a basic bootstrap on smoothed residuals);
- **reference**: the reference is refitted on resampled ladder runs (step 1) and resampled panel
  models (step 2), every model kept; a percentile interval of the refitted A;
- **combined**: both at once: each reference refit's line, with one residual resample about it.
  Every unit is drawn once per draw: ladder runs in step 1, panel models in step 2; the trend
  resamples residuals, not models, so no model is drawn twice.
Draws in which no line can be fitted are counted (``Uncertainty.failed``), never hidden.

All refits are solved together (``densing._batch``), warm-started from the full-data fit; step 1
also restarts from ``LossLaw.fit``'s grid, so a resample that prefers another optimum finds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from densing._batch import batched_least_squares, curve_residuals
from densing._checks import as_array, as_count
from densing.analysis import (ALL_FLOORS, LADDER_REFERENCES, SCORE, Analysis, Specification,
                              _c4_law, _ladder, _task_loss_reference, combine_densities)
from densing.ladder import ladder_runs
from densing.loss_law import refit
from densing.performance import NEAR_FLOOR, PerformanceCurve
from densing.reference import near_top_line
from densing.trend import fit_lines, resampled_lines


@dataclass(frozen=True)
class ReferenceDraws:
    """Refitted references: eq. 2 constants ``(a, α, b, β, E)`` and eq. 3 constants
    ``(c, γ, l, d)`` of the aggregate curve, one row per draw. A ``one_step`` reference's law
    predicts ``-ln Q'`` and its "curve" is the fixed map ``S = d + c·exp(-y)`` (γ and l unused)."""

    law: np.ndarray  # (draws, 5)
    curve: np.ndarray  # (draws, 4)
    benchmark_curves: dict[str, np.ndarray] = field(default_factory=dict)  # each (draws, 4)
    one_step: bool = False

    def _score_at(self, loss: np.ndarray, curve: np.ndarray) -> np.ndarray:
        """Each draw's score at ``loss`` (eq. 3, or the one-step map)."""
        c, gamma, mid, d = (curve[:, i:i + 1] for i in range(4))
        if self.one_step:
            return d + c * np.exp(-loss)
        return c * np.exp(-np.logaddexp(0.0, -gamma * (loss - mid))) + d

    def densities(self, score: np.ndarray, n_params: np.ndarray, D0: float,
                  curve: np.ndarray | None = None) -> np.ndarray:
        """Eq. 4 and ``ρ = N̂/N`` for every draw (rows) and model (columns); NaN where a draw's
        reference cannot place the score (near its floor, near the top of its reach at ``D0``
        or beyond it).
        ``curve`` (default: the aggregate's) gives the eq. 3 constants of each draw."""
        curve = self.curve if curve is None else curve
        a, alpha, b, beta, e = (self.law[:, i:i + 1] for i in range(5))
        c, gamma, mid, d = (curve[:, i:i + 1] for i in range(4))
        floor_loss = b * D0 ** -beta + e
        top = self._score_at(floor_loss, curve)
        s = np.asarray(score, float)[None, :]
        ok = (s >= d + NEAR_FLOOR * c) & (s <= near_top_line(top, d)) & (s < top)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # ρ = ((L̂(s) - L_floor)/a)^(-1/α) / N, in place in one array, with L̂(s) =
            # mid - ln(c/(s-d) - 1)/γ (eq. 3 inverted) or -ln((s-d)/c) (one-step)
            rho = s - d
            np.divide(c, rho, out=rho)
            if self.one_step:
                np.log(rho, out=rho)
            else:
                rho -= 1.0
                np.log(rho, out=rho)
                rho /= gamma
                np.subtract(mid, rho, out=rho)
            rho -= floor_loss
            rho /= a
            np.power(rho, -1.0 / alpha, out=rho)
            rho /= np.asarray(n_params, float)[None, :]
        ok &= np.isfinite(rho) & (rho > 0)
        rho[~ok] = np.nan
        return rho

    def model_densities(self, rows: pd.DataFrame, spec: Specification) -> np.ndarray:
        """Every draw's density of every row of ``rows`` (columns ``n_b``, ``score`` and the
        benchmarks), aggregated as ``spec.aggregate`` says."""
        n_params = rows["n_b"].to_numpy(float) * 1e9
        if spec.aggregate == "mean_score":
            return self.densities(rows[SCORE].to_numpy(float), n_params, spec.D0)
        rho = np.stack([self.densities(rows[b].to_numpy(float), n_params, spec.D0,
                                       self.benchmark_curves[b]) for b in spec.benchmarks], -1)
        return combine_densities(rho, spec)

    def reach(self, D0: float) -> np.ndarray:
        """Highest score each draw's reference can reach at ``D0`` tokens (the top of its
        ``score_range``)."""
        b, beta, e = (self.law[:, i:i + 1] for i in (2, 3, 4))
        return self._score_at(b * D0 ** -beta + e, self.curve)[:, 0]

    def near_top(self, D0: float) -> np.ndarray:
        """Each draw's line above which a score is near the top of its reach at ``D0``."""
        return near_top_line(self.reach(D0), self.curve[:, 3])


@dataclass(frozen=True)
class Uncertainty:
    """Draws of the growth rate A under each source of uncertainty, and the refitted references."""

    A_models: np.ndarray
    A_reference: np.ndarray
    A_combined: np.ndarray
    draws: ReferenceDraws
    B_models: np.ndarray  # the intercept of each line, matching A_models (t in days since the
    B_reference: np.ndarray  # trend's origin)
    B_combined: np.ndarray
    level: float = 0.95

    COVERS = {"models": "scatter of the models about the line, reference fixed",
              "reference": "reference refitted on resampled ladder runs and panel, models fixed",
              "combined": "both together"}

    def failed(self, source: str) -> int:
        """Draws under ``source`` in which no line could be fitted."""
        return int(np.isnan(getattr(self, f"A_{source}")).sum())

    def interval(self, source: str) -> tuple[float, float]:
        """Percentile interval of the doubling time (days) under ``source``; NaN without draws."""
        values = {"models": self.A_models, "reference": self.A_reference,
                  "combined": self.A_combined}[source]
        if not np.isfinite(values).any():
            return float("nan"), float("nan")
        tail = (1 - self.level) / 2 * 100
        lo, hi = np.nanpercentile(values, [tail, 100 - tail])
        return float(np.log(2) / hi), float(np.log(2) / lo) if lo > 0 else float("inf")

    def table(self) -> pd.DataFrame:
        """One row per source: what it covers, the interval of the doubling time, failed draws."""
        rows = []
        for source, covers in self.COVERS.items():
            values = getattr(self, f"A_{source}")
            lo, hi = self.interval(source)
            rows.append({"interval": source, "covers": covers,
                         f"doubling, {self.level:.0%} interval (days)":
                             "none (no draws)" if np.isnan(lo) else f"{lo:.0f} to {hi:.0f}",
                         "draws": values.size,
                         "draws without a trend": self.failed(source)})
        return pd.DataFrame(rows)


def draw_references(analysis: Analysis, n_draws: int, seed: int = 0) -> ReferenceDraws:
    """Refit ``analysis``'s aggregate reference ``n_draws`` times on resampled data."""
    n_draws, seed = as_count("n_draws", n_draws), as_count("seed", seed)
    spec = analysis.spec
    one_step = spec.reference == "one_step"
    if n_draws == 0:  # no refits: intervals from them are NaN
        return ReferenceDraws(law=np.empty((0, 5)), curve=np.empty((0, 4)),
                              benchmark_curves={b: np.empty((0, 4)) for b in spec.benchmarks},
                              one_step=one_step)
    if one_step:  # its law refitted on resampled ladder runs; its map to a score has no constants
        fitted, mapping = analysis.reference.law, analysis.reference.curve
        n, d, y = fitted._data
        weights = np.random.default_rng(seed).multinomial(len(y), np.full(len(y), 1 / len(y)),
                                                          n_draws)
        curve = np.tile([mapping.ceiling - mapping.floor, np.nan, np.nan, mapping.floor],
                        (n_draws, 1))
        return ReferenceDraws(law=refit(n, d, y, fitted, weights), curve=curve,
                              benchmark_curves={"mmlu": curve}, one_step=True)
    run_weights, law = _law_draws(spec.reference, spec.irreducible, n_draws, seed)
    rng = np.random.default_rng([seed, 1])  # the step-2 resamples, independent of step 1's
    if spec.reference == "task_loss":  # a ladder run drawn in step 1 brings its checkpoints
        final = _final_runs()
        points = analysis.panel
        is_target = (points["role"] == "target").to_numpy()
        run_index = pd.Series(range(len(final)), index=final["run"])
        weights = np.empty((n_draws, len(points)))
        weights[:, ~is_target] = run_weights[:, run_index[points.loc[~is_target, "run"]].to_numpy()]
        weights[:, is_target] = rng.multinomial(is_target.sum(), np.full(is_target.sum(),
                                                1 / is_target.sum()), n_draws)
        x = np.broadcast_to(points["loss_bpb"].to_numpy(float), weights.shape)
        curve = _draw_curve(x, 100 * points["accuracy"].to_numpy(float), weights,
                            analysis.reference.curve, floor=np.full((n_draws, 1), 25.0))
        return ReferenceDraws(law=law, curve=curve, benchmark_curves={"mmlu": curve})
    panel = analysis.panel
    panel_weights = rng.multinomial(len(panel), np.full(len(panel), 1 / len(panel)), n_draws)
    return _panel_references(analysis, law, panel_weights)


def _panel_references(analysis: Analysis, law: np.ndarray, panel_weights: np.ndarray
                      ) -> ReferenceDraws:
    """Step 2 refitted for every row of ``law`` (eq. 2 constants) with the panel weighted by the
    same row of ``panel_weights``: the curves of every benchmark and of the aggregate."""
    spec, panel, n_draws = analysis.spec, analysis.panel, law.shape[0]
    a, alpha, b, beta, e = (law[:, i:i + 1] for i in range(5))
    x_all = (a * (panel["n_b"].to_numpy() * 1e9) ** -alpha
             + b * (panel["train_tokens_t"].to_numpy() * 1e12) ** -beta + e)
    curves, floors = {}, []
    keys = list(spec.benchmarks) + ([SCORE] if len(spec.benchmarks) > 1 else [])
    for key in keys:
        ok = panel[key].notna().to_numpy()
        fitted = analysis.references[key].curve
        floor = (np.mean(floors, axis=0) if key == SCORE else None if ALL_FLOORS[key] is None
                 else np.full((n_draws, 1), fitted.floor))
        curves[key] = _draw_curve(x_all[:, ok], panel.loc[ok, key].to_numpy(float),
                                  panel_weights[:, ok], fitted, floor)
        floors.append(curves[key][:, 3:4])
    return ReferenceDraws(law=law, curve=curves[keys[-1]],
                          benchmark_curves={b: curves[b] for b in spec.benchmarks})


def alpha_profile(analysis: Analysis, alphas: np.ndarray) -> pd.DataFrame:
    """How the headline hangs on α: eq. 2 refitted with α held at each of ``alphas``
    (``LossLaw.profile``), step 2 refitted on it, and the trend refitted. Columns ``alpha``,
    ``rss`` (eq. 2's least-squares error on ln L), ``doubling_days``, ``reach`` (the highest
    aggregate score the reference places at D0) and ``olmo2_error`` (the
    mean relative error of the predicted C4 loss of OLMo-2 7B and 13B, held out of the fit)."""
    if analysis.spec.reference != "c4_panel":
        raise ValueError("alpha_profile needs reference = 'c4_panel' (a C4 loss law and a panel)")
    profile = analysis.reference.law.profile(alphas)
    law = profile[["a", "alpha", "b", "beta", "E"]].to_numpy(float)
    draws = _panel_references(analysis, law, np.ones((len(law), len(analysis.panel))))
    rows = analysis.densities[analysis.densities["candidate"]]
    days = ((rows["release_date"] - analysis.trend.origin) / pd.Timedelta(days=1)).to_numpy(float)
    with np.errstate(divide="ignore"):
        log_rho = np.log(draws.model_densities(rows, analysis.spec))
    A, _ = fit_lines(np.broadcast_to(days, log_rho.shape), log_rho, analysis.spec.estimator)
    held = _ladder().query("role == 'target' and task == 'mmlu' and is_final")
    a, alpha, b, beta, e = (law[:, i:i + 1] for i in range(5))
    predicted = a * held["n_params"].to_numpy(float) ** -alpha + b * held["tokens"].to_numpy(
        float) ** -beta + e
    error = (predicted / held["c4_loss"].to_numpy(float) - 1).mean(axis=1)
    return profile[["alpha", "rss"]].assign(doubling_days=np.log(2) / A,
                                            reach=draws.reach(analysis.spec.D0), olmo2_error=error)


def reference_modes(uncertainty: Uncertainty, split_alpha: float = 0.1) -> pd.DataFrame:
    """The reference refits on either side of ``split_alpha``: eq. 2 on the ladder has two optima
    (α ≈ 0.07 and α ≈ 0.3, ``LossLaw.profile``) and a resample lands near one or the other.
    One row per side: share of the draws, median doubling time and its 95% range (days)."""
    alpha = uncertainty.draws.law[:, 1]
    days = np.log(2) / uncertainty.A_reference
    rows = []
    for label, side in ((f"α below {split_alpha:g}", alpha < split_alpha),
                        (f"α of {split_alpha:g} or more", alpha >= split_alpha)):
        ok = side & np.isfinite(days) & (days > 0)
        low, mid, high = np.percentile(days[ok], [2.5, 50, 97.5]) if ok.any() else [np.nan] * 3
        rows.append({"refits": label, "share": side.mean(), "median doubling (days)": mid,
                     "95% range (days)": (low, high)})
    return pd.DataFrame(rows)


@lru_cache(maxsize=None)
def _final_runs() -> pd.DataFrame:
    return ladder_runs(_ladder(), "mmlu").query("is_final")


@lru_cache(maxsize=None)
def _law_draws(reference: str, irreducible: bool, n_draws: int, seed: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Step 1 refitted on ``n_draws`` resamples of the ladder's final runs: the run weights and
    the constants. Shared by every specification with the same loss and form of eq. 2."""
    final = _final_runs()
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(final), np.full(len(final), 1 / len(final)), n_draws)
    loss, fitted = (("loss_bpb", _task_loss_reference(irreducible)[0]) if reference == "task_loss"
                    else ("c4_loss", _c4_law(irreducible)))
    law = refit(final["n_params"], final["tokens"], final[loss], fitted, weights)
    weights.flags.writeable = law.flags.writeable = False  # cached: shared, so read-only
    return weights, law


def uncertainty(analysis: Analysis, n_draws: int = 500, seed: int = 0, level: float = 0.95,
                draws: ReferenceDraws | None = None) -> Uncertainty:
    """The three intervals of the module docstring for ``analysis``'s trend; ``draws`` reuses
    references already refitted for a specification with the same references."""
    n_draws, seed = as_count("n_draws", n_draws), as_count("seed", seed)
    as_array("level", level, low=0, high=1, low_open=True, high_open=True)
    draws = draw_references(analysis, n_draws, seed) if draws is None else draws
    rows = analysis.densities[analysis.densities["candidate"]]
    days = ((rows["release_date"] - analysis.trend.origin) / pd.Timedelta(days=1)).to_numpy(float)
    rho = draws.model_densities(rows, analysis.spec)
    with np.errstate(divide="ignore"):
        log_rho = np.log(rho)
    A_ref, B_ref = fit_lines(np.broadcast_to(days, rho.shape), log_rho, analysis.spec.estimator)
    A_star, B_star = resampled_lines(days, log_rho, A_ref, B_ref, np.random.default_rng(seed + 1),
                                     analysis.spec.estimator)
    A_comb, B_comb = 2 * A_ref - A_star, 2 * B_ref - B_star  # as TrendFit.bootstrap_A, per draw
    return Uncertainty(A_models=analysis.trend.bootstrap_A, A_reference=A_ref, A_combined=A_comb,
                       draws=draws, B_models=analysis.trend.bootstrap_B, B_reference=B_ref,
                       B_combined=B_comb, level=level)


def _draw_curve(x: np.ndarray, y: np.ndarray, weights: np.ndarray, fitted: PerformanceCurve,
                floor: np.ndarray | None) -> np.ndarray:
    """Eq. 3 (ceiling 100) refitted for every row of ``weights``, warm-started from ``fitted``;
    ``floor`` None fits ``d``. Returns ``(c, γ, l, d)`` per row."""
    ceiling = fitted.ceiling
    span = float(np.ptp(x)) or 1.0
    lower = [-1e4 / span, float(x.min()) - 20 * span] + ([0.0] if floor is None else [])
    upper = [-1e-6, float(x.max()) + 20 * span] + ([float(y.min())] if floor is None else [])
    p0 = [fitted.gamma, fitted.l] + ([fitted.d] if floor is None else [])
    p, _ = batched_least_squares(curve_residuals(x, y, ceiling, floor),
                                 np.tile(p0, (weights.shape[0], 1)), weights,
                                 np.array(lower), np.array(upper))
    d = p[:, 2] if floor is None else floor[:, 0]
    return np.column_stack([ceiling - d, p[:, 0], p[:, 1], d])


def leave_one_out(analysis: Analysis) -> pd.DataFrame:
    """The density of every panel model in the trend when the step-2 curve of the aggregate is
    refitted without it (step 1, and the floor, held): how much a model's density owes to its own
    place in the panel. Columns ``model``, ``rho`` and ``rho_left_out``."""
    if analysis.spec.reference in LADDER_REFERENCES:
        raise ValueError(f"reference = {analysis.spec.reference!r} has no panel of models to "
                         "leave one out of")
    panel, fitted = analysis.panel, analysis.reference.curve
    trend = analysis.used.set_index("model")
    rows = panel[panel[SCORE].notna()].reset_index(drop=True)
    held = np.flatnonzero(rows["model"].isin(trend.index).to_numpy())
    weights = np.ones((held.size, len(rows)))
    weights[np.arange(held.size), held] = 0.0
    x = np.broadcast_to(rows["reference_loss"].to_numpy(float), weights.shape)
    curve = _draw_curve(x, rows[SCORE].to_numpy(float), weights, fitted,
                        floor=np.full((held.size, 1), fitted.floor))
    law = analysis.reference.law
    draws = ReferenceDraws(law=np.tile([law.a, law.alpha, law.b, law.beta, law.E], (held.size, 1)),
                           curve=curve)
    names = rows.loc[held, "model"]
    rho = draws.densities(trend.loc[names, SCORE].to_numpy(float),
                          trend.loc[names, "n_b"].to_numpy(float) * 1e9, analysis.spec.D0)
    return pd.DataFrame({"model": names.to_numpy(), "rho": trend.loc[names, "rho"].to_numpy(),
                         "rho_left_out": np.diag(rho)})
