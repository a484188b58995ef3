"""Sentences of chapters 5 and 6 that state a result, checked against the executed pages: each
test fails if the text says something the output does not (cases a reader found)."""

from __future__ import annotations

import re

import pytest

from densing.data import load_models
from densing.robustness import NOT_DEFENDED


def page_text(html, page: str) -> str:
    """The page's prose and tables as a reader sees them (no code, no tags)."""
    text = (html / "chapters" / f"{page}.html").read_text()
    text = re.sub(r'<div class="cell_input.*?</div>\s*</div>', " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).replace(" ,", ",")


@pytest.fixture(scope="module")
def chapter5(html):
    return page_text(html, "05_densing_law")


@pytest.fixture(scope="module")
def chapter6(html):
    return page_text(html, "06_choices")


def test_the_density_of_every_model_lists_every_model(html):
    """It listed only the paper's 29 models."""
    section = (html / "chapters" / "05_densing_law.html").read_text().split(
        'id="the-density-of-every-model"')[1].split('id="figure-1-recomputed"')[0]
    rows = re.findall(r"<tr>\s*<td[^>]*>([^<]+)</td>", section)
    assert sorted(rows) == sorted(load_models()["model"]), len(rows)


def test_chapter_5_states_the_rules_it_applies(chapter5):
    for rule in ("ceiling fixed at 100", "less than 5 % of the way from the floor",
                 "meta-llama/Meta-Llama-3.1-8B", "counts once", "mixtures of experts are left out"):
        assert rule in chapter5, rule


def test_the_range_across_specifications_leaves_the_undefended_rows_apart(chapter5, chapter6):
    """The range took its low end, 13 days, from the task-loss reference the book calls
    uninformative."""
    low = re.search(r"that the book defends: from (\d+) days", chapter5)
    assert low and int(low.group(1)) > 20, low
    for label in NOT_DEFENDED:
        assert label in chapter5.split("Left out of that range")[1][:400]
    assert re.search(r"runs from (\d+) to (\d+) days, leaving out the rows the book does not "
                     r"defend: task-loss", chapter6)


def test_chapter_5_says_what_the_envelope_r2_means(chapter5):
    assert "fits well almost by construction, because a running maximum can only rise" in chapter5


def test_chapter_5_shows_the_bias_its_interval_undoes(chapter5):
    bias = re.search(r"comes out (\d+) % (steeper|flatter) than the slope", chapter5)
    assert bias and int(bias.group(1)) > 0, bias


def test_chapter_6_says_which_way_alpha_moves_the_doubling_time(chapter6):
    """The prose said a smaller α lengthens the slope, the caption that a larger α lengthens the
    doubling time; the scatter shows the opposite (rank correlation about −0.58)."""
    found = re.search(r"a larger \\?\(?\\?alpha\\?\)? goes with a (shorter|longer) doubling time "
                      r"\(rank correlation (-?[\d.]+|−[\d.]+) ?\)", chapter6)
    assert found, "the sentence on α and the doubling time is gone"
    correlation = float(found.group(2).replace("−", "-"))
    assert (found.group(1) == "shorter") == (correlation < 0)
    assert "compresses log densities and lengthens the doubling time" not in chapter6
    assert "the low end of the reference interval comes from the second optimum" in chapter6


def test_chapter_6_shows_the_alpha_profile(chapter6):
    found = re.search(r"anywhere from 0.1 to 0.3 it is only (\d+)% to (\d+)% higher", chapter6)
    assert found and int(found.group(2)) < 25, found
    assert re.search(r"predicts OLMo-2’?'?s C4 loss (better|worse)", chapter6)
