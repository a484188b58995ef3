"""Shared fixtures: a synthetic reference with known constants, and the book built once from
clean for every test that reads the site."""

from __future__ import annotations

import os
import subprocess
import sys
import time
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
BUILD_TIMEOUT = 1200  # seconds


def build_command(source: Path, output: Path) -> list[str]:
    """``jupyter-book build`` of ``source`` from clean into ``output``, warnings as errors."""
    return [*JUPYTER_BOOK, "build", str(source), *BUILD_FLAGS, "--path-output", str(output)]


def build_book(source: Path, output: Path) -> subprocess.CompletedProcess:
    """``build_command``, run and waited for."""
    return subprocess.run(build_command(source, output), capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT)


def _shared_folder(config: pytest.Config) -> Path:
    """A folder every pytest-xdist worker of this run shares (the run's own without xdist)."""
    base = config._tmp_path_factory.getbasetemp()  # what the tmp_path_factory fixture uses
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _start_build(shared: Path) -> None:
    """Start building the site from clean into ``shared``/book, once per run, in the
    background; the result (return code and the end of the log) lands in ``shared``/book.done."""
    with FileLock(str(shared / "book.lock")):
        if (shared / "book.started").exists():
            return
        (shared / "book.started").touch()
        subprocess.Popen([sys.executable, "-c", _BUILD_AND_REPORT, str(shared), str(BUILD_TIMEOUT),
                          *build_command(ROOT, shared / "book")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Run the build, then write its return code and the end of its log (or why it did not finish), in
# one rename (atomic): the tests wait for that file.
_BUILD_AND_REPORT = """
import subprocess, sys, traceback
from pathlib import Path
shared, timeout = Path(sys.argv[1]), float(sys.argv[2])
try:
    result = subprocess.run(sys.argv[3:], capture_output=True, text=True, timeout=timeout)
    code, log = result.returncode, (result.stdout + result.stderr)[-4000:]
except BaseException:
    code, log = 1, traceback.format_exc()[-4000:]
(shared / "book.partial").write_text(f"{code}\\n{log}")
(shared / "book.partial").rename(shared / "book.done")
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The site starts building as soon as the tests are collected, and the tests that read it
    run last: first the modules that do not read it, then, module by module, the tests of the
    others that do not, then the rest. (Each module runs on one worker, ``--dist loadscope``, so
    its module-scoped fixtures are computed once.)"""
    def reads(item: pytest.Item) -> bool:
        return "html" in getattr(item, "fixturenames", ())

    reads_site = {item.path for item in items if reads(item)}
    if not reads_site or os.environ.get("DENSING_SITE"):
        return
    items.sort(key=lambda item: (item.path in reads_site, reads(item)))  # stable
    _start_build(_shared_folder(config))


@pytest.fixture(scope="session")
def html(request) -> Path:
    """The site, built once from clean into a temporary folder (``DENSING_SITE=path/to/html``
    reuses a site already built, to rerun the page tests while writing a chapter). The build
    starts when the tests are collected; under pytest-xdist every worker waits for the one
    build."""
    if os.environ.get("DENSING_SITE"):
        return Path(os.environ["DENSING_SITE"])
    shared = _shared_folder(request.config)
    _start_build(shared)  # already started, unless collection was skipped
    deadline = time.monotonic() + BUILD_TIMEOUT + 60
    while not (shared / "book.done").exists():
        assert time.monotonic() < deadline, f"the build reported nothing in {BUILD_TIMEOUT} s"
        time.sleep(0.2)
    code, log = (shared / "book.done").read_text().split("\n", 1)
    assert code == "0", log
    return shared / "book" / "_build" / "html"


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


def with_one_cell(tmp_path: Path, name: str, column: str, value: str, row: int = 0) -> Path:
    """A copy of ``data/<name>`` in ``tmp_path`` with one cell changed: the file a test of a
    loader's refusals reads."""
    import pandas as pd

    from densing.data import DATA_DIR

    table = pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False)
    table.loc[table.index[row], column] = value
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path
