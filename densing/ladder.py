"""The two-step method on the OLMo ladder: fit on small runs, predict the large targets."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from densing._fit import FitWarning
from densing.data import RANDOM_GUESS
from densing.loss_law import LossLaw
from densing.performance import NEAR_FLOOR, LogAccuracy, PerformanceCurve
from densing.reference import Reference

FIT_SIZES = ("190M", "370M", "760M", "1B")
FIT_MULTIPLIERS = ("1", "2", "5", "10")


def ladder_runs(ladder: pd.DataFrame, task: str, sizes: Sequence[str] = FIT_SIZES,
                multipliers: Sequence[str] = FIT_MULTIPLIERS) -> pd.DataFrame:
    """Every checkpoint of the ladder runs used for fitting, for one task."""
    if task not in RANDOM_GUESS:
        raise ValueError(f"task = {task!r} is not one of {sorted(RANDOM_GUESS)}")
    keep = ((ladder["role"] == "ladder") & (ladder["task"] == task)
            & ladder["size"].isin(sizes) & ladder["multiplier"].isin(multipliers))
    return ladder[keep]


def fit_task_reference(ladder: pd.DataFrame, task: str, *, loss: str = "loss_bpb",
                       irreducible: bool = True, sizes: Sequence[str] = FIT_SIZES,
                       multipliers: Sequence[str] = FIT_MULTIPLIERS,
                       D0: float = 1e12) -> Reference:
    """Step 1 on the final checkpoints (eq. 2), step 2 on all checkpoints (eq. 3, floor at random
    guessing, ceiling 1), both from the chosen ladder runs."""
    runs = ladder_runs(ladder, task, sizes, multipliers)
    final = runs[runs["is_final"]]
    law = LossLaw.fit(final["n_params"], final["tokens"], final[loss], irreducible=irreducible)
    curve = PerformanceCurve.fit(runs[loss], runs["accuracy"], floor=RANDOM_GUESS[task],
                                 ceiling=1.0)
    return Reference(law, curve, D0=D0)


def fit_one_step_reference(ladder: pd.DataFrame, task: str, *, percent: bool = False,
                           irreducible: bool = False, sizes: Sequence[str] = FIT_SIZES,
                           multipliers: Sequence[str] = FIT_MULTIPLIERS,
                           D0: float = 1e12) -> Reference:
    """The one-step reference (Krajewski et al., arXiv:2512.08894): eq. 2's form fitted to
    ``-ln Q'`` of the final checkpoints, ``Q'`` the accuracy above random guessing as a share of
    what is left above it; no loss step. Scores in percent with ``percent``.

    Only runs with ``Q' > NEAR_FLOOR`` are fitted: near chance ``-ln Q'`` is noise that grows
    without bound (the authors likewise fit only runs 5% above the random baseline)."""
    final = ladder_runs(ladder, task, sizes, multipliers).query("is_final")
    scale = 100.0 if percent else 1.0
    curve = LogAccuracy(floor=scale * RANDOM_GUESS[task], ceiling=scale)
    y = curve.loss_for(scale * final["accuracy"].to_numpy(float), errors="coerce")
    keep = np.isfinite(y) & (y < -np.log(NEAR_FLOOR))
    law = LossLaw.fit(final["n_params"][keep], final["tokens"][keep], y[keep],
                      irreducible=irreducible)
    return Reference(law, curve, D0=D0)


def method_comparison(ladder: pd.DataFrame, tasks: Sequence[str] | None = None) -> pd.DataFrame:
    """The two-step method (``heldout_errors``) and the one-step reference fitted on the same
    ladder runs, each predicting the held-out targets' accuracy: one row per task and target with
    ``accuracy``, ``two_step_error`` and ``one_step_error`` (predicted minus measured, in points
    of accuracy, as fractions)."""
    tasks = list(tasks or sorted(RANDOM_GUESS))
    two = heldout_errors(ladder, tasks)
    targets = ladder[(ladder["role"] == "target") & ladder["is_final"]]
    one = []
    for task in tasks:
        ref = fit_one_step_reference(ladder, task)
        held = targets[targets["task"] == task]
        one.extend(ref.predict_score(held["n_params"], held["tokens"]) - held["accuracy"])
    return pd.DataFrame({"task": two["task"], "model": two["model"], "accuracy": two["accuracy"],
                         "two_step_error": two["accuracy_error"],
                         "one_step_error": np.asarray(one, dtype=float)})


def heldout_errors(ladder: pd.DataFrame, tasks: Sequence[str] | None = None, *,
                   loss: str = "loss_bpb", irreducible: bool = True) -> pd.DataFrame:
    """Chained prediction (eq. 2 then eq. 3) of every target model, against its measured values.

    One row per task and target. ``on_bound`` names fitted constants that ended on a bound (for
    example ``E`` at 0 when the data show no irreducible loss).
    """
    rows = []
    targets = ladder[ladder["role"] == "target"]
    for task in tasks or sorted(RANDOM_GUESS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)  # reported in the on_bound column instead
            ref = fit_task_reference(ladder, task, loss=loss, irreducible=irreducible)
        on_bound = ", ".join(ref.law.on_bound + ref.curve.on_bound)
        for _, target in targets[targets["task"] == task].iterrows():
            pred_loss = ref.law.predict(target["n_params"], target["tokens"])
            pred_acc = ref.curve.predict(pred_loss)
            rows.append({"task": task, "model": target["run"], "loss": target[loss],
                         "predicted_loss": pred_loss,
                         "loss_error_pct": 100 * (pred_loss / target[loss] - 1),
                         "accuracy": target["accuracy"], "predicted_accuracy": pred_acc,
                         "accuracy_error": pred_acc - target["accuracy"],
                         "accuracy_from_measured_loss": ref.curve.predict(target[loss]),
                         "on_bound": on_bound})
    return pd.DataFrame(rows)


def loss_form_comparison(ladder: pd.DataFrame, tasks: Sequence[str], *,
                         loss: str = "loss_bpb") -> pd.DataFrame:
    """Eq. 2 and eq. 2 + E fitted to each task's final ladder checkpoints (as in step 1), and their
    relative errors on the held-out targets.

    One row per task and form (``"eq. 2"``, ``"eq. 2 + E"``): ``alpha, beta, E``, the in-sample
    ``rms fit error (%)`` on ln L, and ``<size> error (%)`` per target (predicted over measured
    loss, minus 1, in percent; positive means the loss is over-predicted).
    """
    targets = ladder[ladder["role"] == "target"]
    rows = []
    for task in tasks:
        final = ladder_runs(ladder, task).query("is_final")
        held_out = targets[targets["task"] == task]
        for irreducible in (False, True):
            fit = LossLaw.fit(final["n_params"], final["tokens"], final[loss],
                              irreducible=irreducible)
            predicted = fit.predict(held_out["n_params"], held_out["tokens"])
            errors = 100 * (predicted / held_out[loss].to_numpy() - 1)
            rows.append({"task": task, "form": "eq. 2 + E" if irreducible else "eq. 2",
                         "alpha": fit.alpha, "beta": fit.beta, "E": fit.E,
                         "rms fit error (%)": 100 * float(np.sqrt(fit.rss / len(final))),
                         **{f"{size} error (%)": float(e)
                            for size, e in zip(held_out["size"], errors, strict=True)}})
    return pd.DataFrame(rows)


def form_verdicts(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per task, the larger of the held-out errors of each form (absolute, in percent) from
    ``loss_form_comparison``, and which form has the smaller one: columns ``eq. 2``,
    ``eq. 2 + E`` and ``E better`` (True where eq. 2 + E's largest error is smaller)."""
    columns = [c for c in comparison.columns
               if c.endswith(" error (%)") and not c.startswith("rms")]
    worst = comparison[columns].abs().max(axis=1)
    table = comparison.assign(worst=worst).pivot(index="task", columns="form", values="worst")
    table = table.loc[list(dict.fromkeys(comparison["task"]))]
    table["E better"] = table["eq. 2 + E"] < table["eq. 2"]
    table.columns.name = None
    return table


