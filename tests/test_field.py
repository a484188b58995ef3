"""Chapter 10, the law beside the field: the one-step reference recovers known constants and
round-trips, the new data files refuse bad rows, and the numbers the chapter, chapter 5 and the
answer page report are pinned (a message says what moved)."""

from __future__ import annotations

import html as html_lib
import re
import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.data import (RANDOM_GUESS, load_critiques, load_field_rates, load_ladder,
                          load_models, load_paper_values)
from densing.field import (ARXIV, CLOSEST, JOURNAL, benchmark_specifications, benchmark_trends,
                           densing_rows, fixed_size_time_slope, heldout_comparison, implied_A,
                           months, paper_versions, rates_on_one_axis, reference_kinds)
from densing.ladder import fit_one_step_reference
from densing.loss_law import LossLaw
from densing.performance import LogAccuracy
from densing.reference import Reference
from densing.robustness import SPECIFICATIONS, run
from conftest import with_one_cell


@pytest.fixture(scope="module")
def runs():
    return run({"headline": SPECIFICATIONS["headline"],
                **{label: SPECIFICATIONS[label] for label in CLOSEST.values()},
                **benchmark_specifications()})


@pytest.fixture(scope="module")
def paper():
    return load_paper_values().set_index(["version", "quantity"])


# --- the one-step reference ---------------------------------------------------------------------

def test_log_accuracy_round_trips_and_refuses_scores_outside_its_range():
    curve = LogAccuracy(floor=25.0, ceiling=100.0)
    y = np.array([0.01, 0.3, 1.0, 2.5])
    assert np.allclose(curve.loss_for(curve.predict(y)), y, rtol=1e-12)
    assert curve.predict(0.0) == 100.0
    with pytest.raises(ValueError, match=r"score = 25.0 is outside the range above chance"):
        curve.loss_for(25.0)
    assert np.isnan(curve.loss_for([25.0, 50.0], errors="coerce")[0])
    with pytest.raises(ValueError, match="ceiling"):
        LogAccuracy(floor=50.0, ceiling=40.0)


def _synthetic_ladder(A=20.0, alpha=0.25, B=300.0, beta=0.3):
    """Final checkpoints of a ladder whose MMLU accuracy follows the one-step law exactly."""
    sizes = {"190M": 1.9e8, "370M": 3.7e8, "760M": 7.6e8, "1B": 1.3e9}
    rows = []
    for size, n in sizes.items():
        for multiplier in ("1", "2", "5", "10"):
            d = 20 * n * float(multiplier)
            q = np.exp(-(A * n ** -alpha + B * d ** -beta))
            rows.append({"run": f"{size}-{multiplier}xC", "role": "ladder", "task": "mmlu",
                         "size": size, "multiplier": multiplier, "n_params": int(n),
                         "tokens": int(d), "is_final": True,
                         "accuracy": 0.25 + 0.75 * q})
    return pd.DataFrame(rows)


def test_the_one_step_fit_recovers_known_constants():
    ladder = _synthetic_ladder()
    reference = fit_one_step_reference(ladder, "mmlu")
    law = reference.law
    assert law.alpha == pytest.approx(0.25, rel=1e-4), "α of the one-step law not recovered"
    assert law.beta == pytest.approx(0.3, rel=1e-4), "β of the one-step law not recovered"
    assert law.a == pytest.approx(20.0, rel=1e-3) and law.b == pytest.approx(300.0, rel=1e-3)


def test_the_one_step_reference_reads_back_the_size_it_predicts():
    law = LossLaw(a=20.0, alpha=0.25, b=300.0, beta=0.3)
    reference = Reference(law, LogAccuracy(floor=25.0, ceiling=100.0), D0=1e12)
    n = np.array([1e8, 1e9, 1e10])
    assert np.allclose(reference.effective_params(reference.predict_score(n, np.full(3, 1e12))),
                       n, rtol=1e-9)


def test_the_one_step_fit_leaves_out_runs_near_chance():
    ladder = _synthetic_ladder()
    ladder.loc[0, "accuracy"] = RANDOM_GUESS["mmlu"] + 0.01  # Q' about 1%: left out of the fit
    assert fit_one_step_reference(ladder, "mmlu").law.alpha == pytest.approx(0.25, rel=1e-4)


@pytest.mark.parametrize(("changes", "message"), [
    ({"benchmarks": ("bbh",)}, r"benchmarks = 'bbh' is not available .* reference='one_step'"),
    ({"panel": "obsscaling", "benchmarks": ("mmlu",)},
     r"panel = 'obsscaling' has no effect with reference='one_step'"),
])
def test_the_one_step_specification_refuses_what_it_cannot_do(changes, message):
    with pytest.raises(ValueError, match=message):
        Specification(reference="one_step", **changes)


# --- the data files -----------------------------------------------------------------------------

def test_every_rate_has_a_source_a_quote_and_a_kind_of_interval():
    rates = load_field_rates()
    assert len(rates) >= 6
    assert rates[["source", "quote", "interval", "evidence"]].notna().all().all()
    with_interval = rates[rates["interval_low"].notna() & (rates["direction"] != "lag")]
    assert len(with_interval) >= 6, "the chapter promises at least six rates with an interval"


