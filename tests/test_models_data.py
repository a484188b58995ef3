"""data/models.csv: the paper's 29 models, 60+ in all, every value sourced, broken files refused."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from densing.data import BENCHMARKS, DATA_DIR, load_models, load_paper_values

PAPER_MODELS = [
    "Llama-1-7B", "Llama-1-13B", "Llama-1-65B", "Llama-2-7B", "Llama-2-13B", "Llama-2-70B",
    "Llama-3-8B", "Llama-3-70B", "Llama-3.1-8B", "Llama-3.1-405B", "Llama-3.1-Minitron-4B",
    "Llama-3.2-1B", "Llama-3.2-3B", "Falcon-40B", "MPT-30B", "Mistral-7B", "TinyLlama-1.1B",
    "StableLM-Zephyr-3B", "Phi-1", "Phi-1.5", "Phi-2", "Gemma-2B", "Gemma-7B", "Gemma-2-2B",
    "Gemma-2-9B", "Gemma-2-27B", "MiniCPM-1-1.2B", "MiniCPM-1-2.4B", "MiniCPM-3-4B"]


@pytest.fixture(scope="module")
def models() -> pd.DataFrame:
    return load_models()


def test_the_papers_29_models_are_all_present_and_marked(models):
    assert len(PAPER_MODELS) == 29
    assert sorted(models.loc[models["in_paper"], "model"]) == sorted(PAPER_MODELS)


def test_paper_models_have_four_sourced_scores_or_a_note(models):
    rows = models[models["in_paper"]]
    n_scores = rows[list(BENCHMARKS)].notna().sum(axis=1)
    short = rows[(n_scores < 4) & rows["notes"].fillna("").str.strip().eq("")]
    assert short.empty, f"fewer than four scores and no note: {list(short['model'])}"


def test_at_least_sixty_models_spanning_2023_to_2025(models):
    assert len(models) >= 60
    assert models["release_date"].min() < pd.Timestamp("2023-03-01")
    assert models["release_date"].max() >= pd.Timestamp("2025-01-01")


def test_every_score_is_a_percentage_with_setting_and_source(models):
    for b in BENCHMARKS:
        scored = models[models[b].notna()]
        assert scored[b].between(0, 100).all()
        assert scored[f"{b}_setting"].str.strip().ne("").all()
        assert scored[f"{b}_source"].str.len().gt(10).all()


@pytest.mark.parametrize(("column", "value", "message"), [
    ("mmlu", 120.0, r"mmlu = 120\.0 .* outside \[0, 100\]"),
    ("release_date", "2024-13-01", "release_date must be YYYY-MM-DD"),
    ("release_date", "", "release_date of .* is empty"),
    ("release_date", "2024", "release_date must be YYYY-MM-DD"),
    ("mmlu_source", "", "mmlu of .* has no mmlu_source"),
])
def test_broken_model_table_is_refused(tmp_path, column, value, message):
    table = pd.read_csv(DATA_DIR / "models.csv", dtype=str, keep_default_na=False)
    first = table.index[table["mmlu"] != ""][0]
    table.loc[first, column] = str(value)
    table.to_csv(tmp_path / "models.csv", index=False)
    with pytest.raises(ValueError, match=message):
        load_models(tmp_path / "models.csv")


def test_paper_values_are_sourced():
    values = load_paper_values()
    assert set(values["version"]) == {"arXiv v2 (2024)", "journal (2025)"}
    arxiv = values[values["version"] == "arXiv v2 (2024)"].set_index("quantity")["value"]
    assert arxiv["A"] == pytest.approx(0.0073) and arxiv["r2"] == pytest.approx(0.912)


def test_unsourced_paper_value_is_refused(tmp_path):
    values = pd.read_csv(DATA_DIR / "paper_values.csv")
    values.loc[0, "source"] = ""
    values.to_csv(tmp_path / "paper_values.csv", index=False)
    with pytest.raises(ValueError, match="A has no source"):
        load_paper_values(tmp_path / "paper_values.csv")


def test_introduction_example_holds(models):
    """The introduction's example: Qwen2.5-7B out-scores Llama-2-70B on MMLU, a year later."""
    rows = models.set_index("model").loc[["Qwen2.5-7B", "Llama-2-70B"]]
    assert rows.loc["Qwen2.5-7B", "mmlu"] > rows.loc["Llama-2-70B", "mmlu"]
    assert rows.loc["Qwen2.5-7B", "params_b"] * 9 < rows.loc["Llama-2-70B", "params_b"]
    gap = rows.loc["Qwen2.5-7B", "release_date"] - rows.loc["Llama-2-70B", "release_date"]
    assert gap.days > 365


def test_every_model_has_a_sourced_release_date(models):
    assert models["release_date"].notna().all()
    assert models["release_date_source"].fillna("").str.len().gt(10).all()


def test_at_least_35_recent_models_have_four_sourced_scores(models):
    """Issue 'the law after the paper': models released after the paper's cutoff with at least
    four of the five scores."""
    recent = models[models["release_date"] > pd.Timestamp("2024-10-31")]
    assert (recent[list(BENCHMARKS)].notna().sum(axis=1) >= 4).sum() >= 35


def test_mixture_of_experts_rows_have_sourced_active_counts(models):
    moe = models[models["architecture"] == "moe"]
    assert moe["params_active_b"].notna().all(), list(moe.loc[moe["params_active_b"].isna(),
                                                              "model"])
    assert (moe["params_active_b"] < moe["params_b"]).all()
    assert models.loc[models["architecture"] == "dense", "params_active_b"].isna().all()


def test_a_file_changed_after_loading_is_validated_again(tmp_path):
    """load_models validates each version of a file once; an edit is never served stale."""
    path = tmp_path / "models.csv"
    table = pd.read_csv(DATA_DIR / "models.csv", dtype=str, keep_default_na=False)
    table.to_csv(path, index=False)
    first = load_models(path)
    first.loc[0, "model"] = "changed by a caller"
    assert load_models(path).loc[0, "model"] == table.loc[0, "model"]  # callers get copies
    table.loc[table.index[table["mmlu"] != ""][0], "mmlu"] = "120"
    table.to_csv(path, index=False)
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 1))  # a new version, even within a tick
    with pytest.raises(ValueError, match="outside"):
        load_models(path)
