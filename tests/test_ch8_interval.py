"""Chapter 8: the same model gets the same interval everywhere (one call, a table, the command
line), and the page says why the interval's upper end is unstable and what is reported."""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse
from densing.calculator import N_DRAWS, densities_of, density_of
from densing.data import BENCHMARKS, load_models
from densing.resample import draw_references

QWEN = dict(mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9)


def prose(html, page: str) -> str:
    text = (html / "chapters" / page).read_text()
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", text)))


@pytest.fixture(scope="module")
def qwen():
    return density_of(n_params=7.61e9, **QWEN)


def test_one_call_a_table_and_the_command_line_give_the_same_interval(qwen):
    models = load_models()
    mine = models[models["family"].isin(["Qwen2.5", "Gemma-3"])]
    mine = mine.assign(n_params=mine["params_b"] * 1e9)[["model", "n_params", *BENCHMARKS]]
    row = densities_of(mine).set_index("model").loc["Qwen2.5-7B"]
    assert (row["density_low"], row["density_high"]) == qwen.interval
    done = subprocess.run([sys.executable, "-m", "densing", "density", "--params", "7.61e9",
                           *[a for b, v in QWEN.items() for a in (f"--{b}", str(v))],
                           "--format", "json"], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)["results"][0]
    assert (result["density_low"], result["density_high"]) == pytest.approx(qwen.interval)


def test_the_upper_end_comes_from_refits_that_barely_reach_the_score(qwen):
    headline = analyse(Specification(n_boot=0))
    refits = draw_references(headline, N_DRAWS, headline.spec.seed)
    score = np.mean(list(QWEN.values()))
    gap = refits.reach(headline.spec.D0) - score
    rho = refits.densities(np.array([score]), np.array([7.61e9]), headline.spec.D0)[:, 0]
    placed = np.isfinite(rho)
    near = placed & (gap < 8)
    assert placed.mean() == pytest.approx(qwen.placed_share)
    assert 0 < near.sum() < 0.1 * placed.sum()  # a handful
    # the upper end of the interval lies among them, the lower end far below
    assert rho[near].min() < qwen.interval[1] <= rho[near].max()
    assert rho[placed & ~near].max() < rho[near].min()
    assert qwen.interval[0] < qwen.density < rho[placed & ~near].max()


def test_other_draws_move_the_upper_end_far_more_than_the_lower(qwen):
    """With the scores near a refit's top refused, the upper end moves less than it did (a
    factor of hundreds before), but still by a factor of two or more, the lower end by a fifth
    at most."""
    ends = np.array([density_of(n_params=7.61e9, **QWEN, spec=Specification(seed=s)).interval
                     for s in range(3)])
    low, high = ends[:, 0], ends[:, 1]
    assert high.max() / high.min() > 2 and low.max() / low.min() < 1.2


def test_chapter_8_states_the_interval_once_and_explains_its_upper_end(html, qwen):
    text = prose(html, "08_your_model.html")
    low, high = qwen.interval
    assert f"runs from {low:.3g} to {high:.3g}" in text
    assert f"{N_DRAWS} refitted references: {low:.3g} to {high:.3g}" in text
    assert "Why the upper end is unstable" in text and "What is reported" in text
    assert "where the inverse of eq. 4 climbs steeply" in text
    assert "near the top of the reach the mean score is near the top of what a reference" in text
    assert "All 7 of the 7 inputs above are refused" in text
    assert "interval here is the same as above" in text
    assert "12.6 to 9.59e+06 in this table" not in text
    # the refits that cannot place the score, by reason: beyond their reach, or near its top
    assert re.search(r"for \d+ of them no reference of any size at \S+ scores that high, and "
                     r"for \d+ the score lies within 5% of the top of their reach", text)
    assert "--draws 100" not in text
