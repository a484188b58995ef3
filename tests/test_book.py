"""The book builds from clean with -n -W --keep-going, every page has its figures and no errors,
and every chapter downloads as a notebook that reads and runs like its page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

FIGURES_PER_PAGE = {"00_introduction": 1, "01_loss_law": 1, "02_performance_curve": 2,
                    "03_effective_parameters": 1, "04_density": 1, "05_densing_law": 2,
                    "06_choices": 3, "07_forecast": 4, "08_your_model": 0, "09_corollaries": 4,
                    "10_field": 2}


@pytest.mark.parametrize("page", FIGURES_PER_PAGE)
def test_page_has_its_figures_and_no_errors(html, page):
    text = (html / "chapters" / f"{page}.html").read_text()
    images = set(re.findall(r'<img[^>]+src="([^"]+\.png)"', text))
    assert len(images) == FIGURES_PER_PAGE[page], images
    for image in images:
        assert (html / "chapters" / image).resolve().stat().st_size > 10_000
    assert 'class="output traceback' not in text and 'class="output stderr' not in text
    assert text.count('class="caption"') + text.count("caption-text") >= FIGURES_PER_PAGE[page]


def test_glued_numbers_reach_the_pages(html):
    """Prose numbers come from the executed code (tests/test_reported_numbers.py pins them)."""
    text = (html / "chapters" / "02_performance_curve.html").read_text()
    prose = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    assert "predicted within 0.041 (7B) and 0.044 (13B)" in prose


def test_forecast_chapter_reports_each_cutoff_and_its_verdicts(html):
    """Chapter 7's tables come from the executed forecasts (tests/test_forecast.py pins them)."""
    text = (html / "chapters" / "07_forecast.html").read_text()
    prose = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    for cutoff in ("2024-04-30", "2024-10-31", "2025-04-30"):
        assert prose.count(cutoff) >= 4, cutoff  # summary table, record table, figure titles
    assert "the maximum density kept growing after the paper" in prose
    assert "Of the 12 records scored, 10 fell inside their prediction interval" in prose


def test_interactive_densing_figure_names_every_model(html):
    text = (html / "chapters" / "05_densing_law.html").read_text()
    assert "plotly-graph-div" in text and "Plotly.newPlot" in text
    for model in ("Llama-1-65B", "Mistral-7B", "Phi-2", "Qwen2.5-7B"):
        assert f'"{model}"' in text  # in the hover data of its point


def test_bibliography_labels_are_the_in_text_citations(html):
    references = (html / "chapters" / "references.html").read_text()
    labels = re.findall(r'<span class="fn-bracket">\[</span>(.*?)<span class="fn-bracket">',
                        references)
    cited = {re.sub(r"<[^>]+>", "", text) for page in ("00_introduction.html", "01_loss_law.html",
                                                        "06_choices.html", "10_field.html")
             for text in re.findall(r'href="references\.html#[^"]*"[^>]*>(.*?)</a>',
                                    (html / "chapters" / page).read_text())}
    assert len(labels) >= 4
    for label in labels:
        assert label in cited, f"the bibliography's [{label}] is cited as one of {cited}"


def test_bibliography_is_rendered(html):
    text = (html / "chapters" / "references.html").read_text()
    assert "densing law of llms" in text.lower() and "model ladders" in text.lower()


NOTEBOOKS = "_static/notebooks/chapters"
LEFTOVER_MARKUP = re.compile(r"\{(?:glue|ref|cite|numref|doc|term)[^}]*\}`|```\{[a-z-]+\}"
                             r"|^:{3,}\{[a-z-]+\}|^\([\w-]+\)=", re.M)


