"""What a student reads on a chapter's core path: the numbers in its prose and the tables in view.

Measured on the built page. Prose is the text of paragraphs and list items outside code, cell
outputs, exercise solutions and anything collapsed (dropdowns, toggles, hidden cells); tables are
the tables a reader sees without opening anything. Used by tests/test_core_path.py and `make bench`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag

# A number as a reader meets it: 84, 0.0083, 1e12, 7.26e+09, 18–134 counts two. Digits inside a
# word (OLMo-2, Qwen2.5-7B, eq. 2) are names, not results, and do not count.
NUMBER = re.compile(r"(?<![\w.\-/])[−-]?\d[\d,]*(?:\.\d+)?(?:e[+−-]?\d+)?%?(?![\w])")
# Collapsed or not prose: what a reader opens, and what is code or output rather than text.
SKIPPED = ("details", ".dropdown", ".toggle-hidden", ".solution", ".cell_output", ".cell_input",
           ".highlight", "pre", ".math", ".MathJax", "script", "style", ".toggle")
MAX_NUMBERS = 90
MAX_TABLES = 6


@dataclass(frozen=True)
class CorePath:
    numbers: int
    tables: int


def _collapsed(element: Tag) -> bool:
    """Inside something a reader must open (a dropdown, a hidden cell, a solution)."""
    for parent in [element, *element.parents]:
        if not isinstance(parent, Tag):
            continue
        if parent.name == "details":
            return True
        classes = parent.get("class") or []
        if {"dropdown", "toggle-hidden", "solution"} & set(classes):
            return True
    return False


def measure(page: Path) -> CorePath:
    """The numbers in the core path's prose and the tables in view on one built page."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    main = soup.select_one("main article") or soup.select_one("main") or soup
    tables = sum(1 for table in main.find_all("table") if not _collapsed(table))
    for selector in SKIPPED:
        for element in main.select(selector):
            element.decompose()
    numbers = 0
    for element in main.find_all(["p", "li"]):
        if element.find_parent(["p", "li"]) is not None:  # counted with its enclosing block
            continue
        numbers += len(NUMBER.findall(element.get_text(" ")))
    return CorePath(numbers, tables)


def chapters(html: Path) -> dict[str, CorePath]:
    """Every chapter page of the built site (01-09 and the introduction), measured."""
    return {page.stem: measure(page) for page in sorted((html / "chapters").glob("0*.html"))}


if __name__ == "__main__":
    import sys

    for name, core in chapters(Path(sys.argv[1])).items():
        print(f"{name:28s} numbers {core.numbers:4d}   tables {core.tables:2d}")
