"""Statements of chapters 7-9 and of ``densing trend`` checked against what the code computes:
intervals that bracket their estimates (basic bootstrap), the dates of the prices, and the
sentences of the built pages that report intervals."""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from densing import Specification
from densing.calculator import density_of
from densing.corollaries import (GPT35_MMLU, cheapest_over_time, mmlu_densities, price_trend,
                                 split_trend)
from densing.data import BENCHMARKS, load_models, load_prices
from densing.forecast import (CUTOFFS, FORECAST_SPECS, LAW, baseline_scores, baseline_verdicts,
                              forecasts, growth_after, scorecard)
from densing.robustness import PAPER_CUTOFF
from densing.trend import fit_trend

ROOT = Path(__file__).resolve().parent.parent
# A small table on which resampling the models put the estimate at the end of its own interval
# (64 days, "64.2 to 130"): three record-setters out of four models.
SMALL = ["DeepSeek-LLM-7B", "Qwen1.5-72B", "Gemma-2-27B", "Granite-3.0-8B"]
QWEN = dict(n_params=7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9)


def prose(html: Path, page: str) -> str:
    """The text of a built page, tags stripped, entities decoded, whitespace collapsed."""
    text = (html / "chapters" / page).read_text()
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", text)))


def strictly_inside(low: float, estimate: float, high: float) -> bool:
    """``estimate`` inside ``(low, high)`` and not at an end: at least 0.1% of the width (or, for
    an unbounded end, of the estimate) away from each end, not just a rounding error inside."""
    margin = 1e-3 * ((high - low) if np.isfinite(high - low) else abs(estimate))
    return low + margin < estimate < high - margin


def days_text(low: float, high: float) -> str:
    return f"{low:.0f} days to " + (f"{high:.0f} days" if np.isfinite(high) else "no upper bound")


@pytest.fixture(scope="module")
def post_paper():
    """Chapter 7: the line through the record-setters released after the paper's cutoff."""
    return growth_after(Specification(), PAPER_CUTOFF).trend


@pytest.fixture(scope="module")
def chatgpt():
    """Chapter 9: MMLU-only trends before and after ChatGPT."""
    return split_trend(mmlu_densities())


@pytest.fixture(scope="module")
def runs():
    return {label: forecasts(spec, CUTOFFS) for label, spec in FORECAST_SPECS.items()}


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> Path:
    models = load_models().set_index("model").loc[SMALL].reset_index()
    path = tmp_path_factory.mktemp("small") / "small.csv"
    models.assign(n_params=models["params_b"] * 1e9,
                  release_date=models["release_date"].dt.strftime("%Y-%m-%d"))[
        ["model", "release_date", "n_params", *BENCHMARKS]].to_csv(path, index=False)
    return path


# 1. Chapter 7: the post-paper envelope and the forecasts

def test_the_post_paper_envelope_lies_strictly_inside_its_interval(post_paper):
    low, high = post_paper.A_ci
    assert strictly_inside(low, post_paper.A, high), (low, post_paper.A, high)
    d_low, d_high = post_paper.doubling_days_ci
    assert strictly_inside(d_low, post_paper.doubling_days, d_high)


def test_the_paper_models_all_precede_its_cutoff():
    """Chapter 7: "the paper's own models all precede its cutoff"."""
    models = load_models()
    assert (models.loc[models["in_paper"], "release_date"] <= PAPER_CUTOFF).all()


def test_the_last_record_after_the_paper_was_trained_with_synthetic_data():
    """Chapter 7 names the last record and its sibling trained without synthetic data."""
    later = growth_after(Specification(n_boot=0), PAPER_CUTOFF).used
    best = later.loc[later["rho"].idxmax(), "model"]
    notes = load_models().set_index("model")["notes"]
    assert "with synthetic instruction data" in notes[best].lower()
    assert "without synthetic instruction data" in notes[f"{best}-woSyn"].lower()


def test_refitting_the_reference_more_than_doubles_most_prediction_intervals(runs):
    """Chapter 7: the prediction intervals are wide mostly because the reference is uncertain:
    refitting it more than doubles the width in 5 of the 6 forecasts (all 6 before scores near
    the top of a refit's reach were refused), the one a year after the paper's cutoff among them."""
    wider = {}
    for label, by_cutoff in runs.items():
        for cutoff, fc in by_cutoff.items():
            end = pd.DatetimeIndex([fc.end])
            _, low, high = fc.band(end)
            _, m_low, m_high = fc.band(end, source="models")
            wider[label, cutoff] = np.log(high / low)[0] > 2 * np.log(m_high / m_low)[0]
    assert sum(wider.values()) == 5, f"widths more than doubled by the reference: {wider}"
    assert wider["headline", PAPER_CUTOFF]


def test_chapter_7_page_states_the_computed_intervals(html, post_paper, runs):
    text = prose(html, "07_forecast.html")
    card = scorecard(runs)
    inside = int((card["verdict"] == "inside").sum())
    assert f"Of the {len(card)} records scored, {inside} fell inside their prediction" in text
    d_low, d_high = post_paper.doubling_days_ci
    assert f"runs from {days_text(d_low, d_high)}" in text
    assert (f"in {post_paper.failed_draws} of the {len(post_paper.bootstrap_A)} draws the "
            "resampled scatter leaves fewer than three record-setters") in text
    assert "models resampled:" not in text and "inf)" not in text


