"""A chapter that raises or warns fails the build (one that works does not), and `make lab`
serves the chapters (neither needs the built site, so they run while it builds)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, build_book


@pytest.mark.parametrize(("cell", "why", "reported"), [
    ('raise RuntimeError("a broken chapter")', "raises", "RuntimeError: a broken chapter"),
    ('import warnings\nwarnings.warn("a fit sits on its bound")', "warns",
     "broken.md:16: WARNING: stderr was found in the cell outputs"),
    ("print('a chapter that works')", "works", None),  # the control: the same book builds
])
def test_a_chapter_that_raises_or_warns_fails_the_build(tmp_path, cell, why, reported):
    """A one-page book beside the package (its wheel is part of the build) fails because of its
    page's fault, and builds without it."""
    for name in ("_config.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path)
    for name in ("pyproject.toml", "README.md", "densing", "data"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    header = (ROOT / "chapters" / "04_density.md").read_text().split("---\n")[1]
    (tmp_path / "broken.md").write_text(f"---\n{header}---\n\n# Broken\n\n```{{code-cell}} "
                                        f"ipython3\n{cell}\n```\n")
    result = build_book(tmp_path, tmp_path)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # without colours
    if reported is None:
        assert result.returncode == 0, log[-3000:]
    else:
        assert result.returncode != 0, f"a chapter that {why} built without failing"
        assert reported in log, f"the build failed, but not on the chapter that {why}:\n" + log[-3000:]


def test_make_lab_starts_jupyterlab_even_as_root():
    """`make lab` serves the chapters (a container runs it as root, which JupyterLab refuses
    without --allow-root)."""
    lab = subprocess.Popen(["make", "-s", "lab", "LAB_PORT=8897"], cwd=ROOT, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = lab.stdout.readline()
            seen.append(line)
            if "http://127.0.0.1:8897/lab" in line or not line:
                break
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)
    assert any("http://127.0.0.1:8897/lab" in line for line in seen), "".join(seen)[-2000:]
