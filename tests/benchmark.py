"""`make bench`: timings printed, never asserted (tests must not depend on machine speed).

1. 10^6 effective parameter sizes in closed form (eq. 4) against a per-model root finder.
2. 10^4 bootstrap refits of the densing-law trend.
3. 500 refits of the full headline reference (step 1 + six curves) and the trend on each.
4. The whole specification table of chapter 6 with its three intervals.
   The command line on a table of 10^5 models: `densing density` (each format) and
   `densing trend`, time and peak memory.
5. A cold (from clean) and a warm build of the whole book, the browser pass over its pages, and
   the numbers and tables on each chapter's core path.
6. The whole test suite (`make test` without the install step).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from densing import FitWarning, fit_task_reference, fit_trend, load_ladder

ROOT = Path(__file__).resolve().parent.parent


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_inversion() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        ref = fit_task_reference(load_ladder(), "hellaswag")
    low, high = ref.score_range
    scores = np.random.default_rng(0).uniform(low + 0.01, high - 0.01, 1_000_000)
    closed = best_of(lambda: ref.effective_params(scores))

    law, floor_loss = ref.law, ref.law.loss_floor(ref.D0)

    def root_find(score: float) -> float:  # solve eq. 3 of eq. 2 at D0 = score for N, in log N
        return float(np.exp(brentq(  # (eq. 2 written out: predict checks N within 1e5-1e14)
            lambda ln_n: ref.curve.predict(law.a * np.exp(-law.alpha * ln_n) + floor_loss) - score,
            np.log(1e3), np.log(1e16), xtol=1e-12)))

    sample = scores[:2000]
    per_model = best_of(lambda: [root_find(s) for s in sample], repeats=1) / sample.size
    agree = np.max(np.abs(np.array([root_find(s) for s in sample[:200]])
                          / ref.effective_params(sample[:200]) - 1))
    print(f"effective_params, 10^6 scores, closed form: {closed:.3f} s")
    print(f"per-model root finding (brentq): {per_model * 1e6:.0f} µs per score, "
          f"{per_model * 1e6:.0f} s for 10^6 (extrapolated from 2,000)")
    print(f"speed-up: {per_model * 1e6 / closed:,.0f}x; largest relative disagreement "
          f"on 200 scores: {agree:.1e}")


def bench_trend() -> None:
    rng = np.random.default_rng(0)
    days = np.sort(rng.choice(600, 60, replace=False))
    dates = pd.Timestamp("2023-02-24") + pd.to_timedelta(days, unit="D")
    rho = np.exp(0.0073 * days - 2 - rng.uniform(0, 2, 60))
    seconds = best_of(lambda: fit_trend(dates, rho, n_boot=10_000), repeats=1)
    print(f"fit_trend with 10^4 bootstrap refits (60 models): {seconds:.2f} s")


def bench_reference_refits() -> None:
    from densing import analyse
    from densing.resample import _law_draws, draw_references

    analysis = analyse()
    start = time.perf_counter()
    _law_draws.cache_clear()
    draw_references(analysis, 500)
    print(f"500 refits of the headline reference (loss law + six curves): "
          f"{time.perf_counter() - start:.2f} s")


def bench_specification_table() -> None:
    from densing import analysis
    from densing.resample import _law_draws
    from densing.robustness import SPECIFICATIONS, run, specification_table

    analysis._fitted_references.cache_clear()
    _law_draws.cache_clear()
    start = time.perf_counter()
    specification_table(run(SPECIFICATIONS, n_draws=500))
    print(f"specification table, {len(SPECIFICATIONS)} specifications with three intervals "
          f"(500 reference draws each): {time.perf_counter() - start:.1f} s")


def bench_large_tables(rows: int = 100_000) -> None:
    """The command on ``rows`` made-up models: wall time and the process's peak memory."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame({
        "model": [f"m{i}" for i in range(rows)],
        "release_date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(
            rng.integers(0, 1000, rows), unit="D")).strftime("%Y-%m-%d"),
        "n_params": rng.uniform(1e9, 7e10, rows),
        **{b: rng.uniform(low, high, rows).round(1) for b, (low, high) in {
            "mmlu": (40, 80), "bbh": (30, 80), "math": (10, 60), "humaneval": (10, 70),
            "mbpp": (20, 75)}.items()}})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "models.csv"
        table.to_csv(path, index=False)
        for args in (["density", "--format", "table"], ["density", "--format", "csv"],
                     ["density", "--format", "json"], ["trend"]):
            start = time.perf_counter()
            child = subprocess.Popen([sys.executable, "-m", "densing", *args, "--csv", str(path)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            print(f"densing {' '.join(args)}, {rows:,} models: {time.perf_counter() - start:.1f} s,"
                  f" peak memory {usage.ru_maxrss / 1024:,.0f} MB (exit {status >> 8})")


def bench_book() -> None:
    with tempfile.TemporaryDirectory() as out:
        for label in ("cold (from clean)", "warm (nothing changed, nothing re-run)"):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "densing._book", "build", str(ROOT), "-n", "-W",
                            "--keep-going", "--path-output", out], check=True, capture_output=True)
            print(f"book build, {label}: {time.perf_counter() - start:.1f} s")
        bench_browser(Path(out) / "_build" / "html")
        core_paths(Path(out) / "_build" / "html")


def core_paths(html: Path) -> None:
    """What a student reads on each chapter's core path (tests/core_path.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from core_path import MAX_NUMBERS, MAX_TABLES, chapters

    print(f"core paths (limits: {MAX_NUMBERS} numbers in the prose, {MAX_TABLES} tables in view):")
    for name, core in chapters(html).items():
        print(f"  {name:26s} {core.numbers:3d} numbers, {core.tables:2d} tables")


def bench_browser(html: Path) -> None:
    """The browser pass of `make test`: every page loaded and checked in headless Chromium."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser import CHROMIUM, CHROMIUM_ARGS, check_page, pages, reader, serve

    start = time.perf_counter()
    with serve(html) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = reader(chromium, base)
        problems = [p for path in pages(html) for p in check_page(page, base, path)]
        chromium.close()
    print(f"browser pass, {len(pages(html))} pages (console, requests, images, links, TeX, "
          f"hover, axe): {time.perf_counter() - start:.1f} s, {len(problems)} problems")


def bench_make_test() -> None:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True)
    print(f"make test (pytest, every test including the book build and the browser pass): "
          f"{time.perf_counter() - start:.0f} s, {done.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    bench_inversion()
    bench_trend()
    bench_reference_refits()
    bench_specification_table()
    bench_large_tables()
    bench_book()
    bench_make_test()