def split_errors(errors: pd.DataFrame) -> pd.DataFrame:
    """``heldout_errors`` with each chained accuracy error split in two: ``step2`` is the error of
    the curve fed the measured loss, ``step1`` what the mispredicted loss adds; they sum to
    ``accuracy_error``."""
    return errors.assign(
        step2=errors["accuracy_from_measured_loss"] - errors["accuracy"],
        step1=errors["predicted_accuracy"] - errors["accuracy_from_measured_loss"])


def bootstrap_interval(law: LossLaw, draws: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Each constant of ``law`` with its estimate and the percentile interval of its bootstrap
    ``draws`` (``LossLaw.bootstrap``): columns ``constant``, ``estimate`` and the two percentiles
    (``"2.5%"`` and ``"97.5%"`` at the default level)."""
    if not 0 < level < 1:
        raise ValueError(f"level = {level!r} must be between 0 and 1")
    tail = (1 - level) / 2
    names = list(law.params)
    return pd.DataFrame({"constant": names, "estimate": [law.params[c] for c in names],
                         f"{100 * tail:g}%": draws[names].quantile(tail).to_numpy(),
                         f"{100 * (1 - tail):g}%": draws[names].quantile(1 - tail).to_numpy()})


EXTREME_DENSITY = 100.0  # N̂/N above this: a score close under the reach, where eq. 4 blows up


def effective_size_table(ladder: pd.DataFrame, reference: Reference, task: str,
                         multipliers: Sequence[str] = ("1", "10")) -> pd.DataFrame:
    """The final checkpoints of the ladder runs at ``multipliers`` (times Chinchilla) and of the
    held-out targets on ``task``, with their effective size at the reference's D0 (``N_hat``,
    eq. 4). Every row is kept: ``note`` says why a score has no effective size (at or below
    random guessing, or beyond what the reference reaches at D0), or why an effective size over
    ``EXTREME_DENSITY`` times the actual size says little about the model; it is empty
    otherwise."""
    low, high = reference.score_range
    models = ladder[(ladder["task"] == task) & ladder["is_final"]
                    & ((ladder["role"] == "target") | ladder["multiplier"].isin(multipliers))]
    table = models[["run", "role", "multiplier", "n_params", "tokens", "accuracy"]].assign(
        task=task).reset_index(drop=True)
    table["N_hat"] = reference.effective_params(table["accuracy"], errors="coerce")
    table["note"] = np.select(
        [table["accuracy"] <= low, table["accuracy"] >= high,
         table["N_hat"] > EXTREME_DENSITY * table["n_params"]],
        [f"at or below random guessing ({low:.3f})",
         f"beyond what a reference reaches at D0 (< {high:.3f})",
         f"just below the reach ({high:.3f}), where eq. 4 blows up"], default="")
    return table


def density_table(ladder: pd.DataFrame, task: str, budgets: dict[str, float],
                  multipliers: Sequence[str] = ("1", "10")) -> pd.DataFrame:
    """Densities (``rho = N_hat / N``) of the final checkpoints of the ladder runs at
    ``multipliers`` and of the held-out targets on ``task``, read against the task's reference
    at each token budget D0 of ``budgets`` (label -> tokens): one column ``rho at D0=<label>`` per
    budget, NaN where the score cannot be placed."""
    models = ladder[(ladder["task"] == task) & ladder["is_final"]
                    & ((ladder["role"] == "target") | ladder["multiplier"].isin(multipliers))]
    table = models[["run", "n_params", "tokens", "accuracy"]].reset_index(drop=True)
    for label, d0 in budgets.items():
        ref = fit_task_reference(ladder, task, D0=d0)
        table[f"rho at D0={label}"] = ref.density(table["accuracy"], table["n_params"],
                                                  errors="coerce")
    return table


def density_shift(table: pd.DataFrame, low: str, high: str) -> pd.DataFrame:
    """How much each density of ``density_table`` grows when D0 moves from the budget labelled
    ``high`` down to the one labelled ``low``: columns ``run``, ``kind`` (the ladder's
    ``<n>xC`` multiple, or "target" for a held-out model) and ``factor``."""
    kind = table["run"].str.extract(r"-(\d+xC)$")[0].fillna("target")
    return pd.DataFrame({"run": table["run"], "kind": kind,
                         "factor": table[f"rho at D0={low}"] / table[f"rho at D0={high}"]})
