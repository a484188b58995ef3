"""Many weighted least-squares fits at once: the engine of the reference bootstrap.

A bootstrap resample is a vector of integer weights over the fitted points (how often each point
was drawn), so every refit shares the same data and all of them are solved together: one
Levenberg-Marquardt iteration is a handful of numpy operations on arrays of shape (fits, points).
Analytic Jacobians; parameters are kept inside their bounds by projection.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Residuals = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def batched_least_squares(fun: Residuals, p0: np.ndarray, weights: np.ndarray,
                          lower: np.ndarray, upper: np.ndarray, iterations: int = 200,
                          rtol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``sum_i w_ki · r_ki(p_k)²`` separately for every row ``k``.

    ``fun(p, rows)`` takes the parameters (k, P) of the fits numbered ``rows`` and returns their
    residuals (k, n) and Jacobian (k, n, P). A fit stops when its cost no longer falls. Returns the parameters (K, P) and the weighted residual sums of squares (K,).
    """
    p = np.clip(np.array(p0, dtype=float), lower, upper)
    w = np.asarray(weights, dtype=float)
    r, jac = (np.array(v) for v in fun(p, np.arange(p.shape[0])))
    cost = np.einsum("kn,kn->k", w, r * r)
    damping = np.full(p.shape[0], 1e-3)
    active = np.isfinite(cost)
    eye = np.eye(p.shape[1])
    for _ in range(iterations):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        jtw = jac[rows].transpose(0, 2, 1) * w[rows, None, :]
        hessian = jtw @ jac[rows]
        gradient = np.einsum("kpn,kn->kp", jtw, r[rows])
        scale = np.maximum(np.einsum("kpp->kp", hessian), 1e-12)
        system = hessian + damping[rows, None, None] * scale[:, :, None] * eye
        step = np.linalg.solve(system, -gradient[..., None])[..., 0]
        trial = np.clip(p[rows] + step, lower, upper)
        r_new, jac_new = fun_rows(fun, trial, rows)
        cost_new = np.einsum("kn,kn->k", w[rows], r_new * r_new)
        better = np.isfinite(cost_new) & (cost_new <= cost[rows])
        gain = cost[rows] - cost_new
        done = (better & (gain <= rtol * np.maximum(cost[rows], 1e-300))) | (
            damping[rows] > 1e10)
        take = rows[better]
        p[take], r[take], jac[take], cost[take] = (trial[better], r_new[better],
                                                   jac_new[better], cost_new[better])
        damping[rows] = np.where(better, damping[rows] / 3, damping[rows] * 4)
        active[rows[done]] = False
    return p, cost


def fun_rows(fun: Residuals, p: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``fun`` on a subset of the fits: data that differ between fits are indexed by ``rows``."""
    return fun(p, rows)


def loss_law_residuals(ln_n: np.ndarray, ln_d: np.ndarray, ln_y: np.ndarray,
                       irreducible: bool) -> Residuals:
    """Residuals of eq. 2 on the log loss, ``ln(a·N^-α + b·D^-β + E) - ln L``, for parameters
    ``(ln a, α, ln b, β[, E])`` as in ``LossLaw.fit``; data of shape (n,) shared by all fits."""

    def fun(p: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = np.exp(p[:, :1] - p[:, 1:2] * ln_n)
        v = np.exp(p[:, 2:3] - p[:, 3:4] * ln_d)
        total = u + v + (p[:, 4:5] if irreducible else 0.0)
        columns = [u / total, -ln_n * u / total, v / total, -ln_d * v / total]
        if irreducible:
            columns.append(1.0 / total)
        return np.log(total) - ln_y, np.stack(columns, axis=-1)

    return fun


def curve_residuals(x_all: np.ndarray, y: np.ndarray, ceiling: float,
                    floor: np.ndarray | None) -> Residuals:
    """Residuals of eq. 3, ``c·σ(γ(x - l)) + d - S``, with ``c = ceiling - d``, for parameters
    ``(γ, l)`` (``floor`` fixed, shape (K, 1)) or ``(γ, l, d)``; the losses ``x_all`` differ
    between fits (shape (K, n))."""

    def fun(p: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gamma, mid = p[:, :1], p[:, 1:2]
        d = p[:, 2:3] if floor is None else floor[rows]
        x = x_all[rows]
        c = ceiling - d
        sig = np.exp(-np.logaddexp(0.0, -gamma * (x - mid)))
        slope = c * sig * (1 - sig)
        columns = [slope * (x - mid), -slope * gamma]
        if floor is None:
            columns.append(1 - sig)
        shape = np.broadcast_shapes(sig.shape, np.shape(y))
        return np.broadcast_to(c * sig + d - y, shape), np.stack(
            [np.broadcast_to(col, shape) for col in columns], axis=-1)

    return fun