def test_chapter_7_leads_with_the_computed_verdict_against_the_baselines(html, runs):
    """Chapter 7's first section: who wins on each score from each cutoff, and the widths."""
    text = prose(html, "07_forecast.html").replace("\u2019", "'")
    scores = baseline_scores(runs)
    verdicts = baseline_verdicts(scores)
    head = verdicts[verdicts["specification"] == "headline"]
    assert text.index("The verdict") < text.index("The models after the paper")
    for cutoff, point, interval in zip(head["cutoff"], head["best point forecast"],
                                       head["best interval forecast"], strict=True):
        assert point == interval, "the page's sentence merges the two winners only when equal"
        assert re.search(rf"{re.escape(point)} from [0-9 and-]*{cutoff}", text), (cutoff, point)
    n_best = int((verdicts[["best point forecast", "best interval forecast"]] == LAW).sum().sum())
    assert n_best == 0 and "the law was never the best" in text
    law = scores[(scores["specification"] == "headline") & (scores["forecaster"] == LAW)]
    width = law["interval width at end (orders of magnitude)"]
    assert f"spans {width.min():.1f} to {width.max():.1f} orders of magnitude" in text
    assert (f"It contained {law['points inside'].sum()} of the {law['points scored'].sum()} "
            "points") in text


# 2. Chapter 8: the interval at D0 = 4T

def test_chapter_8_says_what_the_interval_does_at_4t(html):
    one = density_of(**QWEN)
    four = density_of(**QWEN, spec=Specification(D0=4e12))
    ratio = four.density / one.density
    ends = [four.interval[i] / one.interval[i] for i in (0, 1)]
    moves = all(0.8 < r / ratio < 1.25 for r in ends)
    text = prose(html, "08_your_model.html")
    assert f"{ratio:.2f} times the value at 1T" in text
    assert ("The interval moves with it" if moves else
            "The interval does not simply move with it") in text
    assert f"its lower end is {ends[0]:.2f} times the value at 1T" in text
    assert "The interval moves with it, since" not in text


# 3. Chapter 9: the slope before ChatGPT, and the date of the cheapest price

def test_the_slope_before_chatgpt_lies_strictly_inside_its_interval(chatgpt):
    for fit in (chatgpt.before, chatgpt.after):
        low, high = fit.A_ci
        assert strictly_inside(low, fit.A, high), (low, fit.A, high)
    low, high = chatgpt.ratio_ci
    assert strictly_inside(low, chatgpt.ratio, high)
    if chatgpt.unbounded_share > 0.025:  # more than the upper tail: the ratio has no bound
        assert high == np.inf


def test_the_cheapest_price_carries_the_date_it_took_effect():
    prices = load_prices()
    for price in (prices["input_usd_per_mtok"], 0.75 * prices["input_usd_per_mtok"]
                  + 0.25 * prices["output_usd_per_mtok"]):
        last = price_trend(prices, price).cheapest.iloc[-1]
        dated = prices.loc[prices["model"] == last["model"], "price_date"]
        assert last["since"] == dated.max() and last["since"] <= last["date"]
    gemini = prices[prices["model"] == "gemini-1.5-flash (price cut)"]
    capable = prices[prices["mmlu"] >= GPT35_MMLU]
    cheapest = cheapest_over_time(capable, capable["input_usd_per_mtok"])
    assert (cheapest.loc[cheapest["model"] == gemini["model"].iloc[0], "since"]
            == gemini["price_date"].iloc[0]).all()


def test_chapter_9_page_dates_the_gemini_cut_and_states_the_interval_before_chatgpt(html, chatgpt):
    text = prose(html, "09_corollaries.html")
    date = load_prices().set_index("model").loc["gemini-1.5-flash (price cut)", "price_date"]
    assert f"gemini-1.5-flash (price cut), {date:%Y-%m-%d})" in text
    assert "price cut), 2025-04" not in text
    low, high = chatgpt.before.A_ci
    assert f"{low:.4f} to {high:.4f}" in text
    assert "models resampled" not in text


# 4. densing trend on a small table

def test_densing_trend_on_a_small_table_brackets_its_estimate(small_csv):
    done = subprocess.run([sys.executable, "-m", "densing", "trend", "--csv", str(small_csv),
                           "--draws", "5", "--format", "json"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    row = out["results"][0]
    assert strictly_inside(row["doubling_days_low"], row["doubling_days"],
                           row["doubling_days_high"]), row
    assert "basic bootstrap" in out["note"]


def test_the_band_of_a_small_table_brackets_its_line(small_csv):
    from densing.calculator import densities_of

    table = pd.read_csv(small_csv)
    placed = densities_of(table, Specification(n_boot=0), 5)
    trend = fit_trend(pd.to_datetime(table["release_date"]), placed["density"])
    grid = pd.date_range(trend.envelope["release_date"].min(),
                         trend.envelope["release_date"].max(), periods=25)
    low, high = trend.band(grid)
    line = trend.predict(grid)
    assert (low < line).all() and (line < high).all()
