"""The ``densing`` command: the API's numbers, one-line errors with exit code 2, and an installed
copy (pip install .) that works from anywhere."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from densing import Specification, analyse
from densing.calculator import density_of
from densing.cli import main

ROOT = Path(__file__).resolve().parent.parent
QWEN = ["--params", "7.61e9", "--mmlu", "74.2", "--bbh", "70.4", "--math", "49.8",
        "--humaneval", "57.9", "--mbpp", "74.9"]


def densing(*args: str) -> subprocess.CompletedProcess:
    """The command as ``python -m densing`` runs it, in this process (no second start-up and
    fitting of the references): its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's refusals and --version
            code = exit_.code
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def densing_process(*args: str) -> subprocess.CompletedProcess:
    """The command in a process of its own: the exit code the shell sees."""
    return subprocess.run([sys.executable, "-m", "densing", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def test_density_equals_the_api():
    result = densing("density", *QWEN, "--draws", "100", "--format", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)["results"][0]
    api = density_of(n_params=7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9,
                     n_draws=100)
    assert record["density"] == pytest.approx(api.density, rel=1e-12)
    assert record["density_low"] == pytest.approx(api.interval[0], rel=1e-12)
    assert record["effective_params"] == pytest.approx(api.effective_params, rel=1e-12)
    assert "%|" not in result.stderr  # no progress bar when standard error is not a terminal


def test_table_output_is_readable():
    result = densing("density", *QWEN, "--draws", "50")
    assert result.returncode == 0, result.stderr
    assert "7.61B" in result.stdout and "nan" not in result.stdout.lower()
    assert "reference: C4-loss reference" in result.stderr


def test_trend_of_a_csv_equals_the_api(tmp_path):
    book = analyse(Specification(n_boot=0))
    models = book.densities.merge(analyse().densities[["model"]])  # every model, in the book
    table = models.assign(n_params=models["n_b"] * 1e9, release_date=models["release_date"]
                          .dt.strftime("%Y-%m-%d"))[
        ["model", "release_date", "n_params", "mmlu", "bbh", "math", "humaneval", "mbpp"]]
    table = table[models["architecture"] == "dense"].dropna(subset=["n_params", "release_date"])
    table.to_csv(tmp_path / "mine.csv", index=False)
    result = densing("trend", "--csv", str(tmp_path / "mine.csv"), "--draws", "20", "--format",
                     "json", "--plot", str(tmp_path / "trend.png"))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["results"][0]
    headline = analyse().trend
    assert summary["doubling_days"] == pytest.approx(headline.doubling_days, rel=1e-9)
    assert summary["doubling_days_low"] == pytest.approx(headline.doubling_days_ci[0], rel=1e-9)
    assert (tmp_path / "trend.png").stat().st_size > 10_000


@pytest.mark.parametrize(("args", "message"), [
    (["density", "--params", "7.6", *QWEN[2:]], "n_params = 7.6 is outside the valid range"),
    (["density", "--params", "abc"], "argument --params: invalid float value: 'abc'"),
    (["density", "--params", "7e9", "--mmlu", "120", "--bbh", "1", "--math", "1",
      "--humaneval", "1", "--mbpp", "1"], "mmlu = 120.0 is not a percentage"),
    (["density", "--params", "inf", "--mmlu", "70"], "n_params = inf is not finite"),
    (["density", "--mmlu", "70"], "--params is missing"),
    (["density", "--csv", "no-such-file.csv"], "No such file or directory"),
    (["density", "--params", "7e9", "--mmlu", "70", "--aggregate", "mean"], "invalid choice"),
    (["trend"], "the following arguments are required: --csv"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    result = densing(*args)
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_shell_sees_exit_code_2_and_one_line():
    for args in (["density", "--params", "7.6", *QWEN[2:]], ["density", "--params", "abc"]):
        result = densing_process(*args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result


def test_undated_or_integer_release_dates_are_refused(tmp_path):
    (tmp_path / "bad.csv").write_text("model,release_date,n_params,mmlu\nA,2024,7e9,70\n")
    result = densing("trend", "--csv", str(tmp_path / "bad.csv"), "--aggregate", "median",
                     "--min-benchmarks", "1")
    assert result.returncode == 2 and "release_date = '2024' is not a date YYYY-MM-DD" in \
        result.stderr, result.stderr


def test_version():
    result = densing_process("--version")
    assert result.returncode == 0 and result.stdout.startswith("densing ")


def test_pip_install_gives_a_working_command(tmp_path):
    """Installed (not from the checkout), the command finds its data and gives the API's number."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(ROOT)], check=True,
                   capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import densing.data as d; print(d.DATA_DIR)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    assert where.stdout.strip().startswith(str(target))
    result = subprocess.run([str(target / "bin" / "densing"), "density", *QWEN, "--draws", "20",
                             "--format", "json"], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    api = density_of(n_params=7.61e9, mmlu=74.2, bbh=70.4, math=49.8, humaneval=57.9, mbpp=74.9,
                     n_draws=20)
    assert json.loads(result.stdout)["results"][0]["density"] == pytest.approx(api.density,
                                                                              rel=1e-12)
