"""The numbers the chapters report, pinned: a change that moves them fails with what moved."""

from __future__ import annotations

import pandas as pd
import pytest

from densing import fit_task_reference, heldout_errors, load_ladder


@pytest.fixture(scope="module")
def errors() -> pd.DataFrame:
    return heldout_errors(load_ladder()).set_index(["task", "model"])


def assert_pinned(actual: dict, pinned: dict, tolerance: float) -> None:
    moved = {key: (round(actual[key], 4), value) for key, value in pinned.items()
             if abs(actual[key] - value) > tolerance}
    assert not moved, f"moved beyond ±{tolerance} (now, pinned): {moved}"


def test_issue_targets_hold_for_mmlu_and_hellaswag(errors):
    """Fitting 190M-1B at 1x-10x predicts OLMo-2 7B/13B within 0.05 accuracy and 6% loss."""
    for task in ("mmlu", "hellaswag"):
        rows = errors.loc[task]
        assert rows["accuracy_error"].abs().max() < 0.05, rows
        assert rows["loss_error_pct"].abs().max() < 6.0, rows


def test_heldout_errors_are_pinned(errors):
    actual = {f"{task} {model} {col}": errors.loc[(task, model), col]
              for task in ("mmlu", "hellaswag", "arc_challenge")
              for model in ("OLMo-2-7B", "OLMo-2-13B")
              for col in ("accuracy_error", "loss_error_pct")}
    pinned = {
        "mmlu OLMo-2-7B accuracy_error": -0.0414, "mmlu OLMo-2-7B loss_error_pct": 2.164,
        "mmlu OLMo-2-13B accuracy_error": -0.0441, "mmlu OLMo-2-13B loss_error_pct": 1.319,
        "hellaswag OLMo-2-7B accuracy_error": 0.0194, "hellaswag OLMo-2-7B loss_error_pct": -1.652,
        "hellaswag OLMo-2-13B accuracy_error": 0.0260,
        "hellaswag OLMo-2-13B loss_error_pct": -2.463,
        "arc_challenge OLMo-2-7B accuracy_error": -0.0270,
        "arc_challenge OLMo-2-7B loss_error_pct": 5.608,
        "arc_challenge OLMo-2-13B accuracy_error": -0.0199,
        "arc_challenge OLMo-2-13B loss_error_pct": 7.256,
    }
    assert_pinned(actual, pinned, tolerance=0.002)


def test_failing_tasks_are_the_ones_the_chapter_names(errors):
    worst = errors.groupby(level="task")["accuracy_error"].apply(lambda e: e.abs().max())
    assert sorted(worst[worst > 0.05].index) == ["arc_easy", "boolq", "socialiqa", "winogrande"]


def test_densities_reported_in_the_density_chapter():
    ladder = load_ladder()
    targets = ladder[(ladder["role"] == "target") & (ladder["task"] == "hellaswag")]
    actual = {}
    for label, d0 in {"0.3T": 3e11, "1T": 1e12, "4T": 4e12}.items():
        ref = fit_task_reference(ladder, "hellaswag", D0=d0)
        rho = ref.density(targets["accuracy"], targets["n_params"])
        actual.update({f"{run} {label}": r for run, r in zip(targets["run"], rho, strict=True)})
    pinned = {"OLMo-2-7B 0.3T": 3.45, "OLMo-2-13B 0.3T": 3.52, "OLMo-2-7B 1T": 1.31,
              "OLMo-2-13B 1T": 1.18, "OLMo-2-7B 4T": 0.638, "OLMo-2-13B 4T": 0.529}
    assert_pinned(actual, pinned, tolerance=0.01)
    mmlu = fit_task_reference(ladder, "mmlu")
    assert mmlu.score_range[1] == pytest.approx(0.511, abs=0.001)  # 13B (0.518) is beyond reach


@pytest.fixture(scope="module")
def densing_trends() -> dict:
    from densing import Specification, analyse

    return {key: (result.used, result.trend) for key, result in (
        ("paper", analyse(Specification(models="paper"))), ("all", analyse(Specification())))}


def test_densing_law_numbers_are_pinned(densing_trends):
    actual, pinned = {}, {
        "paper n": 23, "paper A": 0.01234, "paper doubling days": 56.2, "paper R2": 0.826,
        "paper A ci low": 0.00762, "paper A ci high": 0.01549,
        "all n": 58, "all A": 0.00830, "all doubling days": 83.6, "all R2": 0.930,
        "all A ci low": 0.00583, "all A ci high": 0.00961}
    for key, (rows, trend) in densing_trends.items():
        actual.update({f"{key} n": len(rows), f"{key} A": trend.A,
                       f"{key} doubling days": trend.doubling_days, f"{key} R2": trend.r2,
                       f"{key} A ci low": trend.A_ci[0], f"{key} A ci high": trend.A_ci[1]})
    tolerance = {"n": 0, "A": 5e-5, "days": 0.2, "R2": 0.002, "low": 5e-5, "high": 5e-5}
    moved = {k: (round(actual[k], 5), v) for k, v in pinned.items()
             if abs(actual[k] - v) > tolerance[k.split()[-1]]}
    assert not moved, f"densing-law numbers moved (now, pinned): {moved}"


def test_envelope_models_are_pinned(densing_trends):
    rows, trend = densing_trends["all"]
    envelope = list(rows.loc[trend.envelope["position"], "model"])
    assert envelope == ["Llama-1-13B", "Llama-2-13B", "Mistral-7B", "StableLM-Zephyr-3B", "Phi-2",
                        "Qwen2-7B", "Qwen2.5-7B", "Qwen3-8B", "Seed-OSS-36B-Base"], \
        f"the envelope moved: {envelope}"


def test_claims_checked_in_the_chapter(densing_trends):
    rows, _ = densing_trends["paper"]
    ranked = rows.sort_values("rho", ascending=False)["model"].tolist()
    assert ranked.index("Gemma-2-9B") < 3, "Gemma-2-9B is no longer near the top"
    assert ranked[0] != "Llama-3.1-405B"
    assert ranked[-1] == "Falcon-40B" and ranked[-2] == "Llama-1-7B", ranked[-3:]
