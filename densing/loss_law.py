"""Step 1, the loss law (eq. 2 of Xiao et al., 2024): ``L = a·N^-α + b·D^-β (+ E)``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from densing._batch import batched_least_squares, loss_law_residuals
from densing._checks import (as_array, as_param_count, as_token_count, brief, check_flag,
                             same_index, same_length, same_shape, scalar_or_array)
from densing._fit import FitWarning, multistart_fit

_NAMES = ("a", "alpha", "b", "beta", "E")


@dataclass(frozen=True)
class LossLaw:
    """A fitted loss law. ``E`` is 0 for the paper's form (``irreducible=False``)."""

    a: float
    alpha: float
    b: float
    beta: float
    E: float = 0.0
    irreducible: bool = False
    rss: float = float("nan")
    on_bound: tuple[str, ...] = ()
    _data: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False,
                                                                     compare=False)

    @property
    def params(self) -> dict[str, float]:
        """The fitted constants by name (``E`` only with ``irreducible=True``)."""
        values = dict(zip(_NAMES, (self.a, self.alpha, self.b, self.beta, self.E), strict=True))
        return values if self.irreducible else {k: v for k, v in values.items() if k != "E"}

    @classmethod
    def fit(cls, N: Any, D: Any, loss: Any, irreducible: bool = False) -> LossLaw:
        """Fit eq. 2 (plus a constant ``E >= 0`` if ``irreducible``) by least squares on ln L.

        Residuals are taken on the log of the loss, so every point counts by its relative error.
        Several starting points; a ``FitWarning`` if a parameter ends on a bound.
        """
        check_flag("irreducible", irreducible)
        same_index(N=N, D=D, loss=loss)
        n = as_param_count("N", N).ravel()
        d = as_token_count("D", D).ravel()
        y = as_array("loss", loss, low=0, low_open=True).ravel()
        same_length(N=n, D=d, loss=y)
        k = 5 if irreducible else 4
        if y.size <= k:
            raise ValueError(f"loss has {y.size} points; fitting {k} parameters needs more")
        return cls._fit_from(n, d, y, irreducible, fit_starts(n, d, y, irreducible))

    @classmethod
    def _fit_from(cls, n: np.ndarray, d: np.ndarray, y: np.ndarray, irreducible: bool,
                  starts: list[list[float]]) -> LossLaw:
        ln_n, ln_d, ln_y = np.log(n), np.log(d), np.log(y)

        lower, upper = fit_bounds(y, irreducible)
        names = ("ln a", "alpha", "ln b", "beta", "E")[: len(lower)]
        p, rss, on_bound = multistart_fit(loss_law_residuals(ln_n, ln_d, ln_y, irreducible),
                                          starts, lower, upper, names, "LossLaw.fit")
        return cls(a=float(np.exp(p[0])), alpha=float(p[1]), b=float(np.exp(p[2])),
                   beta=float(p[3]), E=float(p[4]) if irreducible else 0.0,
                   irreducible=irreducible, rss=rss, on_bound=on_bound, _data=(n, d, y))

    def predict(self, N: Any, D: Any) -> float | np.ndarray:
        """Eq. 2: the loss of a reference model with ``N`` parameters trained on ``D`` tokens."""
        n = as_param_count("N", N)
        d = as_token_count("D", D)
        same_shape(N=n, D=d)
        out = self.a * n ** -self.alpha + self.b * d ** -self.beta + self.E
        return scalar_or_array(out, N, D)

    def loss_floor(self, D: float) -> float:
        """The loss an infinitely large model reaches with ``D`` tokens: ``b·D^-β + E``."""
        if np.ndim(D) != 0:
            raise ValueError(f"D = {brief(D)} must be one number")
        d = float(as_token_count("D", D))
        return float(self.b * d ** -self.beta + self.E)

    def params_for(self, loss: Any, D: float) -> float | np.ndarray:
        """Eq. 4, second half: ``N = ((L - b·D^-β - E)/a)^(-1/α)``; NaN where ``L`` is at or
        below the loss floor for ``D`` (no finite size reaches it). Callers check the range."""
        y = as_array("loss", loss)
        excess = y - self.loss_floor(D)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(excess > 0, (np.where(excess > 0, excess, 1.0) / self.a)
                           ** (-1.0 / self.alpha), np.nan)
        return scalar_or_array(out, loss)

    def bootstrap(self, n_resamples: int = 200, seed: int = 0) -> pd.DataFrame:
        """Refit on ``n_resamples`` resamples (with replacement) of the fitted points.

        Each refit starts from this fit's parameters and from ``LossLaw.fit``'s grid, as the
        reference refits do, so a resample that prefers another optimum finds it (``refit``);
        returns one row of parameters per resample.
        """
        if self._data is None:
            raise ValueError("bootstrap needs a law made by LossLaw.fit")
        n, d, y = self._data
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(y.size, np.full(y.size, 1 / y.size), n_resamples)
        p = refit(n, d, y, self, weights)
        return pd.DataFrame(p if self.irreducible else p[:, :4], columns=list(self.params))


    def profile(self, alphas: Any) -> pd.DataFrame:
        """Eq. 2 refitted with α held at each of ``alphas``, the other constants free: the
        least-squares error ``rss`` against α shows how sharply the data pin α down. One row per
        α: ``alpha, rss, a, b, beta, E``."""
        if self._data is None:
            raise ValueError("profile needs a law made by LossLaw.fit")
        grid = as_array("alphas", alphas, low=0, low_open=True, high=3).ravel()
        n, d, y = self._data
        ln_n, ln_d, ln_y = np.log(n), np.log(d), np.log(y)
        lower, upper = fit_bounds(y, self.irreducible)
        lower, upper = lower[:1] + lower[2:], upper[:1] + upper[2:]  # (ln a, ln b, β[, E])
        full = loss_law_residuals(ln_n, ln_d, ln_y, self.irreducible)
        rows = []
        for alpha in grid:
            def fun(p: np.ndarray, rows: np.ndarray, alpha: float = alpha
                    ) -> tuple[np.ndarray, np.ndarray]:  # eq. 2 with α held, its column dropped
                r, jac = full(np.insert(p, 1, alpha, axis=1), rows)
                return r, np.delete(jac, 1, axis=-1)

            starts = [[np.log(self.a) + (alpha - self.alpha) * np.median(ln_n), np.log(self.b),
                       self.beta] + ([self.E] if self.irreducible else [])]
            starts += [[q[0] + (alpha - q[1]) * np.median(ln_n), *q[2:]]
                       for q in fit_starts(n, d, y, self.irreducible)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                p, rss, _ = multistart_fit(fun, starts, lower, upper,
                                           ("ln a", "ln b", "beta", "E")[:len(lower)],
                                           "LossLaw.profile")
            rows.append({"alpha": alpha, "rss": rss, "a": np.exp(p[0]), "b": np.exp(p[1]),
                         "beta": p[2], "E": p[3] if self.irreducible else 0.0})
        return pd.DataFrame(rows)


def refit(n: Any, d: Any, loss: Any, fitted: LossLaw, weights: np.ndarray) -> np.ndarray:
    """Eq. 2 refitted for every row of ``weights`` (how often each point was drawn), all at once:
    from ``fitted``'s constants and from the grid of ``LossLaw.fit``'s starts, the best of each
    row's fits kept. Returns ``(a, α, b, β, E)`` per row (E = 0 without ``irreducible``)."""
    n, d, y = (np.asarray(v, float) for v in (n, d, loss))
    irreducible = fitted.irreducible
    start = [np.log(fitted.a), fitted.alpha, np.log(fitted.b), fitted.beta]
    starts = np.array([start + ([fitted.E] if irreducible else [])]
                      + fit_starts(n, d, y, irreducible))
    lower, upper = (np.array(v) for v in fit_bounds(y, irreducible))
    draws, n_starts = weights.shape[0], starts.shape[0]
    p, cost = batched_least_squares(loss_law_residuals(np.log(n), np.log(d), np.log(y), irreducible),
                                    np.repeat(starts[None], draws, 0).reshape(-1, starts.shape[1]),
                                    np.repeat(weights, n_starts, 0), lower, upper)
    best = np.argmin(cost.reshape(draws, n_starts), axis=1)
    p = p.reshape(draws, n_starts, -1)[np.arange(draws), best]
    e = p[:, 4] if irreducible else np.zeros(draws)
    return np.column_stack([np.exp(p[:, 0]), p[:, 1], np.exp(p[:, 2]), p[:, 3], e])


def fit_starts(n: np.ndarray, d: np.ndarray, y: np.ndarray, irreducible: bool) -> list[list[float]]:
    """Starting points of ``LossLaw.fit`` in its parameters ``(ln a, α, ln b, β[, E])``: a grid of
    exponents, each with the two terms sharing the mean loss (and ``E`` at 0 or half the minimum)."""
    starts = []
    for alpha in (0.1, 0.3, 0.6):
        for beta in (0.1, 0.3, 0.6):
            for e_frac in ((0.0, 0.5) if irreducible else (0.0,)):
                share = y.mean() * (1 - e_frac) / 2
                p0 = [np.log(share) + alpha * np.median(np.log(n)), alpha,
                      np.log(share) + beta * np.median(np.log(d)), beta]
                starts.append(p0 + ([e_frac * y.min()] if irreducible else []))
    return starts


def fit_bounds(y: np.ndarray, irreducible: bool) -> tuple[list[float], list[float]]:
    """Bounds of ``(ln a, α, ln b, β[, E])``: exponents in [0, 3], ``E`` in [0, min loss)."""
    lower = [-50.0, 0.0, -50.0, 0.0] + ([0.0] if irreducible else [])
    upper = [100.0, 3.0, 100.0, 3.0] + ([float(y.min()) * (1 - 1e-9)] if irreducible else [])
    return lower, upper
