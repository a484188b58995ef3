"""Exercises that check themselves: ``check(key, value)`` says whether a value a student computed
is right within a tolerance, without printing the answer.

The answers are computed by the package when asked (never stored), so they are the book's own
numbers in every build and in a plain Jupyter kernel with densing installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Exercise:
    """One self-checking exercise: what the value is, how the package computes it, and how close
    a student's value must come (relative tolerance)."""

    what: str
    answer: Callable[[], float]
    rel_tol: float = 0.01


@dataclass(frozen=True)
class Checked:
    """The verdict of ``check``: true when right; shown as one sentence, never the answer."""

    key: str
    right: bool
    message: str

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        return self.message


def _ladder():
    from densing.analysis import _ladder

    return _ladder()


@lru_cache(maxsize=None)
def _hellaswag_7b() -> tuple[float, float]:
    """Chapters 3-4's example: OLMo-2 7B's effective size on HellaSwag and its actual size."""
    from densing.ladder import fit_task_reference

    ref = fit_task_reference(_ladder(), "hellaswag")
    target = _ladder().query("role == 'target' and task == 'hellaswag' and size == '7B' "
                             "and is_final").iloc[0]
    return float(ref.effective_params(target["accuracy"])), float(target["n_params"])


def _mmlu_alpha() -> float:
    from densing.ladder import fit_task_reference

    return fit_task_reference(_ladder(), "mmlu").law.alpha


def _mmlu_midpoint() -> float:
    from densing.ladder import fit_task_reference

    return fit_task_reference(_ladder(), "mmlu").curve.l


def _doubling_days(**changes) -> float:
    from densing.analysis import Specification, analyse

    return analyse(Specification(n_boot=0, **changes)).trend.doubling_days


def _paper_rate_forecast() -> float:
    """Chapter 7's "paper's rate" forecaster a year after the paper's cutoff."""
    import pandas as pd

    from densing.analysis import Specification, analyse
    from densing.forecast import HORIZON_MONTHS, paper_rate
    from densing.robustness import PAPER_CUTOFF

    used = analyse(Specification(n_boot=0)).used
    best = used.loc[used["release_date"] <= PAPER_CUTOFF, "rho"].max()
    cutoff = pd.Timestamp(PAPER_CUTOFF)
    days = (cutoff + pd.DateOffset(months=HORIZON_MONTHS) - cutoff).days
    return float(best * np.exp(paper_rate() * days))  # A from data/paper_values.csv


def _qwen_density() -> float:
    from densing.calculator import density_of

    return density_of(n_params=7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9,
                      mbpp=74.9).density


def _price_fold() -> float:
    from densing.corollaries import price_trend
    from densing.data import load_prices

    prices = load_prices()
    return price_trend(prices, prices["input_usd_per_mtok"], n_boot=0).fold


def _one_step_13b() -> float:
    from densing.ladder import fit_one_step_reference

    target = _ladder().query("role == 'target' and task == 'mmlu' and size == '13B' "
                             "and is_final").iloc[0]
    return float(fit_one_step_reference(_ladder(), "mmlu").predict_score(target["n_params"],
                                                                         target["tokens"]))


EXERCISES: dict[str, Exercise] = {
    "ch1-mmlu-alpha": Exercise("α of eq. 2 + E fitted to the MMLU loss (bits per byte) of the "
                               "ladder's final checkpoints", _mmlu_alpha),
    "ch2-mmlu-midpoint": Exercise("the midpoint loss l of MMLU's performance curve (eq. 3) fitted "
                                  "on the ladder", _mmlu_midpoint),
    "ch3-hellaswag-7b": Exercise("OLMo-2 7B's effective size on HellaSwag, in parameters",
                                 lambda: _hellaswag_7b()[0]),
    "ch4-hellaswag-7b-density": Exercise("OLMo-2 7B's density on HellaSwag",
                                         lambda: _hellaswag_7b()[0] / _hellaswag_7b()[1]),
    "ch5-doubling": Exercise("the headline's doubling time in days", _doubling_days),
    "ch6-doubling-4t": Exercise("the doubling time in days with D0 = 4T tokens",
                                lambda: _doubling_days(D0=4e12)),
    "ch7-paper-rate": Exercise("the paper's-rate forecast of the maximum density a year after "
                               "the paper's cutoff", _paper_rate_forecast),
    "ch8-qwen-density": Exercise("Qwen2.5-7B's density from its five reported scores",
                                 _qwen_density),
    "ch9-price-fold": Exercise("how many times cheaper the cheapest GPT-3.5-level input price "
                               "became", _price_fold),
    "ch10-one-step-13b": Exercise("the one-step reference's MMLU accuracy for OLMo-2 13B",
                                  _one_step_13b),
}


@lru_cache(maxsize=None)
def _answer(key: str) -> float:
    return float(EXERCISES[key].answer())


def check(key: str, value: float) -> Checked:
    """Whether ``value`` is the answer to exercise ``key`` within its tolerance: a one-line
    verdict (too high, too low or right), never the answer itself."""
    if key not in EXERCISES:
        raise ValueError(f"key = {key!r} is not an exercise; choose from {sorted(EXERCISES)}")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not \
            np.isfinite(value):
        raise ValueError(f"value = {value!r} must be a finite number ({EXERCISES[key].what})")
    exercise, answer = EXERCISES[key], _answer(key)
    error = float(value) / answer - 1
    if abs(error) <= exercise.rel_tol:
        return Checked(key, True, f"Right: {exercise.what}, within {exercise.rel_tol:.0%}.")
    side = "high" if error > 0 else "low"
    return Checked(key, False, f"Not yet: your value for {exercise.what} is too {side} (more "
                               f"than {exercise.rel_tol:.0%} off). Check your steps and try again.")
