"""The density of your model: the same numbers as the book's analysis, and bad input refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from densing import Specification, analyse
from densing.calculator import densities_of, density_of
from densing.data import BENCHMARKS, load_models

QWEN = dict(n_params=7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9)


@pytest.fixture(scope="module")
def book_table() -> pd.DataFrame:
    models = load_models()
    return models.assign(n_params=models["params_b"] * 1e9)[
        ["model", "n_params", *BENCHMARKS]].dropna(subset=["n_params"])


@pytest.mark.parametrize("aggregate", ["mean_score", "median", "geometric"])
def test_a_table_gets_the_densities_of_the_book(book_table, aggregate):
    spec = Specification(aggregate=aggregate, n_boot=0)
    ours = densities_of(book_table, spec, n_draws=50).set_index("model")["density"]
    book = analyse(spec).densities.set_index("model")["rho"]
    both = ours.index.intersection(book.index)
    np.testing.assert_allclose(ours[both], book[both], rtol=1e-12, equal_nan=True)


def test_one_model_as_the_readme_shows():
    result = density_of(**QWEN, n_draws=100)
    book = analyse(Specification(n_boot=0)).densities.set_index("model").loc["Qwen2.5-7B", "rho"]
    assert result.density == pytest.approx(book, rel=1e-12)
    assert result.effective_params == pytest.approx(result.density * QWEN["n_params"])
    low, high = result.interval
    assert 0 < low < high and 0 < result.placed_share <= 1
    assert "D0 = 1T" in result.reference and result.D0 == 1e12


@settings(max_examples=25, deadline=None)
@given(factor=st.floats(0.1, 10))
def test_density_is_inversely_proportional_to_size(factor):
    base, scaled = (density_of(**{**QWEN, "n_params": QWEN["n_params"] * f}, n_draws=20)
                    for f in (1.0, factor))
    assert scaled.density * factor == pytest.approx(base.density, rel=1e-9)
    assert scaled.effective_params == pytest.approx(base.effective_params, rel=1e-9)


@pytest.mark.parametrize(("change", "message"), [
    ({"n_params": 7.6}, r"n_params = 7\.6 is outside the valid range \[100000, 1e\+14\] .* "
                        r"looks like billions: pass 7\.6e9"),
    ({"n_params": float("inf")}, r"n_params = inf is not finite: the valid range is \[100000"),
    ({"n_params": None}, r"n_params is missing"),
    ({"n_params": "seven"}, r"n_params = 'seven' must be a number"),
    ({"mmlu": 120.0}, r"mmlu = 120\.0 is not a percentage: the valid range is \[0, 100\]"),
    ({"mmlu": -1.0}, r"mmlu = -1\.0 is not a percentage"),
    ({"bbh": float("inf")}, r"bbh = inf is not finite: the valid range is \[0, 100\]"),
    ({"mmlu": 0.742, "bbh": 0.704, "math": 0.498, "humaneval": 0.579, "mbpp": 0.749},
     r"look like fractions; pass percentages"),
    ({"bbh": None}, r"the mean score needs all of .*; missing bbh"),
    ({"mmlu": 10.0, "bbh": 10.0, "math": 1.0, "humaneval": 1.0, "mbpp": 1.0},
     r"near the floor"),
    ({"mmlu": 99.9, "bbh": 99.9, "math": 99.9, "humaneval": 99.9, "mbpp": 99.9},
     r"beyond what a reference trained on D0 = 1e\+12 tokens can reach"),
])
def test_bad_input_is_refused_with_its_field_value_and_range(change, message):
    with pytest.raises(ValueError, match=message):
        density_of(**{**QWEN, **change}, n_draws=20)


def test_a_table_keeps_every_row_and_says_why_one_has_no_density(book_table):
    out = densities_of(book_table, n_draws=20)
    assert len(out) == len(book_table)
    assert (out["density"].isna() == (out["reason"] != "")).all()
    phi1 = out.set_index("model").loc["Phi-1", "reason"]
    assert phi1.startswith("the mean score needs all of") and "missing mmlu, bbh, math" in phi1


def test_a_table_without_sizes_is_refused():
    with pytest.raises(ValueError, match="n_params is missing"):
        densities_of(pd.DataFrame({"mmlu": [70.0]}))
    with pytest.raises(ValueError, match=r"n_params is missing \(row 2\)"):
        densities_of(pd.DataFrame({"n_params": [7e9, None], "mmlu": [70.0, 60.0]}),
                     Specification(aggregate="median", min_benchmarks=1))


def test_no_draws_give_a_density_without_an_interval():
    from densing.calculator import density_of

    result = density_of(7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9,
                        n_draws=0)
    assert result.density > 0 and np.isnan(result.interval).all() and np.isnan(result.placed_share)
    for bad in (-1, 2.5, None):
        with pytest.raises(ValueError, match=f"^n_draws = {bad!r} "):
            density_of(7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9,
                       n_draws=bad)


def test_one_fraction_among_percentages_is_refused():
    """MMLU's random guessing scores 25%: 0.742 beside percentages is a fraction, not 0.742%."""
    with pytest.raises(ValueError, match=r"^mmlu = 0\.742 is far below random guessing \(25%\): "
                                         r"it looks like a fraction; pass percentages "
                                         r"\(0\.742 -> 74\.2\)$"):
        density_of(7.61e9, mmlu=0.742, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9)
    table = pd.DataFrame({"n_params": [7.61e9, 7.61e9], "mmlu": [74.2, 0.742], "bbh": 70.4,
                          "math": 49.8, "humaneval": 57.9, "mbpp": 74.9})
    with pytest.raises(ValueError, match=r"^mmlu = 0\.742 \(row 2\) is far below"):
        densities_of(table)
    # MATH can truly be below 1% for a small model: that stays a percentage.
    assert density_of(1.23e9, mmlu=32.2, bbh=30.7, math=0.8, humaneval=18.9, mbpp=35.98,
                      n_draws=0).density > 0
