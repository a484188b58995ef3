"""``python -m densing._book build …``: ``jupyter-book build``, with the chapters executed in
parallel.

Chapters execute while Sphinx reads them, and Jupyter Book 1.x reads one page at a time: its
command line has no option for Sphinx's parallel read, though its ``build_sphinx`` takes ``jobs``.
This sets ``jobs`` and runs the same command line (the pinned 1.x release no longer changes).
"""

from __future__ import annotations

import functools
import os

import jupyter_book.sphinx
from jupyter_book.cli.main import main

# Sphinx hands each process an equal share of the pages in order; with twice as many processes as
# cores the shares are small, so one slow chapter does not hold back a whole half of the book.
JOBS = 2 * (os.cpu_count() or 1)


if __name__ == "__main__":
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx,
                                                         jobs=JOBS)
    main()
