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


@pytest.mark.parametrize(("columns", "message"), [
    (["n_params", "MMLU", "bbh", "math", "humaneval", "mbpp"],
     r"a column 'MMLU': did you mean 'mmlu'\? Column names are exact \(columns found: "),
    (["n_params", "mmlu", "bbh", "math", "Human Eval", "mbpp"], "did you mean 'humaneval'"),
    (["n_params", "mmlu", "mmlu", "math", "humaneval", "mbpp"],
     "has the column 'mmlu' more than once"),
])
def test_a_table_with_a_near_miss_or_duplicate_header_is_refused(columns, message):
    """Before, under the median, 'MMLU' was ignored and the density came from the other four."""
    table = pd.DataFrame([[7.61e9, 74.2, 70.4, 49.8, 57.9, 74.9]], columns=columns)
    with pytest.raises(ValueError, match=message):
        densities_of(table, Specification(aggregate="median", n_boot=0))


def test_a_large_table_is_done_in_blocks_with_the_same_numbers(book_table, monkeypatch):
    """The intervals come in blocks of rows (bounded memory, one sort per block); a block of
    one row gives the same numbers, which are numpy's percentiles of each row's refits."""
    import densing.calculator as calculator

    rows = pd.concat([book_table] * 3, ignore_index=True)
    whole = densities_of(rows, n_draws=40)
    monkeypatch.setattr(calculator, "BLOCK_CELLS", 1)
    pd.testing.assert_frame_equal(densities_of(rows, n_draws=40), whole)
    spec = Specification(n_boot=0)
    refits = calculator._draws(spec, 40).model_densities(
        calculator._validated(rows, spec).assign(
            n_b=rows["n_params"] / 1e9, score=rows[list(BENCHMARKS)].mean(axis=1, skipna=False)),
        spec)
    placed = whole["reason"] == ""
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):  # rows no refit can place
        tail = (1 - calculator.LEVEL) / 2 * 100  # 2.4999999999999982, as the calculator has it
        expected = np.nanpercentile(refits, [tail, 100 - tail], axis=0).T
    np.testing.assert_array_equal(whole.loc[placed, ["density_low", "density_high"]],
                                  expected[placed])


def test_a_table_of_many_rows_stays_in_bounded_memory():
    """10^5 rows took 1.9 GB (a 500 x 10^5 matrix of refits, copied); 20,000 rows peaked over
    200 MB. Now the refits come in blocks of 2^20 cells."""
    import tracemalloc

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"n_params": rng.uniform(1e9, 7e10, 20_000),
                          **{b: rng.uniform(40, 70, 20_000).round(1) for b in BENCHMARKS}})
    densities_of(table.iloc[:2], n_draws=500)  # the reference and its refits, cached
    tracemalloc.start()
    result = densities_of(table, n_draws=500)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6, f"peak {peak / 1e6:.0f} MB"
    assert len(result) == 20_000 and result["density_low"].notna().all()


def test_scores_near_the_top_of_the_reach_are_refused():
    """All five at 99.5 gave a density of about 1e167, outside its own interval."""
    with pytest.raises(ValueError, match=r"^the mean score is near the top of what a reference "
                                         r"trained on D0 = 1e\+12 tokens can reach \(above 94\.9\)"):
        density_of(7.61e9, mmlu=99.5, bbh=99.5, math=99.5, humaneval=99.5, mbpp=99.5)
    table = pd.DataFrame({"n_params": [7.61e9, 7.61e9], "humaneval": [57.9, 93.0]})
    result = densities_of(table, Specification(aggregate="median", min_benchmarks=1), n_draws=0)
    assert result["reason"].iloc[0] == "" and np.isfinite(result["density"].iloc[0])
    assert result["reason"].iloc[1].startswith("humaneval is near the top of what a reference "
                                               "trained on D0 = 1e+12 tokens can reach (above "
                                               "88.8)"), result["reason"].iloc[1]
