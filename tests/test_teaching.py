"""The glossary, the teachers' page and the glossary links: every term defined and linked where
the chapters first use it, the lesson plan's timings adding up to 90 minutes, every link resolving,
no {term} role left in an exported notebook, and each rule of the headline that the glossary states
true of the package."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from densing import Specification, analyse
from densing.analysis import SCORE
from densing.data import BENCHMARKS
from densing.trend import envelope_mask

# The terms the glossary defines, each as a reader would look it up (several names may share one
# definition).
TERMS = ["reference", "loss law", "performance curve", "effective parameter size",
         "capability density", "D0", "envelope", "record-setter", "panel", "specification",
         "placeable", "beyond reach", "near the floor", "on a bound", "bits per byte", "ObsScaling",
         "OLMo ladder", "Chinchilla multiple", "xC", "mixture of experts",
         "basic bootstrap interval", "interval score", "densing law", "doubling time", "task loss",
         "density on the curve"]
LINKING_CHAPTERS = ["00_introduction", "01_loss_law", "02_performance_curve",
                    "03_effective_parameters", "04_density", "05_densing_law", "06_choices",
                    "08_your_model", "09_corollaries", "10_field"]
NOTEBOOKS = "_static/notebooks/chapters"
STUB = "This page is being written"


def prose(page: str) -> str:
    """The text of an HTML page (or part of one): comments, scripts and tags removed, spaces
    collapsed, typographic apostrophes as typed."""
    page = re.sub(r"<!--.*?-->|<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u2019", "'")
    return re.sub(r" ([.,;:)])", r"\1", " ".join(text.split()))  # no space a tag left


def article(page: str) -> str:
    """The page's own content, without the navigation around it."""
    return page[page.index("<article"):page.index("</article>")]


def glossary_entries(page: str) -> list[tuple[list[str], str, str]]:
    """The glossary's entries in order: (the ids of its terms, its names, its definition)."""
    body = page[page.index('class="simple glossary"'):]
    body = body[:body.index("</dl>")]
    entries, ids, names = [], [], []
    for kind, attrs, inner in re.findall(r"<(dt|dd)([^>]*)>(.*?)</\1>", body, re.S):
        if kind == "dt":
            ids.append(re.search(r'id="([^"]+)"', attrs).group(1))
            names.append(prose(re.sub(r'<a class="headerlink".*?</a>', "", inner, flags=re.S)))
        else:
            entries.append((ids, " / ".join(names), prose(inner)))
            ids, names = [], []
    return entries


@pytest.fixture(scope="module")
def glossary(html) -> str:
    return (html / "chapters" / "glossary.html").read_text()


def test_the_glossary_defines_every_term(glossary):
    entries = glossary_entries(glossary)
    defined = {name.lower(): definition for ids, names, definition in entries
               for name in names.split(" / ")}
    missing = [term for term in TERMS if term.lower() not in defined]
    assert not missing, f"not in the glossary: {missing}"
    for term in TERMS:
        definition = defined[term.lower()]
        assert 60 <= len(definition) <= 900, (term, definition)
    assert STUB not in glossary


def test_the_glossary_states_the_rules_with_the_package_s_numbers(glossary):
    text = prose(article(glossary))
    headline = analyse(Specification(n_boot=0))
    with_moe = analyse(Specification(moe="total", n_boot=0))
    assert f"would make the trend's {len(headline.used)} models {len(with_moe.used)}." in text
    assert f"The headline has {len(headline.envelope_models)} record-setters." in text
    assert "only the day's best can" in text


@pytest.mark.parametrize("chapter", LINKING_CHAPTERS)
def test_each_chapter_links_its_terms_to_the_glossary_once(html, glossary, chapter):
    page = (html / "chapters" / f"{chapter}.html").read_text()
    targets = re.findall(r'href="glossary\.html#(term-[^"]+)"', page)
    assert targets, f"{chapter} links no glossary term"
    entry_of = {term_id: names for ids, names, _ in glossary_entries(glossary) for term_id in ids}
    unknown = [t for t in targets if t not in entry_of]
    assert not unknown, f"{chapter} links terms the glossary does not define: {unknown}"
    linked = [entry_of[t] for t in targets]
    twice = {names for names in linked if linked.count(names) > 1}
    assert not twice, f"{chapter} links these entries more than once (only the first use): {twice}"


def lesson_plan(page: str) -> str:
    """The text of the teachers' page's lesson plan: its section, up to the next one."""
    start = page.index('id="teaching-lesson"')
    end = page.index("<h2", page.index("</h2>", start))
    return prose(page[start:end])


