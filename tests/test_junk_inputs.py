"""Junk in, ValueError out: every public entry point, fed generated junk, either returns a result
that keeps its own contract or raises ``ValueError`` -- never another exception (TypeError,
IndexError, KeyError, ZeroDivisionError, AttributeError, OverflowError, RuntimeError, ...).

One property per entry point, so that a failure of one does not hide another; hypothesis reports
every distinct failure of a property (by exception type and line). Inputs are mostly usable with
a little junk, so that the checks deep inside are reached too. The failures these properties
found are pinned, one minimal case each, in ``test_known_junk``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import densing
from densing import LossLaw, PerformanceCurve, Reference, Specification, TrendFit, fit_trend
from densing.calculator import ModelDensity, densities_of, density_of
from densing.cli import main
from densing.data import BENCHMARKS

# DENSING_JUNK_SCALE multiplies every property's examples (and draws them at random) for a longer
# search; by default the examples are derandomised, so the suite sees the same ones every run.
SCALE = float(os.environ.get("DENSING_JUNK_SCALE", "1"))
SETTINGS = dict(deadline=None, database=None, derandomize=SCALE == 1,
                suppress_health_check=list(HealthCheck))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


def quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with every warning silenced (FitWarning and numpy's included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def attempt(fn, *args, **kwargs):
    """``(True, result)``, or ``(False, None)`` for a ValueError; anything else propagates."""
    try:
        return True, quiet(fn, *args, **kwargs)
    except ValueError:
        return False, None


def must(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on a result that was accepted: no exception at all."""
    return quiet(fn, *args, **kwargs)


def mostly(good, junk, odds: int = 5):
    """``good`` ``odds`` times in ``odds + 1``, else ``junk`` (shrinking towards ``good``)."""
    return st.sampled_from([False] * odds + [True]).flatmap(lambda bad: junk if bad else good)


def once_in(draw, odds: int) -> bool:
    """True once in ``odds`` draws (shrinking towards False)."""
    return draw(st.sampled_from(range(odds))) == odds - 1


# ---------------------------------------------------------------------------------------------
# Fitted objects, built once.

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    REF = densing.fit_task_reference(densing.load_ladder(), "hellaswag")  # scores in (0.25, 0.94)
LAWS_BY_NAME = {"fitted": REF.law,  # with E, from the ladder
                "plain": LossLaw(a=400.0, alpha=0.34, b=410.0, beta=0.28)}  # E = 0
CURVES_BY_NAME = {"fitted": REF.curve,
                  "percent": PerformanceCurve(c=75.0, gamma=-4.0, l=3.0, d=25.0)}
LAWS = st.sampled_from(sorted(LAWS_BY_NAME))  # names, so that failures print short
CURVES = st.sampled_from(sorted(CURVES_BY_NAME))

# ---------------------------------------------------------------------------------------------
# Junk.


class Weird:
    """An object numpy cannot read as a number."""

    def __repr__(self) -> str:
        return "Weird()"


JUNK_ATOMS = st.sampled_from([
    None, True, False, np.True_, "7.6", "abc", "", " ", "nan", "inf", "-1", "1e9", "1_000",
    "2024-01-01", b"7", 0, -1, 1, 2, 0.0, -0.0, -1.5, 0.5, 1e300, -1e300, 1e-300, 5e-324, 1e308,
    np.nan, np.inf, -np.inf, 10**400, -(10**400), 2**63, np.int64(3), np.int64(-7), np.uint8(200),
    np.float32(0.5), np.float16(np.inf), 1 + 2j, np.complex128(1j), pd.NA, pd.NaT,
    np.datetime64("2024-01-01"), pd.Timestamp("2024-01-01"), dt.date(2024, 1, 1),
    Decimal("1.5"), Decimal("nan"), Fraction(1, 3), {}, {"a": 1}, set(), frozenset({1.0}),
    (), [], [[]], Weird(), np.array([]), np.array(2.0), np.array([1.0, 2.0]),
    np.array([[1.0], [2.0]]), np.array(["a", None], dtype=object), range(3),
    pd.Series([], dtype=float), pd.Series([1.0, 2.0], index=["x", "x"]), pd.DataFrame({"a": [1.0]}),
])
JUNK_FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30)
JUNK_SCALAR = JUNK_ATOMS | JUNK_FLOATS
INDEXES = ("range", "shifted", "text", "duplicate")


def index_of(kind: str, n: int) -> list:
    return list({"range": range(n), "shifted": range(5, 5 + n), "text": [f"m{i}" for i in range(n)],
                 "duplicate": [0] * n}[kind])


@st.composite
def wrapped(draw, values: list, index: str = "range", junk_odds: int = 5):
    """``values`` in some container, sometimes with a junk value, a missing or extra value, or
    replaced by junk altogether (each about once in ``junk_odds``)."""
    values = list(values)
    if values and once_in(draw, junk_odds + 1):
        values[draw(st.integers(0, len(values) - 1))] = draw(JUNK_SCALAR)
    if once_in(draw, 2 * junk_odds + 1):
        values = values[:-1] if values and draw(st.booleans()) else values + values[:1]
    if once_in(draw, 2 * junk_odds + 1):
        return draw(JUNK_SCALAR)
    kind = draw(mostly(st.sampled_from(["list", "tuple", "array", "series", "object"]),
                       st.sampled_from(["2d", "frame", "nested", "scalar"]), junk_odds - 1))
    if kind == "tuple":
        return tuple(values)
    if kind == "array":
        try:
            return quiet(np.array, values, dtype=float)
        except Exception:
            return np.array(values, dtype=object)
    if kind == "object":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    if kind == "2d":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out.reshape(-1, 2) if len(values) % 2 == 0 else out[None]
    if kind in ("series", "frame"):
        if once_in(draw, 4):
            index = draw(st.sampled_from(INDEXES))
        series = pd.Series(values, index=index_of(index, len(values)), dtype=object)
        series = series if once_in(draw, 4) else series.infer_objects()
        return series if kind == "series" else series.to_frame("x")
    if kind == "nested":
        return [values, values[:1]]
    if kind == "scalar":
        return values[0] if values else draw(JUNK_SCALAR)
    return values


