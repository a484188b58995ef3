"""The configurable analysis: the default is chapter 5's headline, every field changes what it
should, bad values are refused, and the batched refits agree with the single fits."""

from __future__ import annotations

import re

import numpy as np
import pytest

from densing import Specification, analyse
from densing.analysis import _c4_law, _ladder
from densing.data import BENCHMARKS, load_models
from densing.ladder import ladder_runs
from densing.loss_law import refit


@pytest.fixture(scope="module")
def default():
    return analyse(Specification())


def test_default_reproduces_chapter_five(default):
    trend = default.trend
    assert len(default.used) == 58, "the number of models in the headline trend moved"
    assert trend.A == pytest.approx(0.008296, abs=5e-6) and trend.doubling_days == pytest.approx(
        83.6, abs=0.1), f"headline moved: A {trend.A:.6f}, {trend.doubling_days:.1f} days"
    assert trend.A_ci == pytest.approx((0.005826, 0.009611), abs=5e-6), trend.A_ci
    assert list(default.envelope_models["model"]) == [
        "Llama-1-13B", "Llama-2-13B", "Mistral-7B", "StableLM-Zephyr-3B", "Phi-2", "Qwen2-7B",
        "Qwen2.5-7B", "Qwen3-8B", "Seed-OSS-36B-Base"]


@pytest.mark.parametrize("change", [
    {"models": "paper"}, {"estimator": "ols"}, {"estimator": "quantile"}, {"D0": 4e12},
    {"irreducible": True}, {"benchmarks": ("mmlu",)}, {"params": "non_embedding"},
    {"window": (None, "2024-06-30")}, {"exclude": ("Phi-2",)},
    {"alternative_scores": ("Phi-2",)},
    {"scores": "uniform", "benchmarks": ("mmlu", "humaneval")},
    {"panel": "both", "benchmarks": ("mmlu", "humaneval")},
    {"reference": "task_loss", "benchmarks": ("mmlu",), "D0": 1e13},
])
def test_every_field_changes_the_result(default, change):
    other = analyse(Specification(n_boot=0, **change))
    assert other.trend.A != pytest.approx(default.trend.A, rel=1e-6), f"{change} changed nothing"


@pytest.mark.parametrize(("base", "change"), [
    ({"estimator": "ols"}, {"moe": "total"}),  # by total, mixtures of experts set no record
    ({}, {"moe": "active"}),
    ({}, {"aggregate": "geometric"}),
    ({}, {"aggregate": "median"}),
    ({"aggregate": "median"}, {"min_benchmarks": 4}),
    ({"aggregate": "geometric"}, {"min_benchmarks": 5}),
])
def test_the_newer_fields_change_the_result(base, change):
    before = analyse(Specification(n_boot=0, **base))
    after = analyse(Specification(n_boot=0, **base, **change))
    assert after.trend.A != pytest.approx(before.trend.A, rel=1e-6), f"{change} changed nothing"


def test_mixtures_of_experts_enter_only_when_asked(default):
    moe = set(default.densities.loc[default.densities["architecture"] == "moe", "model"])
    assert not moe & set(default.used["model"])
    for view in ("total", "active"):
        used = analyse(Specification(moe=view, n_boot=0)).used
        assert moe & set(used["model"]), view
    active = analyse(Specification(moe="active", n_boot=0)).densities.set_index("model")
    total = analyse(Specification(moe="total", n_boot=0)).densities.set_index("model")
    # Same effective size, fewer parameters: the density by active parameters is larger by the
    # ratio of total to active parameters, exactly.
    models = load_models().set_index("model")
    placed = sorted(m for m in moe if np.isfinite(total.loc[m, "rho"]))
    expected = models.loc[placed, "params_b"] / models.loc[placed, "params_active_b"]
    np.testing.assert_allclose(active.loc[placed, "rho"] / total.loc[placed, "rho"], expected,
                               rtol=1e-9)


def test_per_benchmark_aggregates_combine_the_per_benchmark_densities():
    for aggregate, combine in (("geometric", lambda x: np.exp(np.mean(np.log(x)))),
                               ("median", lambda x: np.exp(np.median(np.log(x))))):
        table = analyse(Specification(aggregate=aggregate, n_boot=0)).densities
        rho = table[[f"rho_{b}" for b in BENCHMARKS]].to_numpy(float)
        for row, value in zip(rho, table["rho"], strict=True):
            placed = row[np.isfinite(row)]
            if placed.size >= 3:
                assert value == pytest.approx(combine(placed), rel=1e-9)
            else:
                assert np.isnan(value)


