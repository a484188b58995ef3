"""Step 3 and 4: effective parameter size (eq. 4) and capability density ``ρ = N̂ / N``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from densing._checks import as_param_count, check_d0, same_index, same_shape, scalar_or_array
from densing.loss_law import LossLaw
from densing.performance import NEAR_FLOOR, Errors, LogAccuracy, PerformanceCurve, _check_scores

# The mirror of NEAR_FLOOR: a score within this share of the reachable range (floor to top) below
# its top sits where N̂ grows without bound (eq. 4's bracket nears 0), so its density says more about
# the fitted top than about the model. The same 5% as at the floor, measured on the same scale
# as chapter 5's "share of reach".
NEAR_TOP = 0.05


def near_top_line(top: Any, floor: Any) -> Any:
    """The score above which a score is near the ``top`` of a reach that starts at ``floor``."""
    return top - NEAR_TOP * (top - floor)


@dataclass(frozen=True)
class Reference:
    """A reference family: a loss law and a loss-to-score curve, read at ``D0`` training tokens.

    Two-step (the paper's): eq. 2 predicts a loss, eq. 3 (``PerformanceCurve``) its score. One-step
    (``LogAccuracy``): the same form of law predicts ``-ln`` of the score above chance directly.
    """

    law: LossLaw
    curve: PerformanceCurve | LogAccuracy
    D0: float = 1e12

    def __post_init__(self) -> None:
        if not isinstance(self.law, LossLaw) or not isinstance(self.curve,
                                                               (PerformanceCurve, LogAccuracy)):
            raise ValueError(f"Reference needs a LossLaw and a PerformanceCurve or LogAccuracy, "
                             f"got {type(self.law).__name__} and {type(self.curve).__name__}")
        check_d0(self.D0)

    @property
    def score_range(self) -> tuple[float, float]:
        """Scores a reference trained on ``D0`` tokens can reach: the open interval
        (floor ``d``, score of an infinitely large model ``S(b·D0^-β + E)``)."""
        top = self.curve.predict(self.law.loss_floor(self.D0))
        return self.curve.floor, float(top)

    def predict_score(self, N: Any, D: Any) -> float | np.ndarray:
        """The score of a reference model with ``N`` parameters trained on ``D`` tokens:
        eq. 3 applied to eq. 2."""
        return self.curve.predict(self.law.predict(N, D))

    def effective_params(self, score: Any, errors: Errors = "raise") -> float | np.ndarray:
        """Eq. 4: ``N̂(S) = ((L̂(S) - b·D0^-β - E)/a)^(-1/α)`` with ``L̂(S)`` from eq. 3 inverted.

        A score outside ``score_range`` (or NaN) raises ``ValueError`` naming it and the range, or
        gives NaN with ``errors="coerce"``.
        """
        low, high = self.score_range
        s = _check_scores(score, low, high, errors, f"what a reference trained on "
                          f"D0 = {self.D0:.3g} tokens can reach")
        loss = self.curve.loss_for(s, errors="coerce")
        out = self.law.params_for(np.where(np.isnan(loss), 1.0, loss), self.D0)
        out = np.where(np.isnan(loss), np.nan, out)
        return scalar_or_array(out, score)

    @property
    def near_floor(self) -> float:
        """Scores below this are within ``NEAR_FLOOR`` of the floor-to-ceiling range above the
        floor: their densities say more about the fitted floor than about the model."""
        return self.curve.floor + NEAR_FLOOR * (self.curve.ceiling - self.curve.floor)

    @property
    def near_top(self) -> float:
        """Scores above this are within ``NEAR_TOP`` of the reachable range below its top: their
        densities say more about the fitted top than about the model."""
        low, high = self.score_range
        return near_top_line(high, low)

    def density(self, score: Any, n_params: Any, errors: Errors = "raise") -> float | np.ndarray:
        """Capability density ``ρ = N̂(S) / N``: how many times its size the model is worth.

        Like the book's tables, a score below ``near_floor`` or above ``near_top`` is refused
        (``errors="raise"``) or gives NaN (``errors="coerce"``), as are scores outside
        ``score_range``.
        """
        same_index(score=score, n_params=n_params)
        n = as_param_count("n_params", n_params)
        same_shape(score=score, n_params=n)
        n_hat = np.asarray(self.effective_params(score, errors=errors), dtype=float)
        s = np.asarray(score, dtype=float)
        floor, top = s < self.near_floor, s > self.near_top
        if errors == "raise" and floor.any():
            raise ValueError(f"score = {float(s[floor].flat[0])!r} is near the floor (below "
                             f"{self.near_floor:.4g}, within {NEAR_FLOOR:.0%} of the range above "
                             f"the floor {self.curve.floor:.4g}): its density would say more about "
                             "the fitted floor than about the model; errors='coerce' gives NaN")
        if errors == "raise" and top.any():
            raise ValueError(f"score = {float(s[top].flat[0])!r} is near the top (above "
                             f"{self.near_top:.4g}, within {NEAR_TOP:.0%} of the reachable range "
                             f"below its top {self.score_range[1]:.4g} at D0 = {self.D0:.3g} "
                             "tokens): its density would say more about the fitted top than about "
                             "the model; errors='coerce' gives NaN")
        return scalar_or_array(np.where(floor | top, np.nan, n_hat) / n, score, n_params)