def positive(lo, hi):
    """Floats in ``[lo, hi]`` on a log scale, and the ends and middle exactly (ties)."""
    return st.floats(np.log10(lo), np.log10(hi)).map(lambda e: 10.0**e) | st.sampled_from(
        [lo, hi, float(np.sqrt(lo * hi))])


@st.composite
def numbers(draw, lo, hi, min_size=0, max_size=8, junk_odds=5):
    """Numbers in ``[lo, hi]``: a scalar, or a list in some container, with a little junk."""
    if once_in(draw, 3):
        return draw(mostly(positive(lo, hi), JUNK_SCALAR, junk_odds))
    values = draw(st.lists(positive(lo, hi), min_size=min_size, max_size=max_size))
    return draw(wrapped(values, junk_odds=junk_odds))


def shape_of(value) -> tuple[int, ...]:
    return np.shape(np.asarray(value, dtype=float))


def check_scalar_or_array(out, *inputs) -> None:
    """Scalar in, float out; otherwise an array of the broadcast shape of the inputs."""
    if all(np.ndim(x) == 0 for x in inputs):
        assert isinstance(out, float), out
    else:
        assert isinstance(out, np.ndarray), out
        assert out.shape == np.broadcast_shapes(*(shape_of(x) for x in inputs)), (out.shape,
                                                                                  inputs)


# ---------------------------------------------------------------------------------------------
# Step 1: LossLaw.


@st.composite
def loss_law_data(draw):
    """N, D and loss for a fit: sizes and token counts, losses on a law with some noise (or
    anywhere), each in some container, with a little junk."""
    n = draw(mostly(st.integers(6, 12), st.integers(0, 5), 3))
    sizes = st.sampled_from([1.9e8, 3.7e8, 7.6e8, 1.3e9]) | positive(1e6, 1e12)
    tokens = st.sampled_from([4e9, 2e10, 1e11]) | positive(1e8, 1e13)
    N = draw(st.lists(sizes, min_size=n, max_size=n))
    D = draw(st.lists(tokens, min_size=n, max_size=n))
    if not once_in(draw, 4):
        noise = draw(st.lists(st.floats(-0.05, 0.05), min_size=n, max_size=n))
        loss = [float(LAWS_BY_NAME["fitted"].predict(x, y)) * (1 + e)
                for x, y, e in zip(N, D, noise)]
    else:
        loss = draw(st.lists(positive(1e-3, 1e3), min_size=n, max_size=n))
    index = draw(st.sampled_from(INDEXES))
    return tuple(draw(wrapped(v, index, junk_odds=10)) for v in (N, D, loss))


@settings(max_examples=examples(40), **SETTINGS)
@given(data=loss_law_data(),
       irreducible=mostly(st.sampled_from([False, True, np.True_]), JUNK_SCALAR))
def test_loss_law_fit(data, irreducible):
    N, D, loss = data
    ok, law = attempt(LossLaw.fit, N, D, loss, irreducible=irreducible)
    if ok:
        assert isinstance(law, LossLaw)
        assert np.all(np.isfinite([law.a, law.alpha, law.b, law.beta, law.E, law.rss]))
        assert law.irreducible == bool(irreducible)


@settings(max_examples=examples(80), **SETTINGS)
@given(law=LAWS, N=numbers(1e5, 1e14), D=numbers(1e8, 1e15))
def test_loss_law_predict(law, N, D):
    ok, out = attempt(LAWS_BY_NAME[law].predict, N, D)
    if ok:
        check_scalar_or_array(out, N, D)
        assert np.all(np.isfinite(out)) and np.all(np.asarray(out) > 0), out


@settings(max_examples=examples(100), **SETTINGS)
@given(law=LAWS, loss=numbers(0.3, 6), D=numbers(1e8, 1e15))
def test_loss_law_params_for(law, loss, D):
    ok, out = attempt(LAWS_BY_NAME[law].params_for, loss, D)
    if ok:  # NaN at or below the loss floor, a size (>= 0; huge losses underflow to 0) above it
        check_scalar_or_array(out, loss)
        arr = np.asarray(out, dtype=float)
        assert np.all(np.isnan(arr) | (arr >= 0)), out


@settings(max_examples=examples(100), **SETTINGS)
@given(law=LAWS, D=numbers(1e8, 1e15))
def test_loss_law_loss_floor(law, D):
    ok, out = attempt(LAWS_BY_NAME[law].loss_floor, D)
    if ok:
        assert isinstance(out, float) and np.isfinite(out) and out >= 0, out


# ---------------------------------------------------------------------------------------------
# Step 2: PerformanceCurve.