@pytest.mark.parametrize("page", FIGURES_PER_PAGE)
def test_each_chapter_downloads_as_a_notebook_that_reads_like_the_page(html, page):
    text = (html / "chapters" / f"{page}.html").read_text()
    assert f'href="../{NOTEBOOKS}/{page}.ipynb" download' in text
    notebook = json.loads((html / NOTEBOOKS / f"{page}.ipynb").read_text())
    markdown = "\n".join("".join(c["source"]) for c in notebook["cells"]
                         if c["cell_type"] == "markdown")
    assert not LEFTOVER_MARKUP.findall(markdown), LEFTOVER_MARKUP.findall(markdown)[:5]
    glue_records = [o for c in notebook["cells"] for o in c.get("outputs", [])
                    if "scrapbook" in o.get("metadata", {})]
    assert not glue_records, "glue records would show as empty outputs in Jupyter"
    if "## Exercises" in markdown and "Solution to" in text:
        assert markdown.index("## Solutions") > markdown.index("## Exercises")


def test_a_notebook_shows_the_numbers_of_its_page(html):
    notebook = json.loads((html / NOTEBOOKS / "02_performance_curve.ipynb").read_text())
    markdown = " ".join(" ".join("".join(c["source"]).split()) for c in notebook["cells"]
                        if c["cell_type"] == "markdown")
    assert "predicted within 0.041 (7B) and 0.044 (13B)" in markdown
    assert "(Bhagia and others, 2024)" in markdown  # as the page cites it


def test_a_downloaded_notebook_runs_in_a_plain_kernel(html, tmp_path):
    """Without MyST-NB (an import that fails stands in for it), with densing installed."""
    import nbclient
    import nbformat

    (tmp_path / "myst_nb.py").write_text('raise ImportError("MyST-NB is not installed here")\n')
    notebook = nbformat.read(html / NOTEBOOKS / "08_your_model.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    printed = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                      for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "density: 25.2" in printed and "Error" not in printed
    assert "Right: " in printed  # the self-check works without MyST-NB


@pytest.mark.parametrize("page", FIGURES_PER_PAGE)
def test_a_notebook_numbers_its_exercises_as_the_page_does(html, page):
    text = (html / "chapters" / f"{page}.html").read_text()
    on_page = re.findall(r'<span class="caption-number">Exercise ([\d.]+) </span>', text)
    notebook = json.loads((html / NOTEBOOKS / f"{page}.ipynb").read_text())
    markdown = "\n".join("".join(c["source"]) for c in notebook["cells"]
                         if c["cell_type"] == "markdown")
    assert re.findall(r"\*\*Exercise ([\d.]+)\.\*\*", markdown) == on_page
    solved = re.findall(r"### Solution to exercise ([\d.]+) ", markdown)
    assert set(solved) <= set(on_page)


@pytest.mark.parametrize("page", FIGURES_PER_PAGE)
def test_every_page_and_notebook_says_where_to_get_the_package(html, page):
    from densing._sphinx import wheel_name

    wheel = wheel_name()
    text = (html / "chapters" / f"{page}.html").read_text()
    assert f'href="../_static/{wheel}" download' in text and f"pip install {wheel}" in text
    notebook = json.loads((html / NOTEBOOKS / f"{page}.ipynb").read_text())
    first = ["".join(c["source"]) for c in notebook["cells"][:3] if c["cell_type"] == "markdown"]
    assert any(f"pip install {wheel}" in cell for cell in first), first


def test_the_site_s_wheel_installs_a_working_package(html, tmp_path):
    from densing._sphinx import wheel_name

    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target), str(html / "_static" / wheel_name())], check=True)
    code = ("import densing, densing.data as d; print(densing.__file__); "
            "print(len(d.load_models()))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(target)}, check=True)
    where, rows = result.stdout.split()
    assert where.startswith(str(target)) and int(rows) > 100


def test_the_answer_notebook_links_its_chapters_instead_of_showing_markup(html):
    notebook = json.loads((html / NOTEBOOKS / "answer.ipynb").read_text())
    shown = [("".join(o["data"]["text/markdown"]))
             for c in notebook["cells"] for o in c.get("outputs", [])
             if "text/markdown" in o.get("data", {})]
    assert shown, "the answer table is no longer a Markdown output"
    assert not any(LEFTOVER_MARKUP.findall(text) for text in shown), shown[0][:300]
    assert "05_densing_law.ipynb" in "".join(shown)