def test_the_lesson_plan_adds_up_to_90_minutes(html):
    plan = lesson_plan((html / "chapters" / "teaching.html").read_text())
    parts = re.findall(r"(\d+):(\d\d)\s*[–-]\s*(\d+):(\d\d) \((\d+) min\)", plan)
    assert len(parts) >= 5, plan[:500]
    clock = 0
    for h0, m0, h1, m1, minutes in parts:
        start, end = 60 * int(h0) + int(m0), 60 * int(h1) + int(m1)
        assert start == clock, f"a part starts at {h0}:{m0}, after the previous ended at {clock}"
        assert end - start == int(minutes), f"{h0}:{m0}-{h1}:{m1} is not {minutes} min"
        clock = end
    assert clock == 90 and sum(int(p[-1]) for p in parts) == 90
    for part in ("On the board", "In class"):  # each part says what to draw, and an exercise
        assert part in plan


def test_the_teachers_page_uses_the_chapters_exercises_and_figures(html):
    page = (html / "chapters" / "teaching.html").read_text()
    exercises = re.findall(r'href="(\d\d_[a-z_]+\.html)#(ex-[\w-]+)"', page)
    figures = re.findall(r'href="(\d\d_[a-z_]+\.html)#(fig-[\w-]+)"', page)
    assert len(set(exercises)) >= 10 and len(set(figures)) >= 6, (exercises, figures)
    session_text = prose(article(page))
    for session in ("Session 1", "Session 2", "Session 3"):
        assert session in session_text
    assert session_text.count("Homework") >= 3


@pytest.mark.parametrize("page", ["teaching", "glossary"])
def test_every_link_of_the_page_resolves_to_a_written_page(html, page):
    path = html / "chapters" / f"{page}.html"
    text = path.read_text()
    assert STUB not in text
    main = text[text.index('<main'):text.index('</main>')]
    problems, seen = [], {}
    for href in set(re.findall(r'<a[^>]+href="([^"]+)"', main)):
        if re.match(r"[a-z]+:", href) or href.startswith("#") and not href[1:]:
            continue  # outside the site, or the page itself
        target, _, anchor = href.partition("#")
        file = (path.parent / target).resolve() if target else path
        if not file.exists():
            problems.append(f"{href}: no such page")
            continue
        body = seen.setdefault(file, file.read_text() if file.suffix == ".html" else "")
        if anchor and f'id="{anchor}"' not in body:
            problems.append(f"{href}: no such anchor")
        if STUB in body:
            problems.append(f"{href}: links a page still being written")
    assert not problems, "\n".join(problems)
    assert len(seen) >= (8 if page == "teaching" else 6)


def test_no_exported_notebook_keeps_a_term_role(html):
    notebooks = sorted((html / NOTEBOOKS).glob("*.ipynb"))
    assert len(notebooks) >= 10
    linked = 0
    for path in notebooks:
        cells = json.loads(path.read_text())["cells"]
        markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        leftover = re.findall(r"\{term\}`[^`]*`", markdown)
        assert not leftover, f"{path.name}: {leftover[:5]}"
        links = re.findall(r"\]\(([\w.-]+\.ipynb)\)", markdown)
        for target in links:
            assert (html / NOTEBOOKS / target).exists(), f"{path.name} links {target}, not exported"
        linked += links.count("glossary.ipynb")
    assert linked >= len(LINKING_CHAPTERS), "the terms should link to the glossary's notebook"