@st.composite
def curve_data(draw):
    """Loss, score, floor and ceiling for a fit: scores on a sigmoid of the loss with noise (as
    fractions or percent), floor and ceiling mostly None or the true ones, with a little junk."""
    n = draw(mostly(st.integers(5, 12), st.integers(0, 4), 3))
    scale = draw(st.sampled_from([1.0, 100.0]))
    floor = draw(st.sampled_from([0.0, 0.25])) * scale
    loss = draw(st.lists(st.sampled_from([0.6, 0.8, 1.0]) | positive(0.3, 5), min_size=n,
                         max_size=n))
    noise = draw(st.lists(st.floats(-0.03, 0.03), min_size=n, max_size=n))
    gamma, mid = draw(st.floats(-20, -0.5)), draw(st.floats(0.3, 3))
    low = floor / scale
    score = [max(0.0, scale * (low + (1 - low) / (1 + np.exp(-gamma * (x - mid))) + e))
             for x, e in zip(loss, noise)]
    if once_in(draw, 5):
        score = draw(st.lists(positive(1e-3, 1e3), min_size=n, max_size=n))
    if n and once_in(draw, 4):  # a score of exactly 0 (e.g. 0% on MATH)
        score[draw(st.integers(0, n - 1))] = 0.0
    index = draw(st.sampled_from(INDEXES))
    floor_arg = draw(mostly(st.sampled_from([None, None, floor, 0.0]), JUNK_SCALAR))
    ceiling_arg = draw(mostly(st.sampled_from([None, None, scale]), JUNK_SCALAR))
    return (draw(wrapped(loss, index, junk_odds=10)), draw(wrapped(score, index, junk_odds=10)),
            floor_arg, ceiling_arg)


@settings(max_examples=examples(60), **SETTINGS)
@given(data=curve_data())
def test_performance_curve_fit(data):
    loss, score, floor, ceiling = data
    ok, curve = attempt(PerformanceCurve.fit, loss, score, floor=floor, ceiling=ceiling)
    if ok:
        assert isinstance(curve, PerformanceCurve)
        assert np.all(np.isfinite([curve.c, curve.gamma, curve.l, curve.d, curve.rss]))
        assert curve.gamma < 0


@settings(max_examples=examples(80), **SETTINGS)
@given(curve=CURVES, loss=numbers(0.1, 10))
def test_performance_curve_predict(curve, loss):
    curve = CURVES_BY_NAME[curve]
    ok, out = attempt(curve.predict, loss)
    if ok:
        check_scalar_or_array(out, loss)
        arr = np.asarray(out)
        assert np.all(np.isfinite(arr)) and np.all((arr >= curve.floor) & (arr <= curve.ceiling))


ERRORS = mostly(st.sampled_from(["raise", "coerce"]),
                st.sampled_from(["RAISE", "ignore", None, 1, "", ["raise"], np.array(["raise"])]))


@settings(max_examples=examples(80), **SETTINGS)
@given(curve=CURVES, score=numbers(0.2, 1.0) | numbers(20, 100), errors=ERRORS)
def test_performance_curve_loss_for(curve, score, errors):
    ok, out = attempt(CURVES_BY_NAME[curve].loss_for, score, errors=errors)
    if ok:
        check_scalar_or_array(out, score)
        arr = np.asarray(out, dtype=float)
        assert np.all(np.isfinite(arr) | ((errors == "coerce") & np.isnan(arr))), out


# ---------------------------------------------------------------------------------------------
# Steps 3-4: Reference.

D0S = mostly(st.sampled_from([1e12, 1e9, 1e15, 4e12, np.float64(2e12), 10**12]), JUNK_SCALAR)


@settings(max_examples=examples(60), **SETTINGS)
@given(law=mostly(LAWS, JUNK_ATOMS, 2), curve=mostly(CURVES, JUNK_ATOMS, 2), D0=D0S)
def test_reference_construction(law, curve, D0):
    """A Reference is either refused or can say which scores it can place."""
    law = LAWS_BY_NAME.get(law, law) if isinstance(law, str) else law
    curve = CURVES_BY_NAME.get(curve, curve) if isinstance(curve, str) else curve
    ok, ref = attempt(Reference, law, curve, D0)
    if ok:
        low, high = must(lambda: ref.score_range)
        assert np.isfinite(low) and np.isfinite(high) and low < high


SCORES = numbers(0.2, 0.99)  # the reference places (0.2875, 0.943)


@settings(max_examples=examples(100), **SETTINGS)
@given(score=SCORES, n_params=numbers(1e5, 1e14), errors=ERRORS)
def test_reference_density(score, n_params, errors):
    ok, out = attempt(REF.density, score, n_params, errors=errors)
    if ok:  # positive; NaN only with errors="coerce"
        check_scalar_or_array(out, score, n_params)
        arr = np.asarray(out, dtype=float)
        assert np.all(arr[~np.isnan(arr)] > 0) and not np.any(np.isinf(arr)), out
        assert errors == "coerce" or not np.isnan(arr).any(), out


@settings(max_examples=examples(80), **SETTINGS)
@given(score=SCORES, errors=ERRORS)
def test_reference_effective_params(score, errors):
    ok, out = attempt(REF.effective_params, score, errors=errors)
    if ok:
        check_scalar_or_array(out, score)
        arr = np.asarray(out, dtype=float)
        assert np.all(arr[~np.isnan(arr)] > 0), out
        assert errors == "coerce" or not np.isnan(arr).any(), out


@settings(max_examples=examples(80), **SETTINGS)
@given(N=numbers(1e5, 1e14), D=numbers(1e8, 1e15))
def test_reference_predict_score(N, D):
    ok, out = attempt(REF.predict_score, N, D)
    if ok:
        check_scalar_or_array(out, N, D)
        arr = np.asarray(out)
        assert np.all((arr >= REF.curve.floor) & (arr <= REF.curve.ceiling)), out


# ---------------------------------------------------------------------------------------------
# Step 5: fit_trend and the TrendFit it returns.

