"""The law meets 2026: the 2026 rows of data/models.csv, the releases the instrument cannot see
(data/unseen_2026.csv), the reference panel that leaves out bases trained on instruction-style
data, and the forecasts scored on 2026 (pinned; a message says what moved)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.data import BENCHMARKS, UNSEEN_REASONS, load_models, load_unseen
from densing.forecast import (END_2026, SEES_2026, baseline_scores, baseline_verdicts,
                              forecasts_to)
from densing.robustness import JOURNAL_CUTOFF, PAPER_CUTOFF
from conftest import with_one_cell

YEAR = "2026-01-01"


@pytest.fixture(scope="module")
def runs():
    return {"2026": forecasts_to(SEES_2026, (PAPER_CUTOFF, JOURNAL_CUTOFF), n_draws=200)}


def test_the_2026_rows_are_sourced_and_flagged():
    models = load_models()
    year = models[models["release_date"] >= YEAR]
    assert len(year) == 9, "the 2026 rows of models.csv moved"
    scores = year[list(BENCHMARKS)].notna().sum(axis=1)
    assert int((scores == 5).sum()) == 1 and int((scores >= 3).sum()) == 6
    assert year["base_instruction_data"].notna().all(), "every 2026 row says what its base saw"
    for b in BENCHMARKS:  # a score never comes without its setting and source
        has = year[b].notna()
        assert year.loc[has, [f"{b}_setting", f"{b}_source"]].notna().all().all(), b


def test_a_variant_never_fills_a_paper_column():
    year = load_models().query("release_date >= @YEAR")
    for b in ("mmlu", "humaneval"):
        settings = year[f"{b}_setting"].dropna().str.lower()
        assert not settings.str.contains("evalplus|sanitized|3-shot|5-shot, cot|cot").any(), \
            (b, settings.tolist())
    notes = year.set_index("model")["notes"]
    for model in ("Step-3.5-Flash-Base", "Nemotron-3-Super-120B-A12B-Base",
                  "JoyAI-LLM-Flash-Base"):
        assert "kept out of the humaneval column" in notes[model], model


def test_the_panel_leaves_out_bases_trained_on_instruction_data():
    result = analyse(Specification(n_boot=0))
    flagged = load_models().query("base_instruction_data in ('yes', 'likely')")["model"]
    assert not set(flagged) & set(result.panel["model"])
    assert len(result.panel) == 85, "the step-2 panel moved"
    assert result.trend.doubling_days == pytest.approx(83.555, abs=1e-3), "the headline moved"


def test_a_bad_instruction_flag_is_refused(tmp_path):
    path = with_one_cell(tmp_path, "models.csv", "base_instruction_data", "maybe", row=-1)
    with pytest.raises(ValueError, match=r"base_instruction_data = 'maybe' \(model "):
        load_models(path)


def test_the_unseen_releases_are_counted_with_their_reasons():
    unseen = load_unseen()
    assert len(unseen) == 42, "the count of 2026 releases the instrument cannot see moved"
    assert set(unseen["reason"]) <= set(UNSEEN_REASONS)
    assert unseen["reason"].value_counts()["no open base weights"] == 21


@pytest.mark.parametrize(("column", "value", "message"), [
    ("reason", "lost", r"reason = 'lost' .* is not one of"),
    ("release_date", "2025-12-01", r"release_date = '2025-12-01' .* must be a 2026 date"),
    ("source", "somewhere", r"not a followable source"),
])
def test_a_bad_unseen_row_is_refused(tmp_path, column, value, message):
    with pytest.raises(ValueError, match=message):
        load_unseen(with_one_cell(tmp_path, "unseen_2026.csv", column, value))


def test_the_headline_sees_no_model_of_2026():
    densities = analyse(Specification(n_boot=0)).densities
    assert not densities.loc[densities["release_date"] >= YEAR, "in_trend"].any()


def test_the_forecasts_reach_the_end_of_2026(runs):
    for fc in runs["2026"].values():
        assert fc.end == pd.Timestamp(END_2026)
        seen = fc.later[fc.later["release_date"] >= YEAR]
        assert len(seen) == 6, "the 2026 models the median specification places moved"
        assert not seen["record"].any(), "a model of 2026 now sets a new maximum density"


def test_the_2026_scores_are_pinned(runs):
    scores = baseline_scores(runs, since=YEAR)
    assert (scores["points scored"] == 1).all(), "only the end of 2026 is scored: no 2026 record"
    verdicts = baseline_verdicts(scores).set_index("cutoff")
    assert list(verdicts["law's rank, log error"]) == [4, 4], "the law's rank on 2026 moved"
    assert verdicts.loc[PAPER_CUTOFF, "best point forecast"] == "the paper's rate"
    assert verdicts.loc[JOURNAL_CUTOFF, "best point forecast"] == "the last two records"
    end = runs["2026"][JOURNAL_CUTOFF]
    line = end.band(pd.DatetimeIndex([end.end]))[0][0]
    assert line == pytest.approx(27032, rel=0.01), "the law's forecast for November 2026 moved"


def test_since_keeps_only_the_later_points(runs):
    every = baseline_scores(runs)
    later = baseline_scores(runs, since=YEAR)
    assert (later["points scored"] <= every["points scored"]).all()
    assert np.isclose(later["abs log error at end"], every["abs log error at end"]).all()


@pytest.mark.parametrize(("end", "cutoffs", "message"), [
    ("2026-11-15", (PAPER_CUTOFF,), r"end = '2026-11-15' must be the last day of a month"),
    ("2024-06-30", (PAPER_CUTOFF,), r"cutoff = '2024-10-31' is not before end = '2024-06-30'"),
])
def test_forecasts_to_refuses_an_end_it_cannot_reach(end, cutoffs, message):
    with pytest.raises(ValueError, match=message):
        forecasts_to(SEES_2026, cutoffs, end=end, n_draws=0)