@pytest.mark.parametrize(("change", "message"), [
    ({"estimator": "median"}, r"estimator = 'median' is not one of"),
    ({"scores": "harness"}, r"scores = 'harness' is not one of"),
    ({"D0": 1.0}, r"D0 = 1\.0 is outside the valid range"),
    ({"benchmarks": ("gsm8k",)}, r"benchmarks = 'gsm8k' is not available"),
    ({"scores": "uniform"}, r"benchmarks = 'bbh' is not available with scores='uniform'"),
    ({"window": (2024, None)}, r"window = 2024 must be a date"),
    ({"reference": "task_loss"}, r"benchmarks = 'bbh' is not available"),
    ({"params": "non_embedding", "panel": "obsscaling", "benchmarks": ("mmlu",)},
     "needs panel='models'"),
    ({"aggregate": "mean"}, r"aggregate = 'mean' is not one of"),
    ({"moe": "yes"}, r"moe = 'yes' is not one of"),
    ({"min_benchmarks": 4}, r"min_benchmarks = 4 has no effect with aggregate='mean_score'"),
    ({"aggregate": "median", "min_benchmarks": 6}, r"min_benchmarks = 6 is more than the 5"),
    ({"aggregate": "median", "min_benchmarks": 0}, r"min_benchmarks = 0 must be an integer >= 1"),
    ({"moe": "active", "params": "non_embedding"}, r"moe = 'active' needs params='total'"),
    # These raised TypeError before:
    ({"window": None}, r"window = None must be \(start, end\)"),
    ({"window": 2024}, r"window = 2024 must be \(start, end\)"),
    ({"window": "2024-01-01"}, r"window = '2024-01-01' must be \(start, end\)"),
    ({"aggregate": "median", "min_benchmarks": 2.0}, r"min_benchmarks = 2\.0 must be a whole"),
    ({"aggregate": "median", "min_benchmarks": None}, r"min_benchmarks = None must be a whole"),
])
def test_bad_values_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        Specification(**change)


def test_a_numpy_integer_is_a_count_and_equal_specifications_hash_alike():
    """numpy integers (from a table or a range) were refused as min_benchmarks."""
    spec = Specification(aggregate="median", min_benchmarks=np.int64(2))
    assert spec == Specification(aggregate="median", min_benchmarks=2)
    assert hash(spec) == hash(Specification(aggregate="median", min_benchmarks=2))
    assert type(spec.min_benchmarks) is int


def test_unknown_model_in_exclude_is_refused():
    with pytest.raises(ValueError, match="exclude = 'GPT-9' is not a model"):
        analyse(Specification(exclude=("GPT-9",), n_boot=0))


def test_every_model_keeps_a_row_and_a_reason(default):
    table = default.densities
    assert len(table) == len(load_models())
    assert (table["in_trend"] == (table["reason"] == "")).all()
    assert table.loc[~table["in_trend"], "reason"].str.len().gt(0).all()


@pytest.mark.parametrize("irreducible", [False, True])
def test_batched_refit_with_unit_weights_is_the_single_fit(irreducible):
    final = ladder_runs(_ladder(), "mmlu").query("is_final")
    law = _c4_law(irreducible)
    drawn = refit(final["n_params"], final["tokens"], final["c4_loss"], law,
                  np.ones((1, len(final))))
    expected = [law.a, law.alpha, law.b, law.beta, law.E]
    np.testing.assert_allclose(drawn[0], expected, rtol=1e-5)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("benchmarks", None, "benchmarks = None must be a tuple of names"),
    ("exclude", [1], "exclude = [1] must be a tuple of names"),
    ("alternative_scores", 3, "alternative_scores = 3 must be a tuple of names"),
    ("n_boot", 10.0, "n_boot = 10.0 must be a whole number >= 0"),
    ("n_boot", -1, "n_boot = -1 is outside the valid range [0, inf)"),
    ("seed", None, "seed = None must be a whole number >= 0"),
    ("seed", 1.5, "seed = 1.5 must be a whole number >= 0"),
])
def test_wrong_types_of_fields_are_refused_by_name(field, value, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Specification(**{field: value})


def test_numpy_integers_are_counts_and_specifications_stay_equal():
    spec = Specification(n_boot=np.int64(100), seed=np.int32(0))
    assert spec == Specification(n_boot=100) and type(spec.n_boot) is int
