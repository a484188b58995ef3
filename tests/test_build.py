"""A chapter that raises or warns fails the build, and `make lab` serves the chapters (neither
needs the built site, so they run while it builds)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, build_book


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
    result = build_book(tmp_path, tmp_path)
    assert result.returncode != 0, f"a chapter that {why} built without failing"


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
