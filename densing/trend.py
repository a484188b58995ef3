"""Step 5, the densing law (eq. 5 of Xiao et al., 2024): ``ln ρ_max = A·t + B``."""

from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from densing._checks import as_array, as_count, as_number, same_index, same_length

DAYS_PER_MONTH = 365.25 / 12
# How the line is fitted: to the record-setters (the paper's way), to every model by ordinary least
# squares, or as the upper quantile of all models (less dependent on a few record-setters).
ESTIMATORS = ("envelope", "ols", "quantile")
QUANTILE = 0.9
# Release dates: language models, with room; beyond it, day counts near pandas' limits overflow.
DATE_RANGE = (pd.Timestamp("1950-01-01"), pd.Timestamp("2200-12-31"))
QUANTILE_MAX_MODELS = 300  # the exact quantile line tries n^2/2 lines on n models: 100 MB at 300
BOOT_CELLS = 2**20  # bootstrap draws x models refitted at once (8 MB per array)


@dataclass(frozen=True)
class TrendFit:
    """The fitted trend of the maximum density; ``t`` is days since ``origin``."""

    A: float  # growth rate of ln ρ_max, per day
    B: float  # ln ρ_max at the origin
    r2: float  # of the line on the points it is fitted to (quantile: Koenker-Machado R¹)
    origin: pd.Timestamp
    envelope: pd.DataFrame  # the record-setting models the line is fitted to
    bootstrap_A: np.ndarray  # draws of A's sampling distribution: 2Â − A* for each refit A* on
    bootstrap_B: np.ndarray  # resampled residuals (``resampled_lines``); NaN: no line. Matching B
    ci_level: float
    estimator: str = "envelope"
    bias_A: float = float("nan")  # mean refit A* minus Â: the estimator's bias the draws undo

    @property
    def doubling_days(self) -> float:
        """Days for the maximum density to double: ``ln 2 / A`` (infinite for a flat line)."""
        return float(np.log(2) / self.A) if self.A else float("inf")

    @property
    def doubling_months(self) -> float:
        """``doubling_days`` in months of 365.25/12 days."""
        return self.doubling_days / DAYS_PER_MONTH

    @property
    def A_ci(self) -> tuple[float, float]:
        """Basic (pivotal) bootstrap interval for ``A`` at ``ci_level``: percentiles of
        ``bootstrap_A``. It undoes the estimator's bias, so the estimate lies inside it."""
        if not np.isfinite(self.bootstrap_A).any():  # no draws (n_boot = 0): no interval
            return float("nan"), float("nan")
        tail = (1 - self.ci_level) / 2 * 100
        lo, hi = np.nanpercentile(self.bootstrap_A, [tail, 100 - tail])
        return float(lo), float(hi)

    @property
    def doubling_days_ci(self) -> tuple[float, float]:
        """The interval for ``A`` mapped to doubling times (a fall in A is a longer doubling)."""
        lo, hi = self.A_ci
        if np.isnan(lo):
            return float("nan"), float("nan")
        return float(np.log(2) / hi), float(np.log(2) / lo) if lo > 0 else float("inf")

    @property
    def failed_draws(self) -> int:
        """Bootstrap draws in which no line could be fitted (fewer than 3 record-setters)."""
        return int(np.isnan(self.bootstrap_A).sum())

    def summary(self) -> dict[str, Any]:
        """The numbers a reader compares with the paper: A, doubling time, R², with intervals."""
        lo, hi = self.A_ci
        d_lo, d_hi = self.doubling_days_ci
        ci = f"{self.ci_level:.0%} CI"
        none = "none (no bootstrap draws)"
        return {"envelope models": len(self.envelope), "A (per day)": self.A,
                f"A, {ci}": none if np.isnan(lo) else f"{lo:.4f} to {hi:.4f}",
                "doubling (days)": self.doubling_days,
                f"doubling, {ci} (days)": none if np.isnan(d_lo) else f"{d_lo:.0f} to {d_hi:.0f}",
                "doubling (months)": self.doubling_months, "R²": self.r2,
                "bias of A (share)": none if np.isnan(self.bias_A) else
                self.bias_A / self.A if self.A else float("nan")}  # (a flat line: no share)

    def band(self, dates: Any) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise band of the trend line at ``dates`` (``ci_level``), from the same draws as
        ``A_ci`` (basic bootstrap: it brackets the fitted line)."""
        t = _days_since(_as_dates(dates), self.origin)
        ok = ~np.isnan(self.bootstrap_A)
        if not ok.any():  # no draws (n_boot = 0): no band
            return np.full(t.shape, np.nan), np.full(t.shape, np.nan)
        lines = self.bootstrap_A[ok, None] * t[None, :] + self.bootstrap_B[ok, None]
        tail = (1 - self.ci_level) / 2 * 100
        low, high = np.percentile(lines, [tail, 100 - tail], axis=0)
        return np.exp(low), np.exp(high)

    def predict(self, dates: Any) -> np.ndarray:
        """The trend's maximum density ``exp(A·t + B)`` at ``dates``."""
        t = _days_since(_as_dates(dates), self.origin)
        return np.exp(self.A * t + self.B)