@pytest.mark.parametrize(("column", "value", "message"), [
    ("direction", "grows", r"direction = 'grows' .* is not one of"),
    ("value", "99", r"interval \[5.0, 14.0\] of compute for a fixed .* must hold its value"),
    ("factor_years", "1", r"factor_years of compute for a fixed .* exactly when"),
    ("source", "", r"value of compute for a fixed .* has no source"),
    ("source", "somewhere", r"not a followable source"),
    ("evidence", "hearsay", r"evidence = 'hearsay'"),
])
def test_a_bad_row_of_the_rates_is_refused(tmp_path, column, value, message):
    with pytest.raises(ValueError, match=message):
        load_field_rates(with_one_cell(tmp_path, "field_rates.csv", column, value))


@pytest.mark.parametrize(("column", "value", "message"), [
    ("evidence", "rumour", r"evidence = 'rumour'"),
    ("value", "0.5", r"interval of time coefficient at fixed size must hold its value"),
    ("quote", "", r"value of time coefficient at fixed size has no quote"),
])
def test_a_bad_row_of_the_critiques_is_refused(tmp_path, column, value, message):
    with pytest.raises(ValueError, match=message):
        load_critiques(with_one_cell(tmp_path, "critiques.csv", column, value))


def test_months_convert_each_unit():
    value = pd.Series([2.0, 30.4375, 2.0, 4.0])
    unit = pd.Series(["years", "days", "factor", "factor"])
    per = pd.Series([np.nan, np.nan, 1.0, 2.0])
    assert np.allclose(months(value, unit, per), [24.0, 1.0, 12.0, 12.0])
    assert implied_A(1.0) == pytest.approx(np.log(2) / 30.4375)


# --- the numbers the pages report ---------------------------------------------------------------

def test_both_versions_side_by_side(paper, runs):
    table = paper_versions(paper, runs).set_index("version")
    assert table.loc[ARXIV, "A implied by the doubling (per day)"] == "0.0069"
    assert table.loc[JOURNAL, "A implied by the doubling (per day)"] == "0.0065"
    assert table.loc[JOURNAL, "models"] == "51 (secondary)"
    assert table.loc[ARXIV, "ours, closest (days)"] == "67", "closest to arXiv moved"
    assert table.loc[ARXIV, "ours, 95% interval (days)"] == "30–124"
    assert table.loc[JOURNAL, "ours, closest (days)"] == "75", "closest to the journal moved"
    assert table.loc[JOURNAL, "ours, 95% interval (days)"] == "30–131"


def test_knowledge_grows_more_slowly_than_procedure_but_grows(runs):
    table = benchmark_trends(runs).set_index("benchmark")
    pinned = {"mmlu": 143.5, "bbh": 101.8, "math": 57.8, "humaneval": 24.1, "mbpp": 51.7}
    for benchmark, days in pinned.items():
        assert table.loc[benchmark, "doubling (days)"] == pytest.approx(days, abs=0.1), benchmark
    assert table["doubling (days)"].idxmax() == "mmlu"
    assert table.loc["mmlu", "grows"], "MMLU's combined interval should exclude no growth"
    assert (table.loc["mmlu", ["combined low", "combined high"]].round(0) == [52, 540]).all()


def test_fixed_size_slope_on_mmlu():
    fit = fixed_size_time_slope(load_models(), "mmlu")
    assert fit["models"] == 100
    assert fit["per_month"] == pytest.approx(0.908, abs=1e-3), "MMLU's fixed-size slope moved"
    assert (fit["low"], fit["high"]) == pytest.approx((0.723, 1.100), abs=1e-3)
    assert fit["predicted"] == pytest.approx(1.587, abs=1e-3)


def test_fixed_size_slope_recovers_a_known_slope():
    rng = np.random.default_rng(1)
    n = 200
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(-400, 400, n), unit="D")
    size = 10 ** rng.uniform(0, 2, n)
    month = (dates - pd.Timestamp("2024-01-01")) / pd.Timedelta(days=1) / (365.25 / 12)
    score = 30 + 15 * np.log10(size) + 0.7 * month + rng.normal(0, 0.01, n)
    models = pd.DataFrame({"architecture": "dense", "params_b": size, "release_date": dates,
                           "mmlu": score})
    fit = fixed_size_time_slope(models, "mmlu", n_boot=200)
    assert fit["per_month"] == pytest.approx(0.7, abs=1e-3)
    assert fit["per_decade"] == pytest.approx(15, abs=1e-2)
    assert fit["low"] < 0.7 < fit["high"]


def test_one_step_against_two_step_on_the_held_out_models():
    table = heldout_comparison().set_index("task")
    assert table.loc["mmlu", "one-step (points)"] == pytest.approx(0.73, abs=0.01)
    assert table.loc["mmlu", "two-step (points)"] == pytest.approx(4.44, abs=0.01)
    assert (table["closer"] == "one-step").sum() == 6, "the one-step law's wins moved"


