"""Step 2, loss to score (eq. 3 of Xiao et al., 2024): ``S = c / (1 + exp(-γ(L - l))) + d``.

With this sign convention γ < 0: the score sits at the floor ``d`` for large loss and rises to the
ceiling ``c + d`` as the loss falls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from densing._checks import (_holds_bool, _refuse_none, as_array, as_number, brief, same_index,
                             same_length, scalar_or_array)
from densing._fit import multistart_fit

Errors = Literal["raise", "coerce"]
# A score within this fraction of the floor-to-ceiling range above the floor says little about size:
# its density is set more by the fitted floor than by the model.
NEAR_FLOOR = 0.05
SCORE_MAX = 100.0  # scores are accuracies: fractions of 1 or percentages


@dataclass(frozen=True)
class PerformanceCurve:
    """A fitted sigmoid from loss to score."""

    c: float
    gamma: float
    l: float  # noqa: E741 - the paper's name
    d: float
    rss: float = float("nan")
    on_bound: tuple[str, ...] = ()

    @property
    def params(self) -> dict[str, float]:
        """The fitted constants by name."""
        return {"c": self.c, "gamma": self.gamma, "l": self.l, "d": self.d}

    @property
    def floor(self) -> float:
        """The score for very large loss (random guessing when fixed so): ``d``."""
        return self.d

    @property
    def ceiling(self) -> float:
        """The score for very small loss: ``c + d``."""
        return self.c + self.d

    @classmethod
    def fit(cls, loss: Any, score: Any, floor: float | None = None,
            ceiling: float | None = None) -> PerformanceCurve:
        """Fit eq. 3 by least squares on the score.

        ``floor`` fixes ``d`` (e.g. the random-guess score); ``ceiling`` fixes ``c + d`` (e.g. 1 for
        accuracy, 100 for percent). Free parameters: γ < 0, ``l``, and ``c``/``d`` unless fixed.
        """
        same_index(loss=loss, score=score)
        x = as_array("loss", loss, low=0).ravel()
        y = as_array("score", score, low=0, high=SCORE_MAX).ravel()
        same_length(loss=x, score=y)
        if floor is None and y.min() == 0 < y.max():  # d <= min(score) = 0: d is 0, not fitted
            floor = 0.0
        if floor is not None:
            floor = as_number("floor", floor, low=0, high=float(y.max()), high_open=True)
        if ceiling is not None:
            ceiling = as_number("ceiling", ceiling, low=max(float(y.max()), floor or 0.0),
                                high=SCORE_MAX)
            if floor is not None and ceiling <= floor:
                raise ValueError(f"ceiling = {ceiling} must exceed floor = {floor}")
        free = ["gamma", "l"] + (["d"] if floor is None else []) + (["c"] if ceiling is None else [])
        if y.size <= len(free):
            raise ValueError(f"score has {y.size} points; fitting {len(free)} parameters needs more")

        def unpack(p: np.ndarray) -> tuple[np.ndarray, ...]:
            """``(c, γ, l, d)`` as columns (k, 1) of the free parameters ``p`` (k, P)."""
            gamma, l_mid = p[:, :1], p[:, 1:2]
            d = np.full_like(gamma, floor) if floor is not None else p[:, 2:3]
            c = ceiling - d if ceiling is not None else p[:, -1:]
            return c, gamma, l_mid, d

        def fun(p: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Residuals of eq. 3 for parameters (γ, l[, d][, c]) of shape (k, P), and their
            derivatives; with the ceiling fixed, ``c = ceiling - d`` moves with ``d``."""
            c, gamma, l_mid, d = unpack(p)
            sig = np.exp(-np.logaddexp(0.0, -gamma * (x - l_mid)))
            slope = c * sig * (1 - sig)
            columns = [slope * (x - l_mid), -slope * gamma]
            if floor is None:
                columns.append(1 - sig if ceiling is not None else np.ones_like(sig))
            if ceiling is None:
                columns.append(sig)
            return c * sig + d - y, np.stack(columns, axis=-1)

        span = float(np.ptp(x)) or 1.0
        lower = [-1e4 / span, float(x.min()) - 20 * span]
        # γ below -1e-6, unless the loss spans over 1e4 and the two bounds of γ would cross
        upper = [max(-1e-6, lower[0] * 1e-6), float(x.max()) + 20 * span]
        if floor is None:
            lower.append(0.0)
            upper.append(float(y.min()))
        if ceiling is None:
            lower.append(1e-9 * float(np.ptp(y) or 1.0))
            upper.append(np.inf)
        starts = []
        for k in (2.0, 8.0, 30.0):
            for l0 in (x.min() - span / 2, x.min(), np.median(x), x.max()):
                p0 = [-k / span, l0]
                if floor is None:
                    p0.append(float(y.min()))
                if ceiling is None:
                    p0.append(float(np.ptp(y)) * 2 or 1.0)
                starts.append(p0)
        p, rss, on_bound = multistart_fit(fun, starts, lower, upper, free, "PerformanceCurve.fit")
        c, gamma, l_mid, d = (v[0, 0] for v in unpack(p[None, :]))
        return cls(c=float(c), gamma=float(gamma), l=float(l_mid), d=float(d), rss=rss,
                   on_bound=on_bound)

    def predict(self, loss: Any) -> float | np.ndarray:
        """Eq. 3: the score expected at ``loss``."""
        x = as_array("loss", loss, low=0)
        return scalar_or_array(_sigmoid(x, self.c, self.gamma, self.l, self.d), loss)

    def loss_for(self, score: Any, errors: Errors = "raise") -> float | np.ndarray:
        """Eq. 4, first half: ``L̂(S) = l - (1/γ)·ln(c/(S - d) - 1)``.

        Defined for ``d < S < c + d``; outside it raises ``ValueError`` (``errors="raise"``) or
        gives NaN (``errors="coerce"``).
        """
        s = _check_scores(score, self.floor, self.ceiling, errors, "the curve's range")
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.l - np.log(self.c / (s - self.d) - 1.0) / self.gamma
        return scalar_or_array(out, score)