def envelope_mask(days: np.ndarray, densities: np.ndarray) -> np.ndarray:
    """True for models whose density beats every model released on an earlier date.

    Models released the same day compete with each other: only the day's best can set a record.
    """
    order = np.lexsort((-densities, days))
    d_sorted, r_sorted = days[order], densities[order]
    first_of_day = np.r_[True, d_sorted[1:] != d_sorted[:-1]]
    best_before = np.r_[-np.inf, np.maximum.accumulate(r_sorted)[:-1]]
    record = first_of_day & (r_sorted > best_before)
    mask = np.zeros(days.size, dtype=bool)
    mask[order] = record
    return mask


def _line(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Ordinary least squares ``y = A·t + B`` with its R²."""
    t_mean, y_mean = t.mean(), y.mean()
    sxx = ((t - t_mean) ** 2).sum()
    A = ((t - t_mean) * (y - y_mean)).sum() / sxx
    B = y_mean - A * t_mean
    ss_tot = ((y - y_mean) ** 2).sum()
    r2 = 1 - ((y - (A * t + B)) ** 2).sum() / ss_tot if ss_tot > 0 else float("nan")
    return float(A), float(B), float(r2)


def _check_loss(residuals: np.ndarray, q: float) -> np.ndarray:
    return np.where(residuals >= 0, q * residuals, (q - 1) * residuals).sum(axis=-1)


def _quantile_line(t: np.ndarray, y: np.ndarray, q: float = QUANTILE) -> tuple[float, float, float]:
    """Linear quantile regression, exactly: the optimum passes through two points, so every line
    through a pair is tried (vectorised). Returns A, B and Koenker-Machado's R¹."""
    i, j = np.triu_indices(t.size, 1)
    keep = t[j] != t[i]
    i, j = i[keep], j[keep]
    slope = (y[j] - y[i]) / (t[j] - t[i])
    intercept = y[i] - slope * t[i]
    loss = _check_loss(y[None, :] - (slope[:, None] * t[None, :] + intercept[:, None]), q)
    best = int(np.argmin(loss))
    flat = _check_loss(y - np.quantile(y, q), q)
    return float(slope[best]), float(intercept[best]), float(1 - loss[best] / flat)


def fit_line(days: np.ndarray, log_rho: np.ndarray, estimator: str = "envelope"
             ) -> tuple[float, float, float] | None:
    """``A``, ``B`` and R² of eq. 5 by ``estimator``; None if the points cannot define a line
    (fewer than 3 envelope points, or all on one day)."""
    if estimator == "envelope":
        keep = envelope_mask(days, log_rho)
        days, log_rho = days[keep], log_rho[keep]
    if days.size < 3 or np.ptp(days) == 0:
        return None
    return _quantile_line(days, log_rho) if estimator == "quantile" else _line(days, log_rho)


def fit_lines(days: np.ndarray, log_rho: np.ndarray, estimator: str = "envelope"
              ) -> tuple[np.ndarray, np.ndarray]:
    """``fit_line`` for every row of ``days`` and ``log_rho`` (K, n) at once: ``A`` and ``B``
    (K,), NaN where a row cannot define a line. NaN densities are left out of their row."""
    days, log_rho = np.array(days, float, ndmin=2), np.array(log_rho, float, ndmin=2)
    if estimator == "quantile":  # the exact pairwise search is already vectorised within a row
        lines = [fit_line(t[ok], y[ok], estimator) for t, y, ok in
                 zip(days, log_rho, np.isfinite(log_rho), strict=True)]
        out = np.array([line[:2] if line else (np.nan, np.nan) for line in lines]).reshape(-1, 2)
        return out[:, 0], out[:, 1]
    valid = np.isfinite(log_rho)
    keep = valid
    if estimator == "envelope" and days.size and (days == days[:1]).all():  # rows on the same dates
        keep = _shared_day_records(days[0], np.where(valid, log_rho, -np.inf))
    elif estimator == "envelope":  # envelope_mask row by row: sort by day, the day's best first
        t_key = np.where(valid, days, np.inf)
        order = np.lexsort((np.where(valid, -log_rho, 0.0), t_key), axis=-1)
        t_sorted = np.take_along_axis(t_key, order, 1)
        y_sorted = np.take_along_axis(np.where(valid, log_rho, -np.inf), order, 1)
        first_of_day = np.ones_like(valid)
        first_of_day[:, 1:] = t_sorted[:, 1:] != t_sorted[:, :-1]
        best_before = np.full_like(y_sorted, -np.inf)
        best_before[:, 1:] = np.maximum.accumulate(y_sorted, axis=1)[:, :-1]
        keep = np.zeros_like(valid)
        np.put_along_axis(keep, order, first_of_day & (y_sorted > best_before)
                          & np.isfinite(t_sorted), 1)
    w = keep.astype(float)
    t, y = np.where(keep, days, 0.0), np.where(keep, log_rho, 0.0)
    count = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean, y_mean = t.sum(axis=1) / count, y.sum(axis=1) / count
        dt = (t - t_mean[:, None]) * w
        sxx = (dt * dt).sum(axis=1)
        A = (dt * (y - y_mean[:, None])).sum(axis=1) / sxx
    ok = (count >= 3) & (sxx > 0)
    A = np.where(ok, A, np.nan)
    return A, np.where(ok, y_mean - A * t_mean, np.nan)


def _shared_day_records(days: np.ndarray, log_rho: np.ndarray) -> np.ndarray:
    """``envelope_mask`` for every row of ``log_rho`` (K, n; -inf: left out) on the same ``days``
    (n,), without a sort per row: each day's best (the first model on a tie, as the stable sort
    of ``fit_lines`` picks) sets a record if it beats the best of every earlier day."""
    order = np.argsort(days, kind="stable")
    t = days[order]
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    y = log_rho[:, order]
    day_best = np.maximum.reduceat(y, starts, axis=1)
    best_before = np.full_like(day_best, -np.inf)
    best_before[:, 1:] = np.maximum.accumulate(day_best, axis=1)[:, :-1]
    position = np.where(y == np.repeat(day_best, np.diff(np.r_[starts, t.size]), axis=1),
                        np.arange(t.size), t.size)
    first = np.minimum.reduceat(position, starts, axis=1)  # where each day's best sits
    rows, record = np.nonzero(day_best > best_before)
    keep = np.zeros(log_rho.shape, dtype=bool)
    keep[rows, order[first[rows, record]]] = True
    return keep


def row_percentiles(values: np.ndarray, percentiles: Any) -> np.ndarray:
    """``np.nanpercentile(values, percentiles, axis=1).T`` (linear interpolation, the same
    floating-point steps): one column per percentile, in one sort instead of one call per row.
    Rows without NaN need only the order statistics around each percentile: a partition."""
    count = (~np.isnan(values)).sum(axis=1)[:, None]
    virtual = (count - 1) * (np.atleast_1d(np.asarray(percentiles, float))[None, :] / 100)
    below = np.floor(virtual)
    full = count[:, 0] == values.shape[1]
    ordered = np.empty_like(values)
    if full.any():
        k = np.clip(np.r_[below[full][0], below[full][0] + 1], 0, values.shape[1] - 1)
        ordered[full] = np.partition(values[full], np.unique(k.astype(int)), axis=1)
    ordered[~full] = np.sort(values[~full], axis=1)  # NaN last
    rows = np.arange(values.shape[0])[:, None]
    last = np.maximum(count - 1, 0)
    a = ordered[rows, np.clip(below, 0, last).astype(int)]
    b = ordered[rows, np.clip(below + 1, 0, last).astype(int)]
    t = virtual - below
    out = np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)  # numpy's _lerp
    return np.where(count > 0, out, np.nan)