JUNK_DATES = st.sampled_from([
    None, np.nan, pd.NaT, 2024, 2024.0, 45000, np.int64(2024), True, "2024", "2024-13-45",
    "2024-02-30", "0001-01-01", "9999-12-31", "2024-01-01T00:00:00+05:00", "2024-01-01 junk",
    "", "abc", pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2262-04-11"),
    pd.Timestamp("1677-09-22"), np.datetime64("2024-01-01T00:00:00.000000001"),
    np.datetime64("NaT"), dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), [["2024-01-01"]], {},
    Weird(), 1e300,
])
DATE_FORMS = ("str", "timestamp", "date", "datetime64", "tz")


def as_form(day: pd.Timestamp, form: str):
    return {"str": lambda: day.strftime("%Y-%m-%d"), "timestamp": lambda: day,
            "date": lambda: day.date(), "datetime64": lambda: np.datetime64(day, "D"),
            "tz": lambda: day.tz_localize("Asia/Kolkata")}[form]()


DAYS = st.integers(0, 2000).map(lambda k: pd.Timestamp("2020-01-01") + pd.Timedelta(days=k))
A_DATE = st.builds(as_form, DAYS, st.sampled_from(DATE_FORMS))


@st.composite
def trend_inputs(draw):
    """Release dates and densities: mostly a usable table in one date form (few distinct
    densities sometimes, so that ties and flat lines occur), with a little junk."""
    n = draw(mostly(st.integers(3, 10), st.integers(0, 2), 4))
    form = draw(st.sampled_from(DATE_FORMS[:4]) | st.sampled_from(DATE_FORMS))
    days = sorted(draw(st.lists(DAYS, min_size=n, max_size=n)))
    if once_in(draw, 3):  # a rising staircase: ties and flat stretches
        rho = sorted(draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 4.0]), min_size=n,
                                   max_size=n)))
    else:
        rate, noise = draw(st.floats(-0.002, 0.01)), st.floats(-0.5, 0.5)
        rho = [float(np.exp(rate * (d - days[0]).days + draw(noise))) for d in days]
        if n and once_in(draw, 6):
            rho[draw(st.integers(0, n - 1))] = draw(st.sampled_from([1e-300, 1e300, 5e-324]))
    order = draw(st.permutations(range(n)))
    dates = [as_form(days[i], form) for i in order]
    rho = [rho[i] for i in order]
    if dates and once_in(draw, 7):
        dates[draw(st.integers(0, n - 1))] = draw(JUNK_DATES | A_DATE)
    index = draw(st.sampled_from(INDEXES))
    kind = draw(st.sampled_from(["list", "array", "series", "index"]))
    if kind == "index":
        with contextlib.suppress(Exception):
            dates = pd.DatetimeIndex(dates)
    elif kind == "array":
        dates = np.array(dates, dtype=object)
    elif kind == "series":
        dates = pd.Series(dates, index=index_of(index, n), dtype=object)
    if once_in(draw, 13):
        dates = draw(JUNK_SCALAR | JUNK_DATES)
    return dates, draw(wrapped(rho, index, junk_odds=8))


ESTIMATORS = mostly(st.sampled_from(["envelope", "ols", "quantile"]),
                    st.sampled_from(["OLS", "", None, 0, ("ols",), ["ols"], np.array(["ols"])]), 8)
N_BOOT = mostly(st.sampled_from([0, 1, 2, 5, 20, 50, np.int64(10)]),
                st.sampled_from([-1, 2.5, True, None, "5", 1e9 + 0.5, np.float64(5)]), 8)
CI_LEVEL = mostly(st.floats(0.01, 0.99) | st.sampled_from([0.95, 0.5]), st.sampled_from(
    [0, 1, 0.0, 1.0, np.nan, -0.5, 95, "0.9", [0.9], [0.5, 0.9], np.array([0.8, 0.9]), None,
     True, np.array(0.9)]), 8)
SEED = mostly(st.sampled_from([0, 1, np.int64(7), 2**40]),
              st.sampled_from([-1, None, 1.0, "0", True, 2**70]), 8)
ORIGIN = mostly(st.none(), A_DATE | JUNK_DATES, 5)
MORE_DATES = st.lists(st.lists(A_DATE, min_size=1, max_size=4) | JUNK_DATES | A_DATE, max_size=2)


def check_trend_fit(fit, n_boot, more_dates) -> None:
    assert isinstance(fit, TrendFit)
    assert np.isfinite(fit.A) and np.isfinite(fit.B)
    assert len(fit.bootstrap_A) == len(fit.bootstrap_B) == n_boot
    lo, hi = must(lambda: fit.A_ci)
    assert (np.isnan(lo) and np.isnan(hi)) or lo <= hi
    d_lo, d_hi = must(lambda: fit.doubling_days_ci)
    assert isinstance(d_lo, float) and isinstance(d_hi, float)
    summary = must(fit.summary)
    assert isinstance(summary, dict) and summary["envelope models"] >= 3
    for dates in more_dates:
        ok, band = attempt(fit.band, dates)
        if ok:
            low, high = band
            assert low.shape == high.shape == (len(np.atleast_1d(dates)),)
            assert np.all((low <= high) | np.isnan(low))
        ok, predicted = attempt(fit.predict, dates)
        if ok:
            assert predicted.shape == (len(np.atleast_1d(dates)),)
            assert np.all(predicted >= 0), predicted


@settings(max_examples=examples(100), **SETTINGS)
@given(inputs=trend_inputs(), origin=ORIGIN, n_boot=N_BOOT, ci_level=CI_LEVEL, seed=SEED,
       estimator=ESTIMATORS, more_dates=MORE_DATES)
