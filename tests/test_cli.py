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

import numpy as np
import pandas as pd
import pytest

from densing import Specification, analyse, fit_trend
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
    (["density", "--csv", "tests"], "--csv = 'tests' is a folder, not a CSV file"),
    (["trend", "--csv", "tests/no.csv", "--plot", "no-such-folder/trend.png"],
     "--plot = 'no-such-folder/trend.png' cannot be written"),
    (["trend", "--csv", "tests/no.csv", "--plot", "tests"], "--plot = 'tests' cannot be written"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    result = densing(*args)
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_file_in_another_encoding_is_one_line_and_exit_code_2(tmp_path):
    (tmp_path / "utf16.csv").write_text("model,n_params,mmlu\nA,7e9,70\n", encoding="utf-16")
    result = densing("density", "--csv", str(tmp_path / "utf16.csv"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_json_is_strict_without_infinity():
    """A non-finite value is written as null (json.loads would take a bare Infinity)."""
    from densing.cli import _emit

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _emit(pd.DataFrame({"model": ["A"], "density": [np.inf], "low": [np.nan]}), "json", "")
    strict = json.loads(out.getvalue(), parse_constant=lambda name: pytest.fail(name))
    assert strict["results"] == [{"model": "A", "density": None, "low": None}]


def test_the_plot_goes_to_exactly_the_path_given(tmp_path, monkeypatch):
    from densing import cli

    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    table = pd.DataFrame({"model": ["A", "B", "C", "D"], "rho": [1.0, 2.0, 4.0, 8.0],
                          "release_date": pd.to_datetime(["2024-01-01", "2024-04-01",
                                                          "2024-07-01", "2024-10-01"])})
    cli._plot(table, fit_trend(table["release_date"], table["rho"], n_boot=50),
              str(tmp_path / "out"))
    assert (tmp_path / "out").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "out.png").exists()


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    """``densing ... | head -c 1``: the reader stops reading long before the 3,000 rows (more
    than a pipe holds) are written; no traceback, and exit 141, as for SIGPIPE."""
    rows = "".join(f"model {i},7e9,70,60,40,50,60\n" for i in range(3000))
    (tmp_path / "many.csv").write_text("model,n_params,mmlu,bbh,math,humaneval,mbpp\n" + rows)
    done = subprocess.run(f"{sys.executable} -m densing density --csv {tmp_path / 'many.csv'} "
                          "--format csv --draws 20 | head -c 1; exit ${PIPESTATUS[0]}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 141 and done.stderr == "", done


def test_the_shell_sees_exit_code_2_and_one_line():
    for args in (["density", "--params", "7.6", *QWEN[2:]], ["density", "--params", "abc"]):
        result = densing_process(*args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result


def test_undated_or_integer_release_dates_are_refused(tmp_path):
    (tmp_path / "bad.csv").write_text("model,release_date,n_params,mmlu\nA,2024,7e9,70\n")
    result = densing("trend", "--csv", str(tmp_path / "bad.csv"), "--aggregate", "median",
                     "--min-benchmarks", "1")
    assert result.returncode == 2 and "release_date = '2024' (row 1) is not a date YYYY-MM-DD" \
        in result.stderr, result.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("n_params,MMLU,bbh\n7e9,70,60\n", "a column 'MMLU': did you mean 'mmlu'? Column names are "
     "exact (columns found: 'n_params', 'MMLU', 'bbh')"),
    ("n params,mmlu\n7e9,70\n", "a column 'n params': did you mean 'n_params'?"),
    (" mmlu,n_params\n70,7e9\n", "a column ' mmlu': did you mean 'mmlu'?"),
    ("n_params,mmlu,mmlu\n7e9,70,60\n", "has the column 'mmlu' more than once (columns found: "
     "'n_params', 'mmlu', 'mmlu')"),
    ("n_params,mmlu,gsm8k\n7e9,70,60\n", "a column 'gsm8k' of numbers that densing does not read"),
    ("n_params;mmlu;bbh\n7e9;70;60\n", "parsed into a single column 'n_params;mmlu;bbh': it "
     "looks separated by ';'"),
    ("n_params\tmmlu\n7e9\t70\n", "it looks separated by '\\t'"),
    ("n_params,mmlu\n7e9,70\n8e9,high\n", "mmlu = 'high' (row 2) must be a number"),
    ("n_params,mmlu\n7e9,70\n8e9,inf\n", "mmlu = inf (row 2) is not finite"),
    ("n_params,mmlu\n7e9,70\n,60\n", "n_params is missing (row 2)"),
    ("n_params,mmlu\n7e9,70\n8,60\n", "n_params = 8.0 (row 2) is outside the valid range"),
])
def test_a_csv_with_bad_columns_or_cells_is_refused_naming_them(tmp_path, content, message):
    """Before, a header in another case (MMLU) or with spaces was ignored and the density came
    from the other columns; a duplicate was renamed mmlu.1 and ignored; a ';' file was one
    column; cell messages did not say which row."""
    (tmp_path / "mine.csv").write_text(content)
    result = densing("density", "--csv", str(tmp_path / "mine.csv"), "--aggregate", "median",
                     "--min-benchmarks", "1", "--draws", "5")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr, result.stderr


def test_a_text_column_the_command_does_not_read_is_kept_as_a_label(tmp_path):
    (tmp_path / "mine.csv").write_text("model,family,n_params,mmlu\nA,qwen,7e9,70\n")
    result = densing("density", "--csv", str(tmp_path / "mine.csv"), "--aggregate", "median",
                     "--min-benchmarks", "1", "--draws", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["family"] == "qwen"


def test_the_quantile_trend_refuses_more_models_than_its_exact_search_can_take(tmp_path):
    """Its search holds n^2/2 lines by n models in memory: 10^5 models ended in a MemoryError."""
    from densing.trend import QUANTILE_MAX_MODELS

    n = QUANTILE_MAX_MODELS + 1
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="D")
    with pytest.raises(ValueError, match=f"takes at most {QUANTILE_MAX_MODELS} models"):
        fit_trend(dates, np.exp(np.linspace(0, 1, n)), estimator="quantile", n_boot=0)


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