def resampled_lines(days: np.ndarray, log_rho: np.ndarray, A: np.ndarray, B: np.ndarray,
                    rng: np.random.Generator, estimator: str = "envelope",
                    noise_rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Eq. 5 refitted once per row of ``log_rho`` (K, n; NaN: a model left out of that row) on
    ``A·t + B + r*``, ``r*`` drawn with replacement from the row's residuals about its line
    ``A, B`` (K,) and smoothed: a Gaussian kernel of Silverman's bandwidth, variance kept.

    Why residuals, smoothed: resampling models drops a record-setter from a third of the draws,
    and the bootstrap of a running maximum is biased and inconsistent; with the release dates
    fixed and the residuals smoothed, a draw can set records beyond the observed ones, and the
    basic interval 2Â − A* covers a known slope at its nominal level (tests/test_trend.py).
    ``rng`` draws the resamples, then the smoothing noise unless ``noise_rng`` is given.
    Returns the refitted ``A*`` and ``B*`` (K,), NaN where a row defines no line."""
    log_rho = np.array(log_rho, float, ndmin=2)
    days = np.broadcast_to(days, log_rho.shape)
    A, B = np.asarray(A, float)[:, None], np.asarray(B, float)[:, None]
    finite = np.isfinite(log_rho) & np.isfinite(A)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without a line are all NaN
        resid = np.where(finite, log_rho - (A * days + B), np.nan)
        count = finite.sum(axis=1, keepdims=True)
        mean, sd = np.nanmean(resid, 1, keepdims=True), np.nanstd(resid, 1, keepdims=True)
        q75, q25 = np.hsplit(row_percentiles(resid, [75, 25]), 2)
        h = np.nan_to_num(0.9 * np.minimum(sd, (q75 - q25) / 1.34) * count ** -0.2)
        shrink = np.where(sd > 0, 1 / np.sqrt(1 + (h / np.where(sd > 0, sd, 1)) ** 2), 1.0)
    pool = np.argsort(~finite, axis=1, kind="stable")  # each row's usable models first
    pick = np.take_along_axis(pool, (rng.random(log_rho.shape) * count).astype(int), 1)
    noise = h * (rng if noise_rng is None else noise_rng).standard_normal(log_rho.shape)
    r = mean + (np.take_along_axis(resid, pick, 1) - mean + noise) * shrink
    return fit_lines(days, np.where(finite, A * days + B + r, np.nan), estimator)


def fit_trend(release_dates: Any, densities: Any, *, origin: Any = None, n_boot: int = 2000,
              ci_level: float = 0.95, seed: int = 0, estimator: str = "envelope") -> TrendFit:
    """Fit eq. 5, ``ln ρ_max = A·t + B``, over ``release_dates``.

    ``estimator``: ``"envelope"`` fits the running maximum (the paper's way), ``"ols"`` every
    model, ``"quantile"`` the 0.9 quantile of every model. ``origin`` (default: the earliest date)
    sets ``t = 0``; it moves ``B`` only. The interval for A comes from ``n_boot`` refits on
    resampled residuals (``resampled_lines``), each re-finding its own envelope, as a basic
    bootstrap interval (see ``TrendFit.A_ci``).
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator = {estimator!r} is not one of {ESTIMATORS}")
    if estimator == "quantile" and np.size(densities) > QUANTILE_MAX_MODELS:
        raise ValueError(f"estimator = 'quantile' takes at most {QUANTILE_MAX_MODELS} models (its "
                         f"exact search grows as n^3), got {np.size(densities)}: use 'envelope' "
                         "or 'ols'")
    n_boot, seed = as_count("n_boot", n_boot), as_count("seed", seed)
    same_index(release_dates=release_dates, densities=densities)
    dates = _as_dates(release_dates)
    rho = as_array("densities", densities, low=0, low_open=True).ravel()
    same_length(release_dates=np.asarray(dates), densities=rho)
    ci_level = as_number("ci_level", ci_level, low=0, high=1, low_open=True, high_open=True)
    origin_ts = dates.min() if origin is None else _as_dates([origin])[0]
    days = _days_since(dates, origin_ts)
    log_rho = np.log(rho)
    on_env = envelope_mask(days, rho)
    if on_env.sum() < 3:
        raise ValueError(f"densities have {on_env.sum()} envelope points; a trend needs at least 3")
    A, B, r2 = fit_line(days, log_rho, estimator)

    # Draws refitted in blocks, so memory stays bounded for any number of models. The noise has
    # its own stream, started where one block's resamples would end (one 64-bit step per
    # uniform), so the draws are the same whatever the block size.
    rng, refit_A, refit_B = np.random.default_rng(seed), np.empty(n_boot), np.empty(n_boot)
    noise_bits = copy.deepcopy(rng.bit_generator)
    noise_bits.advance(n_boot * rho.size)
    noise_rng = np.random.Generator(noise_bits)
    block = max(1, BOOT_CELLS // rho.size)
    for start in range(0, n_boot, block):
        k = min(block, n_boot - start)
        refit_A[start:start + k], refit_B[start:start + k] = resampled_lines(
            days, np.broadcast_to(log_rho, (k, rho.size)), np.full(k, A), np.full(k, B), rng,
            estimator, noise_rng)
    envelope = pd.DataFrame({"position": np.flatnonzero(on_env), "release_date": dates[on_env],
                             "density": rho[on_env]}).sort_values("release_date")
    return TrendFit(A=A, B=B, r2=r2, origin=origin_ts, envelope=envelope.reset_index(drop=True),
                    bootstrap_A=2 * A - refit_A, bootstrap_B=2 * B - refit_B,
                    ci_level=float(ci_level), estimator=estimator,
                    bias_A=float(np.nanmean(refit_A) - A) if np.isfinite(refit_A).any() else
                    float("nan"))


def _as_dates(values: Any) -> pd.DatetimeIndex:
    """Dates, or a ValueError: numbers (a year, a day count) and partial dates ('2024') are
    refused, never read as a date."""
    try:
        series = pd.Series(np.atleast_1d(values))
    except (ValueError, TypeError) as exc:  # e.g. a datetime64 without a unit
        raise ValueError(f"release_dates = {values!r} are not dates such as '2024-02-01'") from exc
    for value in series:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue  # reported as missing below
        if isinstance(value, (bool, int, float, np.number)) or (
                isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value)):
            shown = repr(value) if isinstance(value, str) else str(value)
            raise ValueError(f"release_dates = {shown} is not a date: pass dates such as "
                             "'2024-02-01' (YYYY-MM-DD)")
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(series, errors="raise"))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"release_dates must be dates (e.g. '2024-02-01'): "
                         f"{str(exc).splitlines()[0]}") from exc
    if dates.isna().any():
        raise ValueError("release_dates has a missing value at position "
                         f"{int(np.flatnonzero(dates.isna())[0])}")
    if dates.tz is not None:  # a day count between zoned and unzoned dates is undefined
        raise ValueError(f"release_dates = {dates[0]} carry a time zone: pass calendar dates "
                         "such as '2024-02-01'")
    outside = (dates < DATE_RANGE[0]) | (dates > DATE_RANGE[1])
    if outside.any():
        raise ValueError(f"release_dates = {dates[outside][0]:%Y-%m-%d} is outside the valid "
                         f"range [{DATE_RANGE[0]:%Y-%m-%d}, {DATE_RANGE[1]:%Y-%m-%d}]")
    return dates


def _days_since(dates: pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    return ((dates - origin) / pd.Timedelta(days=1)).to_numpy(dtype=float)