def test_fit_trend(inputs, origin, n_boot, ci_level, seed, estimator, more_dates):
    dates, rho = inputs
    ok, fit = attempt(fit_trend, dates, rho, origin=origin, n_boot=n_boot, ci_level=ci_level,
                      seed=seed, estimator=estimator)
    if ok:
        check_trend_fit(fit, int(n_boot), more_dates)


# ---------------------------------------------------------------------------------------------
# Specification.

FIELD_VALUES = {
    "benchmarks": st.sampled_from([("mmlu",), ["mmlu", "bbh"], "mmlu", (), ("mmlu", "mmlu"),
                                   ("MMLU",), ("bbh_leaderboard",), (1,), [None], {"mmlu": 1},
                                   b"mmlu", ("humaneval", "bbh_leaderboard")]),
    "scores": st.sampled_from(["reported", "uniform"]),
    "panel": st.sampled_from(["models", "obsscaling", "both"]),
    "reference": st.sampled_from(["c4_panel", "task_loss"]),
    "irreducible": st.sampled_from([False, True, np.False_]),
    "D0": D0S,
    "params": st.sampled_from(["total", "non_embedding"]),
    "estimator": st.sampled_from(["envelope", "ols", "quantile"]),
    "models": st.sampled_from(["all", "paper"]),
    "window": st.sampled_from([(None, None), ("2023-01-01", None), [None, "2024-12-31"],
                               ("2024-01-01", "2023-01-01"), ("2024-1-1", None), "ab", 5, None,
                               (None,), (None, None, None), ("2024-02-30", None), (2024, None),
                               ("2024-01-01T00:00", None), (np.nan, None), [[], None], {}]),
    "aggregate": st.sampled_from(["mean_score", "geometric", "median"]),
    "min_benchmarks": st.sampled_from([3, 1, 5, 6, 0, -1, np.int64(3), 3.0, True, 10**30]),
    "moe": st.sampled_from(["exclude", "total", "active"]),
    "exclude": st.sampled_from([(), ("Qwen2-7B",), "Qwen2-7B", [None], 5, [["a"]]]),
    "alternative_scores": st.sampled_from([(), ("x",), "x", [1.5], None]),
    "n_boot": N_BOOT,
    "seed": SEED,
}


@settings(max_examples=examples(200), **SETTINGS)
@given(fields=st.fixed_dictionaries({}, optional={
    name: mostly(values, JUNK_SCALAR, 3) for name, values in FIELD_VALUES.items()}))
def test_specification(fields):
    ok, spec = attempt(Specification, **fields)
    if ok:  # equal specifications hash alike: the analyses are cached by specification
        assert isinstance(spec, Specification)
        must(hash, spec)
        assert isinstance(must(spec.describe), str)


# ---------------------------------------------------------------------------------------------
# The calculator: the default specification and one other, their references fitted once.

GOOD_SCORES = {"mmlu": 70.0, "bbh": 60.0, "math": 40.0, "humaneval": 50.0, "mbpp": 60.0}
MEDIAN = Specification(aggregate="median", min_benchmarks=1)
SPECS = mostly(st.sampled_from([None, None, Specification(), MEDIAN]),
               st.sampled_from(["default", 0, {}, Weird(), Specification, "median"]))
N_DRAWS_VALUES = mostly(st.sampled_from([0, 5]), st.sampled_from([-1, 2.5, None, True, "5"]))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for _spec in (None, MEDIAN):
        for _draws in (0, 5):
            density_of(7.6e9, **GOOD_SCORES, spec=_spec, n_draws=_draws)

SCORE_VALUES = mostly(st.floats(20, 95) | st.sampled_from([25.0, 0.7, 100.0, 99.99, 0.0]),
                      JUNK_SCALAR)


@settings(max_examples=examples(100), **SETTINGS)
@given(n_params=mostly(st.sampled_from([7.6e9, 1e5, 1e14, 7.6]) | positive(1e8, 1e12),
                       JUNK_SCALAR | numbers(1e9, 1e11)),
       scores=st.fixed_dictionaries({}, optional={b: SCORE_VALUES for b in BENCHMARKS}),
       all_given=st.sampled_from([True, True, True, False]), spec=SPECS, n_draws=N_DRAWS_VALUES)
def test_density_of(n_params, scores, all_given, spec, n_draws):
    if all_given:
        scores = {**{b: scores.get(b, GOOD_SCORES[b]) for b in BENCHMARKS}}
    ok, result = attempt(density_of, n_params, **scores, spec=spec, n_draws=n_draws)
    if ok:
        assert isinstance(result, ModelDensity)
        assert np.isfinite(result.density) and result.density > 0
        assert result.effective_params == pytest.approx(result.density * result.n_params)
        lo, hi = result.interval
        assert (np.isnan(lo) and np.isnan(hi)) or lo <= hi