def _sigmoid(x: np.ndarray, c: float, gamma: float, l_mid: float, d: float) -> np.ndarray:
    # c / (1 + exp(-z)) = c·exp(-ln(1 + exp(-z))), written so that exp never overflows.
    z = gamma * (x - l_mid)
    return c * np.exp(-np.logaddexp(0.0, -z)) + d


def _check_scores(score: Any, low: float, high: float, errors: Errors, what: str) -> np.ndarray:
    """Scores as floats; values not strictly inside (low, high) raise or become NaN."""
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors = {errors!r} must be 'raise' or 'coerce'")
    _refuse_none("score", score)
    if _holds_bool(score):
        raise ValueError(f"score = {brief(score)} holds True or False where a number is meant")
    try:
        s = np.array(score, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"score must be numeric, got {brief(score)}") from exc
    bad = ~((s > low) & (s < high))  # also true for NaN
    if bad.any():
        if errors == "raise":
            first = float(s.flat[int(np.flatnonzero(bad.ravel())[0])])
            raise ValueError(f"score = {first!r} is outside {what}: reachable scores lie strictly "
                             f"between {low:.6g} and {high:.6g}")
        s = np.where(bad, np.nan, s)
    return s


@dataclass(frozen=True)
class LogAccuracy:
    """The one-step reference's map to a score (Krajewski et al., arXiv:2512.08894, eq. 2):
    a law predicts ``y = -ln Q'`` where ``Q' = (S - floor)/(ceiling - floor)`` is the score above
    chance, so ``S = floor + (ceiling - floor)·exp(-y)``. Nothing here is fitted: it stands where
    eq. 3 stands in a two-step reference, so that ``Reference`` reads both alike."""

    floor: float
    ceiling: float
    on_bound: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        as_number("floor", self.floor, low=0, high=SCORE_MAX, high_open=True)
        as_number("ceiling", self.ceiling, low=self.floor, high=SCORE_MAX, low_open=True)

    def predict(self, y: Any) -> float | np.ndarray:
        """The score at ``y = -ln Q'``."""
        x = as_array("y", y, low=0)
        return scalar_or_array(self.floor + (self.ceiling - self.floor) * np.exp(-x), y)

    def loss_for(self, score: Any, errors: Errors = "raise") -> float | np.ndarray:
        """``y = -ln((S - floor)/(ceiling - floor))``, for ``floor < S < ceiling``; outside it
        raises ``ValueError`` or gives NaN with ``errors="coerce"``."""
        s = _check_scores(score, self.floor, self.ceiling, errors, "the range above chance")
        return scalar_or_array(-np.log((s - self.floor) / (self.ceiling - self.floor)), score)
