"""The book builds from clean with -n -W --keep-going, every page has its figures and no errors,
and a chapter that raises or warns fails the build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")
BUILD_FLAGS = ["--all", "-n", "-W", "--keep-going"]
FIGURES_PER_PAGE = {"00_introduction": 1, "01_loss_law": 1, "02_performance_curve": 2,
                    "03_effective_parameters": 1, "04_density": 1, "05_densing_law": 2,
                    "06_choices": 3, "07_forecast": 3}


def build(source: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run([JUPYTER_BOOK, "build", str(source), *BUILD_FLAGS, "--path-output",
                           str(output)], capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    result = build(ROOT, out)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return out / "_build" / "html"


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
    assert "Of the 12 records scored, 11 fell inside their prediction interval" in prose


def test_interactive_densing_figure_names_every_model(html):
    text = (html / "chapters" / "05_densing_law.html").read_text()
    assert "plotly-graph-div" in text and "Plotly.newPlot" in text
    for model in ("Llama-1-65B", "Mistral-7B", "Phi-2", "Qwen2.5-7B"):
        assert f'"{model}"' in text  # in the hover data of its point


def test_bibliography_is_rendered(html):
    text = (html / "chapters" / "references.html").read_text()
    assert "densing law of llms" in text.lower() and "model ladders" in text.lower()


@pytest.mark.parametrize(("cell", "why"), [
    ('raise RuntimeError("a broken chapter")', "raises"),
    ('import warnings\nwarnings.warn("a fit sits on its bound")', "warns"),
])
def test_a_chapter_that_raises_or_warns_fails_the_build(tmp_path, cell, why):
    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copy(ROOT / "references.bib", tmp_path)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    header = (ROOT / "chapters" / "04_density.md").read_text().split("---\n")[1]
    (tmp_path / "index.md").write_text(f"---\n{header}---\n\n# Broken\n\n```{{code-cell}} ipython3\n"
                                       f"{cell}\n```\n")
    result = build(tmp_path, tmp_path)
    assert result.returncode != 0, f"a chapter that {why} built without failing"