@st.composite
def tables(draw):
    """A table of models: mostly the right columns with good values and a little junk, in
    various dtypes and indexes."""
    n = draw(mostly(st.integers(1, 4), st.just(0), 6))
    columns = ["n_params", *BENCHMARKS] if not once_in(draw, 4) else draw(st.lists(
        st.sampled_from(["n_params", *BENCHMARKS]), unique=True, max_size=6))
    columns += draw(st.lists(st.sampled_from(["model", "reason", "density", "extra", 0]),
                             unique=True, max_size=2))
    data = {}
    for column in columns:
        if column == "n_params":
            good = positive(1e8, 1e12)
        elif column in BENCHMARKS:
            good = st.floats(30, 90)
        else:
            good = st.text(max_size=3)
        values = draw(st.lists(good, min_size=n, max_size=n))
        if values and once_in(draw, 10):
            values[draw(st.integers(0, n - 1))] = draw(JUNK_ATOMS | st.sampled_from(
                ["", " ", "70", "abc", None, [], [70.0]]))
        data[column] = values
    table = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()},
                         index=pd.RangeIndex(n))
    dtype = draw(st.sampled_from(["infer", "infer", "object", "float", "string", "category",
                                  "Float64"]))
    with contextlib.suppress(Exception):
        table = {"object": table, "infer": table.infer_objects(), "float": table.astype(float),
                 "string": table.astype("string"), "category": table.astype("category"),
                 "Float64": table.astype("Float64")}[dtype]
    index = draw(st.sampled_from(["range", "range", "duplicate", "text", "multi"]))
    if index == "duplicate":
        table.index = [0] * n
    elif index == "text":
        table.index = [f"r{i}" for i in range(n)]
    elif index == "multi" and n:
        table.index = pd.MultiIndex.from_arrays([range(n), range(n)])
    if once_in(draw, 11) and len(table.columns) > 1:  # a duplicated column name
        table.columns = [table.columns[0]] * 2 + list(table.columns[2:])
    if once_in(draw, 11):
        return draw(JUNK_ATOMS | st.just(data) | st.just(list(data.values())))
    return table


@settings(max_examples=examples(80), **SETTINGS)
@given(table=tables(), spec=SPECS, n_draws=N_DRAWS_VALUES)
def test_densities_of(table, spec, n_draws):
    ok, out = attempt(densities_of, table, spec, n_draws)
    if ok:  # one row per model, each with a density or the reason it has none
        assert isinstance(out, pd.DataFrame) and len(out) == len(table)
        assert "reason" in out.columns
        placed = (out["reason"] == "").to_numpy()
        density = out["density"].to_numpy(float)
        assert np.all(density[placed] > 0) and np.all(np.isfinite(density[placed]))
        assert np.all(np.isnan(density[~placed]))


# ---------------------------------------------------------------------------------------------
# The command line.

_HEADER = "model,release_date,n_params,mmlu,bbh,math,humaneval,mbpp\n"
CSVS = {  # name: content (bytes for a binary file)
    "empty": "",
    "header": "n_params,mmlu,bbh,math,humaneval,mbpp\n",
    "good": "n_params,mmlu,bbh,math,humaneval,mbpp\n7.6e9,70,60,40,50,60\n",
    "no_scores": "n_params\n7.6e9\n",
    "billions": "n_params,mmlu,bbh,math,humaneval,mbpp\n7.6,70,60,40,50,60\n",
    "text": "n_params,mmlu,bbh,math,humaneval,mbpp\nabc,seventy,,,,\n",
    "underscore": "n_params,mmlu,bbh,math,humaneval,mbpp\n7.6e9,7_0,60,40,50,60\n",
    "ragged": "n_params,mmlu\n7.6e9,70,60,40\n1,2\n",
    "quotes": 'n_params,mmlu\n"7.6e9,70\n',
    "trend": _HEADER + "a,2023-01-01,7e9,50,40,20,30,40\nb,2023-06-01,7e9,60,50,30,40,50\n"
                      "c,2024-01-01,7e9,70,60,40,50,60\nd,2024-06-01,7e9,75,65,45,55,65\n",
    "trend_unnamed": _HEADER + ",2023-01-01,7e9,50,40,20,30,40\nb,2023-06-01,7e9,60,50,30,40,50\n"
                              "c,2024-01-01,7e9,70,60,40,50,60\n",
    "trend_few": _HEADER + "a,2023-01-01,7e9,50,40,20,30,40\n",
    "trend_dates": _HEADER + "a,2023,7e9,50,40,20,30,40\nb,,7e9,60,50,30,40,50\n",
    "trend_same_day": _HEADER + "a,2023-01-01,7e9,50,40,20,30,40\nb,2023-01-01,7e9,60,50,30,40,50\n"
                               "c,2023-01-01,7e9,70,60,40,50,60\n",
    "duplicate_columns": "n_params,n_params,mmlu,bbh,math,humaneval,mbpp\n7e9,7e9,70,60,40,50,60\n",
    "binary": b"\xff\xfe\x00n_params\x00\x81\n\x00\x00",
}
CSV_NAMES = [*CSVS, "<folder>", "<missing>", "<blank>"]


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("junk_csv")
    for name, content in CSVS.items():
        path = folder / f"{name}.csv"
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return folder


def csv_path(folder: Path, name: str) -> str:
    special = {"<folder>": str(folder), "<missing>": str(folder / "missing.csv"), "<blank>": ""}
    return special.get(name, str(folder / f"{name}.csv") if name in CSVS else name)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = quiet(main, argv)
        except SystemExit as exit_:  # argparse's refusals (2) and --help/--version (0)
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", CSV_NAMES)
def test_cli_csv_files(csv_dir, name):
    """Each junk file through both commands and every output format: exit code 0 or 2."""
    for command in ("density", "trend"):
        for fmt in ("table", "csv", "json"):
            code, out, err = run_cli([command, "--csv", csv_path(csv_dir, name), "--draws", "5",
                                      "--format", fmt])
            assert code in (0, 2), (command, fmt, code, err)
            if code == 0 and fmt == "json":  # strict JSON
                json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))


