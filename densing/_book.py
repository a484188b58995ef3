"""``python -m densing._book build …``: ``jupyter-book build``, with the chapters executed in
parallel.

Chapters execute while Sphinx reads them, and Jupyter Book 1.x reads one page at a time: its
command line has no option for Sphinx's parallel read, though its ``build_sphinx`` takes ``jobs``.
This sets ``jobs`` and runs the same command line (the pinned 1.x release no longer changes).
``DENSING_JOBS`` sets the number of processes (default: cores + 1).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

import jupyter_book.sphinx
import sphinx.builders
from jupyter_book.cli.main import main

JOBS = int(os.environ.get("DENSING_JOBS", 0)) or (os.cpu_count() or 1) + 1
# The pages that execute longest, started first so that no long page is left running alone at
# the end of the read (measured by executing each chapter alone on one core, in seconds: 06 16.5,
# 07 11.9, 08 8.9, 05 8.8, explorer 7.2, 09 6.6; every other page under 5.2).
SLOWEST_FIRST = ("chapters/06_choices", "chapters/07_forecast", "chapters/08_your_model",
                 "chapters/05_densing_law", "chapters/explorer", "chapters/09_corollaries")


def one_page_per_process(docnames: Sequence[str], nproc: int, maxbatch: int = 10
                         ) -> list[list[str]]:
    """Sphinx's ``make_chunks`` hands each process an equal share of the pages in order, so one
    share can hold the three slowest chapters; one page per task, the slowest first, balances the
    processes instead (a page's execution dwarfs the cost of a process)."""
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    ordered = sorted(docnames, key=lambda name: rank.get(name, len(rank)))
    return [[name] for name in ordered]


if __name__ == "__main__":
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx,
                                                         jobs=JOBS)
    sphinx.builders.make_chunks = one_page_per_process
    main()
