"""A chapter's core path is read in one sitting: few numbers in its prose, few tables in view,
and a box of the numbers to remember at its end (measured on the built pages, tests/core_path.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from core_path import MAX_NUMBERS, MAX_TABLES, NUMBER, chapters, measure

CHAPTERS = [f"{n:02d}" for n in range(1, 10)]


def test_the_number_pattern_counts_results_not_names():
    text = "doubling every 84 days (18–134), A = 0.0083, ρ = 7.26e+09; OLMo-2 7B and Qwen2.5-7B"
    assert NUMBER.findall(text) == ["84", "18", "134", "0.0083", "7.26e+09"]


def test_collapsed_blocks_outputs_and_solutions_are_not_counted(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<main><article><p>1 2 3</p><details><p>4 5</p><table></table></details>"
                    '<div class="solution"><p>6</p></div><div class="cell_output"><table>'
                    "</table><p>7</p></div><ul><li>8 <p>9</p></li></ul><table></table>"
                    "</article></main>")
    core = measure(page)
    assert (core.numbers, core.tables) == (5, 2)


def test_every_chapters_core_path_fits_one_sitting(html):
    measured = chapters(html)
    assert set(CHAPTERS) <= {name[:2] for name in measured}, sorted(measured)
    too_long = {name: core for name, core in measured.items()
                if core.numbers > MAX_NUMBERS or core.tables > MAX_TABLES}
    assert not too_long, (f"core paths over {MAX_NUMBERS} numbers or {MAX_TABLES} tables "
                          f"(move depth into a collapsed 'going deeper' block): {too_long}")


def test_every_chapter_ends_its_core_with_the_numbers_to_remember(html):
    for page in sorted((html / "chapters").glob("0[1-9]_*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        boxes = soup.select("div.admonition.remember")
        assert len(boxes) == 1, f"{page.stem}: {len(boxes)} 'Numbers to remember' boxes"
        items = boxes[0].select("li")
        assert 1 <= len(items) <= 5, f"{page.stem}: {len(items)} numbers to remember (1-5)"
        assert all(NUMBER.search(item.get_text(" ")) for item in items), (
            f"{page.stem}: a 'number to remember' without a number")
