"""The ``densing`` command: the density of your models, and their trend, from the command line.

    densing density --params 7.6e9 --mmlu 74.2 --bbh 70.4 --math 49.8 --humaneval 57.9 --mbpp 74.9
    densing density --csv my_models.csv --format json
    densing trend --csv my_models.csv --plot trend.png
    densing --version          (or python -m densing ...)

Results go to standard output, messages to standard error; bad input is one line on standard
error and exit code 2; output into a closed pipe ends quietly with exit code 141.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

import numpy as np
import pandas as pd

from densing._checks import check_columns
from densing.analysis import AGGREGATES, MIN_BENCHMARKS, Specification
from densing.calculator import COLUMNS, N_DRAWS, densities_of, describe_reference
from densing.data import BENCHMARKS
from densing.display import human_count, significant
from densing.trend import ESTIMATORS, fit_trend

FORMATS = ("table", "csv", "json")
TREND_DRAWS = 2000  # refits behind the interval of ``densing trend`` (fit_trend's n_boot)
BAD_INPUT = 2
CLOSED_PIPE = 141  # what the shell reports for a command ended by a closed pipe (128 + SIGPIPE)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on standard error and exit code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(BAD_INPUT)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit code (0; 2 for bad input; 141 for a closed pipe)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader stopped reading (``| head -1``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return CLOSED_PIPE
    except (ValueError, OSError, pd.errors.ParserError) as exc:  # (UnicodeDecodeError is one)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"densing: error: {message}", file=sys.stderr)
        return BAD_INPUT


def _build_parser() -> _Parser:
    parser = _Parser(prog="densing", description="Capability density of LLMs (the Densing Law).")
    parser.add_argument("--version", action="version", version=f"densing {_version()}")
    commands = parser.add_subparsers(required=True, metavar="{density,trend}", parser_class=_Parser)

    density = commands.add_parser("density", help="the density of one model or of a CSV table")
    density.add_argument("--params", type=float, help="parameters, a raw count (7.6e9, not 7.6)")
    for b in BENCHMARKS:
        density.add_argument(f"--{b}", type=float, help=f"{b} score in percent (0-100)")
    density.add_argument("--csv", help="a table with n_params and score columns instead")
    _add_choices(density)
    density.set_defaults(run=_run_density)

    trend = commands.add_parser("trend", help="fit the densing law to a CSV table of models")
    trend.add_argument("--csv", required=True,
                       help="columns model, release_date (YYYY-MM-DD), n_params, scores")
    trend.add_argument("--estimator", choices=ESTIMATORS, default="envelope")
    trend.add_argument("--plot", help="write the figure to this PNG file")
    _add_choices(trend)
    trend.set_defaults(run=_run_trend)
    return parser


def _add_choices(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--aggregate", choices=AGGREGATES, default="mean_score",
                        help="mean_score needs all five scores; geometric/median use those given")
    parser.add_argument("--min-benchmarks", type=int, default=MIN_BENCHMARKS,
                        help="with geometric/median: placeable scores a model needs")
    parser.add_argument("--d0", type=float, default=1e12,
                        help="training tokens of the reference models (raw count, default 1e12)")
    parser.add_argument("--draws", type=int, default=N_DRAWS,
                        help="reference refits behind the interval")
    parser.add_argument("--format", choices=FORMATS, default="table")


def _spec(args: argparse.Namespace) -> Specification:
    if args.draws < 1:
        raise ValueError(f"draws = {args.draws} must be an integer >= 1")
    return Specification(aggregate=args.aggregate, D0=args.d0, min_benchmarks=args.min_benchmarks,
                         n_boot=0)


def _run_density(args: argparse.Namespace) -> int:
    spec = _spec(args)
    scores = {b: getattr(args, b) for b in BENCHMARKS if getattr(args, b) is not None}
    if args.csv and (args.params is not None or scores):
        raise ValueError("give either --csv or --params with scores, not both")
    if args.csv:
        table = _read_csv(args.csv)
    elif args.params is None:
        raise ValueError("--params is missing: the model's raw parameter count (e.g. 7.6e9)")
    else:
        table = pd.DataFrame([{"n_params": args.params, **scores}])
    with _Progress(2) as progress:
        progress.step("fitting the reference and refitting it on resampled data")
        result = densities_of(table, spec, args.draws)
        progress.step("done")
    if not args.csv and result["reason"].iloc[0]:
        raise ValueError(result["reason"].iloc[0])
    _emit(result, args.format, note=f"reference: {describe_reference(spec)}; interval: "
          f"95% of {args.draws} reference refits")
    return 0


def _run_trend(args: argparse.Namespace) -> int:
    spec = _spec(args)
    if args.plot:
        _check_writable(args.plot)
    table = _read_csv(args.csv)
    for column in ("model", "release_date"):
        if column not in table.columns:
            raise ValueError(f"{column} is missing from {args.csv}: the trend needs model, "
                             "release_date (YYYY-MM-DD), n_params and scores")
        if table[column].isna().any():  # the record-setters are reported by name
            row = int(np.flatnonzero(table[column].isna())[0])
            raise ValueError(f"{column} is missing (row {row + 1}) in {args.csv}")
    dates = pd.to_datetime(table["release_date"].astype(str), format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna())[0])
        raise ValueError(f"release_date = {table['release_date'].iloc[row]!r} (row {row + 1}) is "
                         "not a date YYYY-MM-DD")
    with _Progress(3) as progress:
        progress.step("fitting the reference and refitting it on resampled data")
        result = densities_of(table, spec, args.draws)
        progress.step(f"fitting the trend and refitting it {TREND_DRAWS:,} times on resampled "
                      "residuals")
        placed = result[result["reason"] == ""].assign(release_date=dates)
        trend = fit_trend(placed["release_date"], placed["density"], estimator=args.estimator,
                          n_boot=TREND_DRAWS)
        progress.step("done")
    if args.plot:
        _plot(placed.rename(columns={"density": "rho"}), trend, args.plot)
    lo, hi = trend.doubling_days_ci
    summary = pd.DataFrame([{
        "models": len(placed), "without a density": int((result["reason"] != "").sum()),
        "A_per_day": trend.A, "doubling_days": trend.doubling_days, "doubling_days_low": lo,
        "doubling_days_high": hi, "r2": trend.r2,
        "record_setters": ", ".join(placed["model"].iloc[trend.envelope["position"]])}])
    failed = (f"; {trend.failed_draws:,} of the draws had fewer than 3 record-setters (no line) "
              "and are left out" if trend.failed_draws else "")
    _emit(summary, args.format, note=f"reference: {describe_reference(spec)}; interval of the "
          f"doubling time: 95% basic bootstrap of {TREND_DRAWS:,} refits on the models' scatter "
          f"about the line, resampled and smoothed, release dates and reference fixed{failed}")
    return 0


def _check_writable(path: str) -> None:
    """Refuse a plot path that cannot be written before the work starts, not after."""
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise ValueError(f"--plot = {path!r} cannot be written (a PNG file in a folder that "
                         "exists and is writable)")


def _read_csv(path: str) -> pd.DataFrame:
    """The table in ``path``, its columns checked (``check_columns``) against the header as
    written: pandas would rename a second ``mmlu`` to ``mmlu.1``. A file made for the command
    holds only what it reads, so an unknown column of numbers (``gsm8k``, ``mmlu_5shot``) is
    refused rather than ignored; columns of text are kept as labels."""
    if os.path.isdir(path):
        raise ValueError(f"--csv = {path!r} is a folder, not a CSV file")
    with open(path, newline="", encoding="utf-8-sig") as file:
        header = next(csv.reader(file), [])
    table = pd.read_csv(path, dtype={"model": str, "release_date": str})
    unknown = [c for c in table.columns if c not in COLUMNS]
    check_columns(header, COLUMNS, table=path, numeric_unknown=[
        c for c in unknown if pd.api.types.is_numeric_dtype(table[c]) and table[c].notna().any()])
    if table.empty:
        raise ValueError(f"{path} has no rows")
    return table


def _emit(table: pd.DataFrame, fmt: str, note: str) -> None:
    if fmt == "json":
        finite = table.replace([np.inf, -np.inf], np.nan)  # strict JSON: null, never Infinity
        records = finite.astype(object).where(finite.notna(), None).to_dict(orient="records")
        # One record per line: json's C encoder (indent= falls back to pure Python, 5x slower).
        lines = ",\n  ".join(json.dumps(r, default=str, allow_nan=False) for r in records)
        print(f'{{"results": [\n  {lines}\n],\n "note": {json.dumps(note)}}}')
    elif fmt == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        print(_aligned(_readable(table)))
        print(note, file=sys.stderr)


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """Counts in human units (7.61B), other numbers to 3 significant digits, no NaN (a list
    comprehension per column: pandas' per-cell ``map`` costs seconds on 10^5 rows)."""
    out = table.copy()
    for column in out.columns:
        values = out[column].to_numpy()
        if column in ("n_params", "effective_params"):
            out[column] = [human_count(v) for v in values]
        elif column == "placed_share":
            out[column] = [f"{v:.0%}" if math.isfinite(v) else "" for v in values]
        elif column in BENCHMARKS:
            out[column] = [f"{v:g}" if math.isfinite(v) else "" for v in values]
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = ["inf" if v == np.inf else significant(v) for v in values]
    return out.fillna("")


def _aligned(table: pd.DataFrame) -> str:
    """The table as right-aligned text columns (``to_string`` takes seconds on 10^5 rows)."""
    columns = []
    for name in table.columns:
        cells = [str(name), *map(str, table[name].tolist())]
        width = max(map(len, cells))
        columns.append([cell.rjust(width) for cell in cells])
    return "\n".join(" ".join(row) for row in zip(*columns))


def _plot(table: pd.DataFrame, trend, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from densing.plotting import plot_density_trend, use_style

    use_style()
    fig, ax = plt.subplots(figsize=(9, 5.5))
    plot_density_trend(ax, table.reset_index(drop=True), trend, density="rho", names="envelope")
    fig.tight_layout()
    fig.savefig(path, format="png")  # to exactly this path (with no suffix, not path.png)
    print(f"wrote {path}", file=sys.stderr)


class _Progress:
    """A progress bar on standard error, shown only on a terminal."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, file=sys.stderr, disable=not sys.stderr.isatty(),
                         leave=False)

    def __enter__(self) -> _Progress:
        return self

    def step(self, what: str) -> None:
        self._bar.set_description(what)
        self._bar.update(1)

    def __exit__(self, *exc) -> None:
        self._bar.close()


def _version() -> str:
    try:
        return version("densing")
    except PackageNotFoundError:  # run from a checkout without installing
        return "unknown"
