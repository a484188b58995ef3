"""The answer page (densing.answer, chapters/answer.md): the verdict rule on hand-made inputs,
the table's numbers equal to what the chapters' own functions give, and the built page showing
every claim."""

from __future__ import annotations

import html as html_lib
import json
import math
import re

import numpy as np
import pytest

from conftest import ROOT
from densing import Specification, analyse
from densing.answer import (CHAPTER_NAMES, COLUMNS, RULES, VERDICTS, answer_table, as_myst,
                            claims, counts, gather, numbers, plain, verdict, where)
from densing.corollaries import compression_verdicts, mmlu_densities, price_trend, split_trend
from densing.data import load_paper_values, load_prices
from densing.forecast import CUTOFFS, forecasts, summaries
from densing.resample import uncertainty
from densing.robustness import NOT_DEFENDED, PAPER_CUTOFF, SPECIFICATIONS

HOLDS, WIDER, FAILS, UNTESTED = VERDICTS


# --- the verdict rule, on hand-made inputs ---

@pytest.mark.parametrize(("kwargs", "expected"), [
    (dict(value=95, narrow=(72, 119), wide=(18, 134)), HOLDS),
    (dict(value=72, narrow=(72, 119), wide=(18, 134)), HOLDS),  # the ends belong to the interval
    (dict(value=130, narrow=(72, 119), wide=(18, 134)), WIDER),
    (dict(value=200, narrow=(72, 119), wide=(18, 134)), FAILS),
    (dict(value=130, narrow=(72, 119)), FAILS),  # no wider interval: the narrow one decides
    (dict(value=500, narrow=(72, math.inf)), HOLDS),  # an interval open above
    (dict(value=1.5, narrow=(0.57, math.inf), null=1.0), UNTESTED),  # contains no change
    (dict(value=1.5, narrow=(1.2, 2.0), null=1.0), HOLDS),
    (dict(value=1.5, narrow=(0.4, 0.9), wide=(0.2, 1.6), null=1.0), WIDER),
    (dict(value=1.5, narrow=(0.4, 0.9), null=1.0), FAILS),
    (dict(value=math.nan, narrow=(1, 2)), UNTESTED),  # no value to compare
    (dict(value=1.0, narrow=(math.nan, math.nan)), UNTESTED),  # no estimate of ours
    (dict(check=True), HOLDS),
    (dict(check=False), FAILS),
    (dict(check=None), UNTESTED),
])
def test_each_verdict_follows_its_rule(kwargs, expected):
    assert verdict(**kwargs) == expected


def test_every_verdict_has_its_one_line_rule():
    assert tuple(RULES) == VERDICTS
    assert all(rule and "\n" not in rule for rule in RULES.values())


def test_where_reads_the_location_from_the_source():
    sources = load_paper_values().set_index(["version", "quantity"])["source"]
    assert where(sources[("arXiv v2 (2024)", "doubling_days")]) == "§3.3"
    assert where(sources[("arXiv v2 (2024)", "doubling_months")]) == "Highlights"
    assert where(sources[("arXiv v2 (2024)", "param_fraction_minicpm_vs_mistral")]) == "§1.1"
    assert where(sources[("journal (2025)", "doubling_months")]) == "journal, secondary source"


# --- the table, against the chapters' own functions ---

@pytest.fixture(scope="module")
def evidence():
    return gather()


@pytest.fixture(scope="module")
def rows(evidence):
    return claims(evidence)


@pytest.fixture(scope="module")
def table(rows):
    return answer_table(rows)


@pytest.fixture(scope="module")
def by_key(rows):
    return {r.key: r for r in rows}


def test_the_table_is_tidy_and_every_row_has_a_verdict_and_a_chapter(table):
    assert tuple(table.columns) == COLUMNS
    assert table.index.is_unique and len(table) == 15
    assert set(table["verdict"]) <= set(VERDICTS)
    labels = {m for path in (ROOT / "chapters").glob("*.md")
              for m in re.findall(r"^\(([\w-]+)\)=$", path.read_text(), re.M)}
    assert set(table["chapter"]) <= labels
    for column in COLUMNS:  # every cell filled, none a raw float
        cells = table[column].map(str)
        assert cells.str.len().gt(0).all(), column
        assert not cells.str.contains(r"\d\.\d{5}").any(), (column, cells.tolist())


def test_the_headline_rows_are_chapter_5s_numbers(by_key, table):
    headline = analyse(Specification())
    bands = uncertainty(headline)
    trend = headline.trend
    row = by_key["doubling_days"]
    assert row.ours_value == trend.doubling_days
    assert row.narrow == bands.interval("models") and row.wide == bands.interval("combined")
    assert row.paper_value == 95 and row.verdict == HOLDS
    assert plain(table.loc["doubling_days", "ours"]).startswith(f"{trend.doubling_days:.0f} days")
    lo, hi = bands.interval("combined")
    assert f"{lo:.0f}–{hi:.0f}" in plain(table.loc["doubling_days", "interval (what it covers)"])
    assert by_key["doubling_months"].ours_value == trend.doubling_months
    assert by_key["journal_months"].where == "journal, secondary source"
    assert by_key["r2"].ours_value == trend.r2


def test_the_range_across_specifications_is_chapter_5s(evidence):
    defended = evidence.defended
    assert set(defended.index) == set(SPECIFICATIONS) - set(NOT_DEFENDED)
    for label in (defended.idxmin(), defended.idxmax()):
        spec = SPECIFICATIONS[label].replace(n_boot=0)
        assert defended[label] == analyse(spec).trend.doubling_days


