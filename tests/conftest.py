"""Shared fixtures: a synthetic reference with known constants, and the book built once from
clean for every test that reads the site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from densing import LossLaw, PerformanceCurve, Reference


@pytest.fixture
def known_reference() -> Reference:
    """A reference with round constants, close in shape to the ladder's MMLU fit."""
    law = LossLaw(a=180.0, alpha=0.32, b=40.0, beta=0.19, E=0.53, irreducible=True)
    curve = PerformanceCurve(c=0.75, gamma=-3.7, l=0.57, d=0.25)
    return Reference(law, curve, D0=1e12)


ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = [sys.executable, "-m", "densing._book"]  # jupyter-book, pages read in parallel
BUILD_FLAGS = ["--all", "-n", "-W", "--keep-going"]


def build_book(source: Path, output: Path) -> subprocess.CompletedProcess:
    """``jupyter-book build`` from clean, warnings as errors."""
    return subprocess.run([*JUPYTER_BOOK, "build", str(source), *BUILD_FLAGS, "--path-output",
                           str(output)], capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="session")
def html(tmp_path_factory, worker_id) -> Path:
    """The site, built once from clean into a temporary folder (``DENSING_SITE=path/to/html``
    reuses a site already built, to rerun the page tests while writing a chapter). Under
    pytest-xdist the first worker to ask builds it and the others wait for it."""
    if os.environ.get("DENSING_SITE"):
        return Path(os.environ["DENSING_SITE"])
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # every worker's common folder
    out, failed = shared / "book", shared / "book-failed.txt"
    with FileLock(str(shared / "book.lock")):
        if not failed.exists() and not (out / "_build" / "html" / "index.html").exists():
            result = build_book(ROOT, out)
            if result.returncode != 0:
                failed.write_text((result.stdout + result.stderr)[-4000:])
    assert not failed.exists(), failed.read_text()
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (never a downloaded browser), driven by playwright."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS

    assert Path(CHROMIUM).exists(), (f"{CHROMIUM} is missing: `make test` installs Debian's "
                                     "chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