def test_the_glossary_notebook_lists_its_terms_in_plain_markdown(html):
    cells = json.loads((html / NOTEBOOKS / "glossary.ipynb").read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "```{" not in markdown and "{glue" not in markdown and "{term}" not in markdown
    for term in ("envelope", "record-setter", "mixture of experts", "D0"):
        assert f"**{term}**" in markdown


# The rules of the headline, as the glossary states them, checked on the package.

@pytest.fixture(scope="module")
def headline():
    return analyse(Specification(n_boot=0))


def test_same_day_rule_only_the_day_s_best_can_set_a_record():
    days = np.array([0.0, 10.0, 10.0, 20.0, 30.0])
    rho = np.array([1.0, 3.0, 2.0, 3.0, 2.5])
    # Day 10: both beat day 0, but only the better one is a record; day 20 only equals the record;
    # day 30 is below it.
    assert envelope_mask(days, rho).tolist() == [True, True, False, False, False]


def test_the_headline_s_record_setters_follow_the_same_day_rule(headline):
    used = headline.used
    records = headline.envelope_models
    assert records["release_date"].is_unique  # never two records on one day
    for row in used.itertuples():
        earlier = used.loc[used["release_date"] < row.release_date, "rho"].max()
        best_of_day = used.loc[used["release_date"] == row.release_date, "rho"].max()
        is_record = row.model in set(records["model"])
        should = row.rho == best_of_day and not row.rho <= earlier  # NaN: the first day
        assert is_record == should, row.model
    # Without the rule, models that share a day could all be records: the rule matters here.
    loose = [r.model for r in used.itertuples()
             if not r.rho <= used.loc[used["release_date"] < r.release_date, "rho"].max()]
    assert len(loose) > len(records)


def test_mixtures_of_experts_are_out_of_the_headline_trend(headline):
    with_moe = analyse(Specification(moe="total", n_boot=0))
    assert not (headline.used["architecture"] == "moe").any()
    added = set(with_moe.used["model"]) - set(headline.used["model"])
    assert added and set(with_moe.used["model"]) >= set(headline.used["model"])
    reasons = headline.densities.set_index("model").loc[sorted(added)]
    assert (reasons["architecture"] == "moe").all()
    assert (reasons["reason"] == "mixture-of-experts").all()
    assert len(with_moe.used) == len(headline.used) + len(added)
    # The reference is fitted on dense models only: putting the experts in the trend leaves it.
    panel_models = set(headline.panel["model"])
    moe_models = set(headline.densities.loc[headline.densities["architecture"] == "moe", "model"])
    assert not panel_models & moe_models
    assert with_moe.reference.curve.params == headline.reference.curve.params


def test_a_density_needs_all_five_scores_placeable_and_the_total_count(headline):
    used = headline.used
    assert used[list(BENCHMARKS)].notna().all(axis=None)
    low, high = headline.reference.score_range
    assert (used[SCORE] >= headline.reference.near_floor).all() and (used[SCORE] < high).all()
    table = headline.densities.set_index("model")
    short = table[table[list(BENCHMARKS)].isna().any(axis=1)]
    assert not short["in_trend"].any() and short["rho"].isna().all()
    from densing.data import load_models

    models = load_models().set_index("model")
    assert np.allclose(used["n_b"], models.loc[used["model"], "params_b"])
    assert headline.spec.D0 == 1e12


def test_the_line_is_least_squares_through_the_record_setters(headline):
    records = headline.envelope_models
    days = (records["release_date"] - headline.used["release_date"].min()).dt.days.to_numpy(float)
    slope = np.polyfit(days, np.log(records["rho"].to_numpy(float)), 1)[0]
    assert slope == pytest.approx(headline.trend.A, rel=1e-9)
    assert headline.trend.doubling_days == pytest.approx(np.log(2) / slope, rel=1e-9)


def test_the_interval_is_a_basic_bootstrap_that_brackets_the_estimate():
    trend = analyse(Specification(n_boot=400)).trend
    lo, hi = trend.A_ci
    assert lo < trend.A < hi
    refits = 2 * trend.A - trend.bootstrap_A  # the refitted slopes A*
    assert lo == pytest.approx(2 * trend.A - np.nanpercentile(refits, 97.5), rel=1e-9)
    assert hi == pytest.approx(2 * trend.A - np.nanpercentile(refits, 2.5), rel=1e-9)


def test_the_glossary_source_links_nothing_it_does_not_define():
    """Every {term} of the chapters names a glossary term (the build checks it too, with -n)."""
    root = Path(__file__).resolve().parent.parent / "chapters"
    source = (root / "glossary.md").read_text()
    block = source[source.index("```{glossary}"):]
    block = block[:block.index("\n```\n")]
    names = {line.strip().lower() for line in block.splitlines()[2:]
             if line.strip() and not line.startswith(" ")}
    for chapter in [*LINKING_CHAPTERS, "glossary"]:
        text = (root / f"{chapter}.md").read_text()
        for role in re.findall(r"\{term\}`([^`]*)`", text):
            target = role.rpartition("<")[2].rstrip(">") if "<" in role else role
            assert " ".join(target.split()).lower() in names, (chapter, role)


def test_a_notebook_renders_term_roles_as_links_and_the_glossary_as_bold_terms():
    from densing._notebooks import readable_notebook

    def resolve(role, target):
        text, _, label = target.rpartition("<")
        return f"[{(text or target).strip()}](glossary.ipynb)" if role == "term" else target

    cells = [{"cell_type": "markdown", "metadata": {},
              "source": "# T\n\nThe {term}`envelope` and its "
                        "{term}`record-setters <record-setter>`."},
             {"cell_type": "markdown", "metadata": {},
              "source": "```{glossary}\n:sorted:\n\nenvelope\n  The running maximum.\n\n"
                        "D0\ntoken budget\n  The tokens,\n  read at.\n```"}]
    notebook = readable_notebook({"cells": cells, "metadata": {}}, {}, resolve, lambda n: "Fig. 1")
    text = "\n".join("".join(c["source"]) for c in notebook["cells"])
    assert ("The [envelope](glossary.ipynb) and its [record-setters](glossary.ipynb)." in text)
    assert "**envelope**: The running maximum." in text
    assert "**D0** / **token budget**: The tokens,\nread at." in text
    assert "{term}" not in text and "```" not in text
