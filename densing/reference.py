"""Step 3 and 4: effective parameter size (eq. 4) and capability density ``ρ = N̂ / N``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from densing._checks import as_array, as_param_count, check_d0, same_index, scalar_or_array
from densing.loss_law import LossLaw
from densing.performance import NEAR_FLOOR, Errors, PerformanceCurve, _check_scores


@dataclass(frozen=True)
class Reference:
    """A reference family: a loss law and a loss-to-score curve, read at ``D0`` training tokens."""

    law: LossLaw
    curve: PerformanceCurve
    D0: float = 1e12

    def __post_init__(self) -> None:
        if not isinstance(self.law, LossLaw) or not isinstance(self.curve, PerformanceCurve):
            raise ValueError(f"Reference needs a LossLaw and a PerformanceCurve, got "
                             f"{type(self.law).__name__} and {type(self.curve).__name__}")
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

    def density(self, score: Any, n_params: Any, errors: Errors = "raise") -> float | np.ndarray:
        """Capability density ``ρ = N̂(S) / N``: how many times its size the model is worth.

        Like the book's tables, a score below ``near_floor`` is refused (``errors="raise"``) or
        gives NaN (``errors="coerce"``), as are scores outside ``score_range``.
        """
        same_index(score=score, n_params=n_params)
        n = as_param_count("n_params", n_params)
        n_hat = np.asarray(self.effective_params(score, errors=errors), dtype=float)
        near = np.asarray(score, dtype=float) < self.near_floor
        if near.any():
            if errors == "raise":
                first = float(np.asarray(score, dtype=float).flat[int(np.flatnonzero(near)[0])])
                raise ValueError(f"score = {first!r} is near the floor (below "
                                 f"{self.near_floor:.4g}, within {NEAR_FLOOR:.0%} of the range "
                                 f"above the floor {self.curve.floor:.4g}): its density would "
                                 "say more about the fitted floor than about the model; "
                                 "errors='coerce' gives NaN")
            n_hat = np.where(near, np.nan, n_hat)
        return scalar_or_array(n_hat / n, score, n_params)