def test_the_per_model_rows_read_chapter_5s_densities(by_key):
    densities = analyse(Specification()).densities.set_index("model")
    paper = densities.loc[densities["in_paper"], "rho"].dropna().sort_values(ascending=False)
    llama1 = paper[paper.index.str.startswith("Llama-1")]
    assert by_key["llama1"].ours_value == llama1.max()
    assert by_key["llama1"].verdict == (HOLDS if (llama1 < 0.1).all() else FAILS)
    assert by_key["gemma2_9b"].verdict == (HOLDS if list(paper.index).index("Gemma-2-9B") < 3
                                           else FAILS)
    assert by_key["llama31_405b"].verdict == (HOLDS if paper.index[0] != "Llama-3.1-405B"
                                              else FAILS)
    assert by_key["minicpm3_4b"].verdict == UNTESTED  # no base scores were published
    low, high = by_key["llama1"].narrow
    assert low < by_key["llama1"].ours_value < high


def test_the_corollary_rows_are_chapter_9s_numbers(by_key, evidence):
    prices = load_prices()
    trend = price_trend(prices, prices["input_usd_per_mtok"])  # chapter 9's "input only"
    assert by_key["price_halving"].ours_value == trend.halving_months
    assert by_key["price_halving"].narrow == trend.halving_months_ci
    assert by_key["price_fold"].ours_value == trend.fold
    assert by_key["price_fold"].paper_value == 266.7 and by_key["price_fold"].verdict == HOLDS
    split = split_trend(mmlu_densities())
    chatgpt = by_key["after_chatgpt"]
    assert chatgpt.ours_value == split.ratio and chatgpt.narrow == split.ratio_ci
    assert chatgpt.verdict == verdict(0.0073 / 0.0048, split.ratio_ci, null=1.0)
    verdicts = compression_verdicts(evidence.compression)
    assert by_key["compression"].ours_value == verdicts["denser than its parent"].sum()


def test_the_forecast_row_is_chapter_7s(by_key):
    """One cutoff at a time gives the numbers chapter 7 gets from all three together."""
    chapter7 = summaries({"headline": forecasts(Specification(), CUTOFFS, n_draws=500)})
    row = chapter7[chapter7["cutoff"].astype(str) == PAPER_CUTOFF].iloc[0]
    claim = by_key["forecast"]
    assert claim.ours_value == row["highest reached by end"]
    assert claim.wide == (row["forecast low"], row["forecast high"])
    assert claim.narrow[0] <= claim.wide[1] and claim.verdict in VERDICTS


def test_the_prose_numbers_agree_with_the_table(evidence, rows):
    said = numbers(evidence, rows)
    tally = counts(rows)
    assert said["n_claims"] == len(rows) == sum(tally.values())
    assert said["n_hold"] == tally[HOLDS] and said["n_untested"] == tally[UNTESTED]
    assert said["days"] == evidence.headline.trend.doubling_days
    assert (said["paper_inside"] == "lies inside") == (rows[0].verdict == HOLDS)
    assert said["across_lo"] <= said["days"] <= said["across_hi"]
    assert said["chatgpt_verdict"] in VERDICTS
    assert np.isclose(said["factor"], said["across_hi"] / said["across_lo"])


def test_the_markdown_links_each_row_to_its_chapter(table):
    text = as_myst(table)
    lines = text.splitlines()
    assert len(lines) == len(table) + 2 and lines[0].count("|") == len(COLUMNS) + 1
    for line, label in zip(lines[2:], table["chapter"], strict=True):
        assert line.endswith(f"{{ref}}`{label}` |")
        assert line.count("|") - line.count("\\|") == len(COLUMNS) + 1
    named = as_myst(table, CHAPTER_NAMES).splitlines()[2:]
    for line, label in zip(named, table["chapter"], strict=True):
        assert line.endswith(f"{{ref}}`{CHAPTER_NAMES[label]} <{label}>` |")


# --- the built page ---

def page_text(html, page: str) -> str:
    """The page as a reader reads it: no code, no tags, entities and typographic quotes undone."""
    text = (html / "chapters" / f"{page}.html").read_text()
    text = re.sub(r'<div class="cell_input.*?</div>\s*</div>', " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text)).replace("’", "'")
    return re.sub(r"\s+", " ", plain(text))


def test_the_page_shows_every_claim_with_its_verdict(html, table):
    source = (html / "chapters" / "answer.html").read_text()
    text = page_text(html, "answer")
    assert "This page is being written" not in text
    for row in table.itertuples():
        for cell in (row.claim, row.ours, row.verdict):
            assert re.sub(r"\s+", " ", plain(cell)) in text, cell
    for chapter in ("05_densing_law.html#densing-law", "09_corollaries.html#corollaries",
                    "07_forecast.html#forecast"):
        assert f'href="{chapter}"' in source, chapter
    assert "The numbers to remember" in text and "{glue" not in text and "{ref}" not in text
    notebook = json.loads((html / "_static/notebooks/chapters/answer.ipynb").read_text())
    markdown = " ".join(" ".join("".join(c["source"]).split()) for c in notebook["cells"]
                        if c["cell_type"] == "markdown")
    assert "How often the highest density doubles" in markdown  # the box's definitions survive


def test_the_introduction_gives_the_headline_and_links_to_the_answer(html, evidence):
    trend = evidence.headline.trend
    lo, hi = evidence.bands.interval("combined")
    source = (html / "chapters" / "00_introduction.html").read_text()
    text = page_text(html, "00_introduction")
    assert (f"it doubles every {trend.doubling_days:.0f} days (95% interval {lo:.0f} to {hi:.0f} "
            "days)") in text
    assert 'href="answer.html#answer-headline"' in source and 'href="answer.html#answer"' in source
