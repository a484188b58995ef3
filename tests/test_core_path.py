"""A chapter's core path is read in one sitting: few numbers in its prose, few tables in view,
and a box of the numbers to remember at its end (measured on the built pages, tests/core_path.py)."""

from __future__ import annotations

import re

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


# A number not part of an identifier (arXiv:2412.04315, doi:10.1038/...).
RAW_FLOAT = re.compile(r"(?<![\w:/.])\d+\.(\d+)")


def _raw_float(cell: str) -> bool:
    """A number printed with more digits than a reader reads (3.424772, 47817.678917): five or
    more significant digits, three or more of them after the point."""
    for match in RAW_FLOAT.finditer(cell.replace(",", "")):
        whole, decimals = match.group(0).split(".")
        significant = (whole.lstrip("0") + decimals).lstrip("0")
        if len(significant) >= 5 and len(decimals) >= 3:
            return True
    return False


def test_raw_floats_are_told_from_readable_numbers():
    assert [_raw_float(c) for c in ("3.424772", "87.960128", "47817.678917", "1.2345")] == [True] * 4
    assert not any(_raw_float(c) for c in ("0.00833", "0.000227", "84.2", "1,234", "7.26e+09",
                                           "A ≈ 0.0073", "18–134", "2024-10-31",
                                           "arXiv:2412.04315v2, Sec. 3.3", "doi:10.1038/s42"))


def test_no_table_shows_a_row_index_or_a_raw_float(html):
    """Every table on every page, collapsed ones and solutions included, is readable: no pandas
    row index, no raw floats, no NaN."""
    problems = []
    for page in sorted((html / "chapters").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("div.cell_output table"):
            head = table.get_text(" ", strip=True)[:40]
            if table.select("th.row_heading, th.blank, tbody th"):
                problems.append(f"{page.stem}: a row index in {head!r}")
            cells = [cell.get_text(" ", strip=True) for cell in table.select("td")]
            problems += [f"{page.stem}: {cell!r} in {head!r}" for cell in cells
                         if _raw_float(cell) or cell in ("nan", "NaN", "None")]
    assert not problems, "\n".join(problems[:20])