CELL = {  # good values of a column, and the junk written into it
    "model": (st.sampled_from(["a", "b", "c", "Qwen2-7B"]),
              st.sampled_from(["", "nan", "NA", "1", "x,y", '"', "é"])),
    "release_date": (st.integers(0, 6).map(lambda k: f"202{k // 2}-0{1 + 5 * (k % 2)}-01"),
                     st.sampled_from(["", "2024", "2024-13-01", "01/02/2024", "2024-01-01 12:00",
                                      "2024-01-01T00:00+05:00", "0001-01-01", "nan"])),
    "n_params": (st.sampled_from(["7e9", "1.5e9", "7.6e10", "3e8"]),
                 st.sampled_from(["", "7.6", "abc", "-7e9", "inf", "nan", "1e400", "0", "True",
                                  "7e9 ", "७e9", "0x10", "1_000_000_000"])),
    "score": (st.integers(30, 85).map(str),
              st.sampled_from(["", "0.7", "abc", "-5", "101", "inf", "nan", "True", "70%", " 70",
                               "1e2", "२५", "25"])),
}


@st.composite
def csv_texts(draw):
    """A CSV of models: the columns the commands read (some dropped, some duplicated, some
    extra), good values with a few junk cells."""
    n = draw(st.integers(1, 6))
    columns = ["model", "release_date", "n_params", *BENCHMARKS]
    columns = [c for c in columns if not once_in(draw, 13)]  # rarely drop one
    columns += draw(st.lists(st.sampled_from(["extra", "reason", "density", "n_params"]),
                             max_size=2))
    rows = []
    for _ in range(n):
        row = []
        for column in columns:
            good, junk = CELL.get(column, CELL["score"] if column in BENCHMARKS else CELL["model"])
            row.append(draw(junk if once_in(draw, 10) else good))
        rows.append(row)
    return pd.DataFrame(rows, columns=columns).to_csv(index=False)


@settings(max_examples=examples(40), **SETTINGS)
@given(text=csv_texts(), command=st.sampled_from(["density", "trend"]),
       fmt=st.sampled_from(["table", "csv", "json"]),
       extra=st.sampled_from([[], [], ["--aggregate", "median", "--min-benchmarks", "1"],
                              ["--estimator", "quantile"], ["--estimator", "ols"],
                              ["--d0", "4e12"]]))
def test_cli_generated_csv(csv_dir, text, command, fmt, extra):
    path = csv_dir / "generated.csv"
    path.write_text(text)
    if command == "density":
        extra = [x for x in extra if x not in ("--estimator", "quantile", "ols")]
    code, out, err = run_cli([command, "--csv", str(path), "--draws", "5", "--format", fmt,
                              *extra])
    assert code in (0, 2), (code, err)
    if code == 0 and fmt == "json":  # strict JSON
        json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))


VALUES = ["abc", "nan", "inf", "-inf", "-1", "0", "1e400", "7.6e9", "7.6", "70", "", "0.7", "1e12"]
OPTIONS = ["--params", *(f"--{b}" for b in BENCHMARKS), "--csv", "--aggregate", "--min-benchmarks",
           "--d0", "--draws", "--format", "--estimator", "--plot", "--junk", "-h"]


@st.composite
def argvs(draw):
    command = draw(st.sampled_from(["density", "density", "density", "trend", "", "junk"]))
    argv = [command] if command else []
    options = draw(st.lists(st.sampled_from(OPTIONS), unique=True, max_size=5))
    if command == "density" and not once_in(draw, 4):
        options = ["--params", *(f"--{b}" for b in BENCHMARKS)] + options
    if command == "trend" and draw(st.booleans()):
        options = ["--csv"] + options
    draws = draw(st.sampled_from(["5", "5", "5", "0", "-1", "abc"]))
    for option in dict.fromkeys(options):
        if option == "--csv":
            value = "@" + draw(st.sampled_from(CSV_NAMES))  # a file of csv_dir
        elif option == "--aggregate":
            value = draw(st.sampled_from(["mean_score", "median", "geometric", "mean"]))
        elif option == "--min-benchmarks":
            value = draw(st.sampled_from(["1", "3", "5", "6", "0", "-1", "abc"]))
        elif option == "--d0":
            value = draw(st.sampled_from(["1e12", "2e12", "nan", "inf", "1e8", "1e16", "abc"]))
        elif option == "--draws":
            value = draws
        elif option == "--format":
            value = draw(st.sampled_from(["table", "csv", "json", "xml"]))
        elif option == "--estimator":
            value = draw(st.sampled_from(["envelope", "ols", "quantile", "mean"]))
        elif option == "--plot":
            value = draw(st.sampled_from(["@<missing>/x.png", "@<folder>", "@<blank>"]))
        elif option == "-h":
            argv.append(option)
            continue
        elif option in ("--params", *(f"--{b}" for b in BENCHMARKS)):
            good = {"--params": "7.6e9", **{f"--{b}": str(v) for b, v in GOOD_SCORES.items()}}
            value = draw(st.sampled_from([good[option]] * 6 + VALUES))
        else:
            value = draw(st.sampled_from(VALUES))
        argv += [option, value]
    if "--draws" not in options:
        argv += ["--draws", draws]
    return argv


@settings(max_examples=examples(60), **SETTINGS)
@given(argv=argvs())
def test_cli_flags(csv_dir, argv):
    argv = [csv_path(csv_dir, a[1:]).replace("<missing>", str(csv_dir / "missing"))
            if a.startswith("@") else a for a in argv]
    code, out, err = run_cli(argv)
    assert code in (0, 2), (code, err)
    fmt = argv[argv.index("--format") + 1] if "--format" in argv else "table"
    if code == 0 and fmt == "json" and "-h" not in argv:  # strict JSON
        json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))