def test_each_kind_of_reference_on_mmlu():
    table = reference_kinds().set_index("reference")
    one = table.loc["one-step, log accuracy on the ladder"]
    assert one["reach (MMLU)"] == pytest.approx(61.76, abs=0.01)
    assert one["models placed"] == 33
    assert one["doubling (days)"] == pytest.approx(68.2, abs=0.1)
    assert (one["models low"], one["models high"]) == pytest.approx((53.5, 262.1), abs=0.1)
    assert one["combined low"] == pytest.approx(28.3, abs=0.1)
    assert np.isinf(one["combined high"]), "the one-step law's combined interval now has an end"
    assert table.loc["two-step, C4 loss and panel curve", "models placed"] == 97


def test_the_one_step_specification_runs_the_whole_analysis():
    result = analyse(Specification(reference="one_step", benchmarks=("mmlu",), n_boot=0))
    assert result.trend.doubling_days == pytest.approx(68.2, abs=0.1)
    beyond = result.densities["reason"].str.startswith("beyond reach").sum()
    assert beyond == 82, "models beyond the one-step reference's reach moved"


def test_the_field_on_one_axis(paper, runs):
    table = rates_on_one_axis(load_field_rates(), densing_rows(runs["headline"], paper))
    at = table.set_index("rate")
    assert at.loc["densing law, ours", "months"] == pytest.approx(2.745, abs=1e-3)
    assert (at.loc["densing law, ours", ["low", "high"]].to_numpy(float)
            == pytest.approx([1.006, 4.674], abs=1e-3))
    assert at.loc["training compute of notable models", "months"] == pytest.approx(5.89, abs=0.01)
    assert (at.loc["training compute of notable models", ["low", "high"]].to_numpy(float)
            == pytest.approx([5.45, 6.36], abs=0.01)), "a factor's interval ends must swap"
    assert at.loc["GPU price-performance", "months"] == pytest.approx(29.52)
    assert at.loc["task length frontier AI completes", "months"] == pytest.approx(6.965, abs=1e-3)
    assert table["months"].is_monotonic_increasing
    assert at.loc["densing law, journal (2025)", "evidence"] == "secondary"


# --- the built pages ----------------------------------------------------------------------------

def page_text(html, page: str) -> str:
    text = (html / "chapters" / f"{page}.html").read_text()
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S)
    text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)))
    return text.replace("’", "'").replace("“", '"').replace("”", '"')


def test_chapter_10_states_what_its_code_computes(html):
    text = page_text(html, "10_field")
    for sentence in (
            "On MMLU the one-step law misses the held-out models by at most 0.7 points of "
            "accuracy, against 4.4 for the two-step method; over the ladder's 10 tasks it is "
            "closer on 6.",
            "The versions' headlines, 100 and 107 days, both fall inside both intervals.",
            "MMLU is the slowest: its maximum density doubles every 143 days, against 24 to 102 "
            "for the procedural benchmarks.",
            "only one overlaps ours: price of a fixed capability (range across benchmarks and "
            "score thresholds, not a confidence interval)",
            "places 33 models against 97 for the book's reference"):
        assert sentence in text, sentence
    assert "Right: the one-step reference's MMLU accuracy for OLMo-2 13B" in text


def test_the_answer_page_and_chapter_5_set_the_versions_side_by_side(html):
    for page in ("answer", "05_densing_law"):
        text = page_text(html, page)
        assert "0.0069" in text and "0.0065" in text, page
        assert "51 (secondary)" in text and "30–124" in text and "30–131" in text, page


def test_the_one_step_reference_refits_reproduce_its_own_densities():
    from densing.resample import draw_references, leave_one_out, uncertainty

    result = analyse(Specification(reference="one_step", benchmarks=("mmlu",), n_boot=0))
    draws = draw_references(result, 20)
    same = type(draws)(law=np.tile([list(result.reference.law.params.values()) + [0.0]], (2, 1)),
                       curve=draws.curve[:2], one_step=True)
    used = result.used
    rho = same.densities(used["score"].to_numpy(float), used["n_b"].to_numpy(float) * 1e9, 1e12)
    assert np.allclose(rho, used["rho"].to_numpy(float)[None, :], rtol=1e-9), \
        "a refit with the fitted constants must give the fitted densities"
    assert np.allclose(same.reach(1e12), result.reference.score_range[1])
    low, high = uncertainty(result, n_draws=200).interval("combined")
    assert low < result.trend.doubling_days < high
    with pytest.raises(ValueError, match=r"reference = 'one_step' has no panel"):
        leave_one_out(result)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: implied_A(0.0), r"doubling_months = 0.0"),
    (lambda: fixed_size_time_slope(load_models(), "gsm8k"), r"benchmark = 'gsm8k' is not one of"),
    (lambda: fixed_size_time_slope(load_models(), "mmlu", n_boot=0), r"n_boot = 0 must be"),
])
def test_the_field_functions_refuse_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
