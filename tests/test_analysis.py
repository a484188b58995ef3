"""The configurable analysis: the default is chapter 5's headline, every field changes what it
should, bad values are refused, and the batched refits agree with the single fits."""

from __future__ import annotations

import numpy as np
import pytest

from densing import Specification, analyse
from densing.analysis import _c4_law, _ladder
from densing.ladder import ladder_runs
from densing.resample import _draw_law


@pytest.fixture(scope="module")
def default():
    return analyse(Specification())


def test_default_reproduces_chapter_five(default):
    trend = default.trend
    assert len(default.used) == 50, "the number of models in the headline trend moved"
    assert trend.A == pytest.approx(0.01116, abs=5e-5) and trend.doubling_days == pytest.approx(
        62.1, abs=0.2), f"headline moved: A {trend.A:.5f}, {trend.doubling_days:.1f} days"
    assert trend.A_ci == pytest.approx((0.01021, 0.01352), abs=5e-5)
    assert list(default.envelope_models["model"]) == [
        "Llama-1-13B", "Llama-2-13B", "Mistral-7B", "Phi-2", "Qwen2-7B", "Qwen2.5-7B"]


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
])
def test_bad_values_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        Specification(**change)


def test_unknown_model_in_exclude_is_refused():
    with pytest.raises(ValueError, match="exclude = 'GPT-9' is not a model"):
        analyse(Specification(exclude=("GPT-9",), n_boot=0))


def test_every_model_keeps_a_row_and_a_reason(default):
    table = default.densities
    assert len(table) == 96
    assert (table["in_trend"] == (table["reason"] == "")).all()
    assert table.loc[~table["in_trend"], "reason"].str.len().gt(0).all()


@pytest.mark.parametrize("irreducible", [False, True])
def test_batched_refit_with_unit_weights_is_the_single_fit(irreducible):
    final = ladder_runs(_ladder(), "mmlu").query("is_final")
    law = _c4_law(irreducible)
    drawn = _draw_law(final["n_params"], final["tokens"], final["c4_loss"], irreducible, law,
                      np.ones((1, len(final))))
    expected = [law.a, law.alpha, law.b, law.beta, law.E]
    np.testing.assert_allclose(drawn[0], expected, rtol=1e-5)