# ---------------------------------------------------------------------------------------------
# The failures these properties found, one minimal case each: ValueError or a result, nothing
# else; kept against regressions.

KNOWN = [
    # huge Python ints: np.asarray(..., float) raises OverflowError
    pytest.param(lambda: REF.law.predict(10**400, 1e12), id="LossLaw.predict-huge-int"),
    pytest.param(lambda: REF.curve.predict(10**400), id="PerformanceCurve.predict-huge-int"),
    pytest.param(lambda: REF.curve.loss_for(10**400), id="PerformanceCurve.loss_for-huge-int"),
    pytest.param(lambda: REF.effective_params(10**400), id="Reference.effective_params-huge-int"),
    pytest.param(lambda: REF.density(0.5, 10**400), id="Reference.density-huge-int"),
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-06-01", "2024-01-01"], [1, 2, 10**400],
                                   n_boot=0), id="fit_trend-huge-int"),
    pytest.param(lambda: density_of(7.6e9, **{**GOOD_SCORES, "mmlu": 10**400}, n_draws=0),
                 id="density_of-huge-int"),
    # D as a one-element list: float() of a 1-D array
    pytest.param(lambda: REF.law.loss_floor([1e12]), id="LossLaw.loss_floor-list"),
    pytest.param(lambda: REF.law.params_for(1.0, [1e12]), id="LossLaw.params_for-list-D"),
    # the fit's bounds collapse: least squares refuses them, RuntimeError
    pytest.param(lambda: PerformanceCurve.fit([1, 2, 3, 4, 5], [0.9, 0.8, 0.5, 0.3, 0.0]),
                 id="PerformanceCurve.fit-min-score-0"),
    pytest.param(lambda: PerformanceCurve.fit([1, 2, 3, 4, 1e11], [0.9, 0.5, 0.3, 0.2, 0.2],
                                              floor=0.0, ceiling=1.0),
                 id="PerformanceCurve.fit-huge-loss-span"),
    pytest.param(lambda: PerformanceCurve.fit([1, 2, 3, 4, 5], [0.9, 0.8, 0.5, 0.3, 0.3],
                                              ceiling=1e308),
                 id="PerformanceCurve.fit-ceiling-1e308"),
    # floor or ceiling given as text or a list: accepted by the check, then used as a number
    pytest.param(lambda: PerformanceCurve.fit([1, 2, 3, 4, 5], [0.9, 0.8, 0.5, 0.3, 0.3],
                                              ceiling="1"), id="PerformanceCurve.fit-ceiling-text"),
    pytest.param(lambda: PerformanceCurve.fit([1, 2, 3, 4, 5], [0.9, 0.8, 0.5, 0.3, 0.3],
                                              floor=[0.1], ceiling=1.0),
                 id="PerformanceCurve.fit-floor-list"),
    # a Reference of anything
    pytest.param(lambda: Reference(None, None).score_range, id="Reference-of-None"),
    # fit_trend
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-06-01", "2024-01-01"], [1, 2, 4], n_boot=0,
                                   origin=pd.Timestamp("2023-01-01", tz="UTC")),
                 id="fit_trend-tz-origin"),
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-06-01", "2024-01-01"], [1, 2, 4], n_boot=0
                                   ).band([pd.Timestamp("2023-01-01", tz="UTC")]),
                 id="TrendFit.band-tz-dates"),
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-06-01", "2024-01-01"], [1, 2, 4], n_boot=0,
                                   ci_level=[0.8, 0.9]), id="fit_trend-ci_level-list"),
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01",
                                    "2023-05-01"], [1, 2, 4, 4, 1], n_boot=0,
                                   estimator="quantile").summary(), id="TrendFit.summary-A-zero"),
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01",
                                    "2023-05-01"], [1, 2, 4, 4, 1], n_boot=50,
                                   estimator="quantile").summary(),
                 id="TrendFit.summary-A-zero-with-draws"),
    pytest.param(lambda: fit_trend([pd.Timestamp("1678-01-01"), pd.Timestamp("2000-01-01"),
                                    pd.Timestamp("2261-01-01T00:00:00.000000001")], [1, 2, 4],
                                   n_boot=0), id="fit_trend-ns-dates-583-years-apart"),
    pytest.param(lambda: fit_trend(["2023-01-01", "2023-06-01", "2024-01-01"], [1, 2, 4], n_boot=0,
                                   origin=np.datetime64("NaT")), id="fit_trend-NaT-without-unit"),
    # Specification
    pytest.param(lambda: Specification(window=5), id="Specification-window-int"),
    pytest.param(lambda: Specification(window=None), id="Specification-window-None"),
    pytest.param(lambda: Specification(models=pd.NA), id="Specification-choice-NA"),
    # the calculator
    pytest.param(lambda: density_of(7.6e9, **GOOD_SCORES, spec="default", n_draws=0),
                 id="density_of-spec-text"),
    pytest.param(lambda: densities_of(pd.DataFrame({"n_params": [7.6e9], **{
        b: [v] for b, v in GOOD_SCORES.items()}}), spec=0, n_draws=0), id="densities_of-spec-int"),
    pytest.param(lambda: densities_of(pd.DataFrame({"n_params": [7.6e9], **{
        b: [v] for b, v in GOOD_SCORES.items()}, "mbpp": [[]]}), n_draws=0),
                 id="densities_of-list-cell"),
    pytest.param(lambda: densities_of({"n_params": [7.6e9]}, n_draws=0), id="densities_of-dict"),
]


@pytest.mark.parametrize("call", KNOWN)
def test_known_junk(call):
    with contextlib.suppress(ValueError):
        quiet(call)
