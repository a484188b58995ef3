"""The specification explorer: ``export`` gives ``analyse``'s numbers for every combination of its
grid (or the reason there is none), and the page shows them, checked in headless Chromium against
Python; each check is shown to fail on a copy of the page whose data were altered."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from browser import open_page, serve
from densing.analysis import analyse
from densing.explorer import (GRID, MENUS, N_BOOT, REFERENCE_MENUS, TREND_MENUS, explorer_html,
                              export, headline_choice, key, specification)
from densing.robustness import PAPER_CUTOFF

PAGE = "chapters/explorer.html"
DATA = re.compile(r'(<script type="application/json" id="densing-explorer-data">)(.*?)(</script>)',
                  re.S)
# Combinations the page is checked on: the headline, each estimator, the paper's models and a
# window, each aggregate, the task-loss reference, the irreducible term, D0 and uniform scores.
CHECKED = [
    {},
    {"estimator": "OLS on all models", "models": "the paper's (its Figure 1)",
     "aggregate": "median of densities"},
    {"estimator": "0.9 quantile of all models", "models": f"released up to {PAPER_CUTOFF}",
     "aggregate": "geometric mean of densities"},
    {"benchmarks": "MMLU only", "scores": "one harness (ObsScaling)",
     "reference": "task loss (MMLU)", "D0": "4T tokens"},
    {"benchmarks": "without MATH", "irreducible term": "yes", "D0": "0.3T tokens"},
    {"benchmarks": "MMLU + HumanEval", "scores": "one harness (ObsScaling)"},
]
UNAVAILABLE = [
    ({"scores": "one harness (ObsScaling)"}, "benchmarks = 'bbh' is not available with "
                                             "scores='uniform'"),
    ({"reference": "task loss (MMLU)"}, "choose from ('mmlu',)"),
]


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


@pytest.fixture(scope="module")
def exported(html) -> dict:
    """``export()`` as the build wrote it into the page (the data a reader's browser gets),
    parsed as strict JSON: a NaN or Infinity in it fails here."""
    text = DATA.search((html / PAGE).read_text()).group(2)
    return json.loads(text, parse_constant=_not_json)


def test_the_grid_is_both_products_and_nothing_else(exported):
    headline = headline_choice()
    for choice in GRID:
        changed = {menu for menu in MENUS if choice[menu] != headline[menu]}
        assert changed <= set(REFERENCE_MENUS) or changed <= set(TREND_MENUS), choice
    expected = (np.prod([len(MENUS[m]) for m in REFERENCE_MENUS])
                + np.prod([len(MENUS[m]) for m in TREND_MENUS]) - 1)  # the headline is in both
    assert len(GRID) == len({key(c) for c in GRID}) == expected
    assert set(exported["combinations"]) == {key(c) for c in GRID}
    assert [m["name"] for m in exported["menus"]] == list(MENUS)


@pytest.mark.parametrize("choice", CHECKED, ids=lambda c: "; ".join(c.values()) or "headline")
def test_each_combination_has_the_numbers_of_analyse(exported, choice):
    analysis = analyse(specification(choice))
    trend, used = analysis.trend, analysis.used
    result = exported["combinations"][key({**headline_choice(), **choice})]
    assert result["doubling_days"] == trend.doubling_days and result["A"] == trend.A
    assert result["r2"] == trend.r2 and result["level"] == trend.ci_level
    assert result["interval"] == [v if np.isfinite(v) else None for v in trend.doubling_days_ci]
    assert result["n_models"] == len(used)
    assert result["n_record_setters"] == len(analysis.envelope_models)
    names = [m["name"] for m in exported["models"]]
    assert [names[i] for i in result["record_setters"]] == list(analysis.envelope_models["model"])
    assert [names[i] for i, _ in result["points"]] == list(used["model"])
    np.testing.assert_allclose([rho for _, rho in result["points"]], used["rho"], rtol=5e-4)
    assert result["specification"] == analysis.spec.describe()
    dates = [date for date, _ in result["line"]]
    assert (dates[0], dates[-1]) == tuple(f"{d:%Y-%m-%d}" for d in (used["release_date"].min(),
                                                                    used["release_date"].max()))
    np.testing.assert_allclose([rho for _, rho in result["line"]],
                               trend.predict(pd.DatetimeIndex(dates)), rtol=1e-12)


@pytest.mark.parametrize(("choice", "reason"), UNAVAILABLE)
def test_a_combination_without_a_line_carries_the_reason(exported, choice, reason):
    result = exported["combinations"][key({**headline_choice(), **choice})]
    assert list(result) == ["unavailable"] and reason in result["unavailable"]
    with pytest.raises(ValueError, match=re.escape(reason)):
        analyse(specification(choice))


def test_every_combination_has_a_line_or_a_reason(exported):
    for name, result in exported["combinations"].items():
        assert result.get("unavailable") or result["doubling_days"] is not None, name
    assert exported["n_boot"] == N_BOOT
    intervals = [r["interval"] for r in exported["combinations"].values() if "interval" in r]
    assert any(high is None for _, high in intervals), "an unbounded interval is null"


@pytest.mark.parametrize(("choice", "message"), [
    ({"estimator": "lasso"}, "estimator = 'lasso' is not one of ('envelope', 'OLS on all models', "
                             "'0.9 quantile of all models')"),
    ({"D0": "2T tokens"}, "D0 = '2T tokens' is not one of ('0.3T tokens', '1T tokens', "),
    ({"colour": "red"}, "menu = 'colour' is not one of ('benchmarks', "),
])
def test_an_unknown_menu_or_option_is_refused_with_the_valid_choices(choice, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        export([choice])


def test_the_page_markup_has_a_labelled_select_per_menu_and_the_data():
    data = export([{}, {"estimator": "OLS on all models"}])
    markup = explorer_html(data)
    for number, (menu, options) in enumerate(MENUS.items()):
        assert f'<label for="densing-explorer-{number}">' in markup
        assert f'<select id="densing-explorer-{number}" name="{menu}">' in markup
        assert f'<option value="{options[0][0]}"' in markup
    assert markup.count("<option ") == sum(len(options) for options in MENUS.values())
    assert 'role="img"' in markup and 'aria-labelledby="densing-explorer-title"' in markup
    assert json.loads(DATA.search(markup).group(2)) == data


# In the browser: set the menus, read what the page shows, compare with Python.

def expected_text(choice: dict[str, str]) -> str:
    """How the page's result should begin for ``choice``, to its precision, from ``analyse``."""
    try:
        trend = analyse(specification(choice)).trend
    except ValueError as error:
        return f"Not available: {error}"
    if not trend.A > 0:
        return "No doubling: the fitted line does not rise."
    low, high = trend.doubling_days_ci
    interval = ("no interval: no resample gave a line" if not np.isfinite(low) else
                f"models interval {low:.0f} days to unbounded" if not np.isfinite(high) else
                f"models interval {low:.0f}–{high:.0f} days")
    return f"Doubling every {trend.doubling_days:.0f} days ({interval}; "


def mismatches(browser, base: str, choices: list[dict[str, str]]) -> list[str]:
    """For each combination, set the page's menus to it; what the page shows (the doubling time
    and its interval, or the reason there is none, and one point per model in the figure) that
    differs from Python's ``analyse``, one line each; console errors too."""
    page = open_page(browser, f"{base}/{PAGE}", base)
    problems = []
    for choice in choices:
        full = {**headline_choice(), **choice}
        for menu, label in full.items():
            page.select_option(f'select[name="{menu}"]', label)
        shown = page.locator("#densing-explorer-result").text_content()
        expected = expected_text(full)
        if not shown.startswith(expected):
            problems.append(f"{key(full)}: the page shows {shown!r}, Python {expected!r}")
        if expected.startswith("Doubling"):
            analysis = analyse(specification(full))
            dots = page.locator("#densing-explorer-figure circle").count()
            records = page.locator('#densing-explorer-figure circle[r="6"]').count()
            if (dots, records) != (len(analysis.used), len(analysis.envelope_models)):
                problems.append(f"{key(full)}: the figure has {dots} points, {records} records; "
                                f"Python {len(analysis.used)} and {len(analysis.envelope_models)}")
    problems += page.problems
    page.close()
    return problems


def test_the_page_shows_pythons_doubling_times_intervals_and_reasons(browser, html):
    with serve(html) as base:
        problems = mismatches(browser, base, CHECKED + [c for c, _ in UNAVAILABLE])
    assert not problems, "\n".join(problems)


def test_a_combination_outside_the_grid_says_so_and_draws_nothing(browser, html):
    with serve(html) as base:
        page = open_page(browser, f"{base}/{PAGE}", base)
        page.select_option('select[name="estimator"]', "OLS on all models")
        option = page.locator('select[name="benchmarks"] option[value="MMLU only"]')
        assert option.text_content() == "MMLU only (not computed)"
        page.select_option('select[name="benchmarks"]', "MMLU only")
        assert page.locator("#densing-explorer-result").text_content().startswith(
            "Not computed on this page (its combinations are described below). The nearest one "
            "that is: set estimator to “envelope”; or benchmarks to “all five”.")
        assert page.locator("#densing-explorer-figure circle").count() == 0
        assert not page.problems, page.problems
        page.close()


def test_the_check_catches_altered_data(browser, html, tmp_path):
    """A copy of the site whose data differ from Python in one way per combination: a doubling
    time, an interval end, a missing point, a reason, and a line where Python has none."""
    faulty = tmp_path / "html"
    shutil.copytree(html, faulty)
    page = faulty / PAGE
    data = json.loads(DATA.search(page.read_text()).group(2))
    results = data["combinations"]
    keys = [key({**headline_choice(), **c}) for c in CHECKED[:3]]
    results[keys[0]]["doubling_days"] *= 1.1
    results[keys[1]]["interval"][0] -= 3
    records = set(results[keys[2]]["record_setters"])  # drop a point that sets no record
    points = results[keys[2]]["points"]
    points.remove(next(p for p in points if p[0] not in records))
    reason_key, line_key = (key({**headline_choice(), **c}) for c, _ in UNAVAILABLE[:2])
    results[reason_key]["unavailable"] = "a different reason"
    results[line_key] = results[keys[0]]
    page.write_text(DATA.sub(lambda m: m.group(1) + json.dumps(data).replace("</", "<\\/")
                             + m.group(3), page.read_text()))
    with serve(faulty) as base:
        problems = mismatches(browser, base, CHECKED[:3] + [c for c, _ in UNAVAILABLE[:2]])
    caught = {line.split(":")[0] for line in problems}
    for name in [*keys, reason_key, line_key]:
        assert name in caught, f"the altered {name} was not caught:\n" + "\n".join(problems)
    assert len(problems) == 5, "\n".join(problems)
