"""The specification explorer: the densing law under a grid of choices, exported for the browser.

``MENUS`` lists the choices a reader picks from, each option with the ``Specification`` fields it
sets; ``GRID`` is the combinations the page offers; ``export`` runs ``analyse`` on each and returns
what ``densing/explorer.js`` draws (the doubling time, its interval from resampling the models, the
models, the record-setters and the line), and ``explorer_html`` the page's form, figure and data.
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from densing.analysis import Analysis, Specification, analyse
from densing.data import BENCHMARKS, load_models
from densing.robustness import JOURNAL_CUTOFF, PAIR, PAPER_CUTOFF
from densing.tables import BENCHMARK_NAMES
from densing.trend import fit_trend

N_BOOT = 100  # model resamples per interval (the book's default is 2000): fast enough for the grid

MENUS: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "benchmarks": (("all five", {"benchmarks": BENCHMARKS}),
                   *((f"without {BENCHMARK_NAMES[left_out]}",
                      {"benchmarks": tuple(b for b in BENCHMARKS if b != left_out)})
                     for left_out in BENCHMARKS),
                   (" + ".join(BENCHMARK_NAMES[b] for b in PAIR), {"benchmarks": PAIR}),
                   ("MMLU only", {"benchmarks": ("mmlu",)})),
    "scores": (("as reported", {"scores": "reported"}),
               ("one harness (ObsScaling)", {"scores": "uniform"})),
    "reference": (("C4 loss + panel", {"reference": "c4_panel"}),
                  ("task loss (MMLU)", {"reference": "task_loss"})),
    "irreducible term": (("no", {"irreducible": False}), ("yes", {"irreducible": True})),
    "D0": tuple((f"{d0 / 1e12:g}T tokens", {"D0": d0}) for d0 in (3e11, 1e12, 4e12)),
    "estimator": (("envelope", {"estimator": "envelope"}),
                  ("OLS on all models", {"estimator": "ols"}),
                  ("0.9 quantile of all models", {"estimator": "quantile"})),
    "models": (("all", {"models": "all", "window": (None, None)}),
               ("the paper's (its Figure 1)", {"models": "paper", "window": (None, None)}),
               *((f"released up to {end}", {"models": "all", "window": (None, end)})
                 for end in (PAPER_CUTOFF, JOURNAL_CUTOFF))),
    "aggregate": (("density of the mean score", {"aggregate": "mean_score"}),
                  ("geometric mean of densities", {"aggregate": "geometric"}),
                  ("median of densities", {"aggregate": "median"})),
}
# The menus that change the reference (and the densities read off it), and those that change only
# which models the line follows and how it is fitted.
REFERENCE_MENUS = ("benchmarks", "scores", "reference", "irreducible term", "D0")
TREND_MENUS = ("estimator", "models", "aggregate")
SEPARATOR = "|"  # between the labels of a combination's key
STYLE = """
.densing-explorer { display: grid; gap: 0.5rem 1rem; margin: 1rem 0;
  grid-template-columns: repeat(auto-fill, minmax(min(14rem, 100%), 1fr)); }
.densing-explorer label { display: flex; flex-direction: column; min-width: 0;
  font-size: 0.9rem; }
.densing-explorer select { width: 100%; padding: 0.25rem; border: 1px solid #888;
  border-radius: 4px; font-size: 0.9rem; background: white; color: #222; }
.densing-explorer-result { display: block; padding: 0.6rem; background: #eef6ee;
  border-radius: 4px; }
.densing-explorer-result.densing-explorer-missing { background: #fbeaea; }
.densing-explorer-figure { display: block; width: 100%; margin: 0.5rem 0; }
.densing-explorer-legend { font-size: 0.9rem; }
.densing-explorer-legend span { display: inline-block; vertical-align: middle;
  margin-left: 0.8rem; }
.densing-explorer-model { width: 0.6rem; height: 0.6rem; border-radius: 50%;
  background: #1f77b4; opacity: 0.7; }
.densing-explorer-record { width: 0.8rem; height: 0.8rem; border-radius: 50%;
  background: #d62728; border: 1px solid black; }
.densing-explorer-line { width: 1.6rem; height: 0; border-top: 2px solid #d62728; }
"""


def key(choice: Mapping[str, str]) -> str:
    """The key of a combination in ``export``: its labels in the order of ``MENUS``."""
    return SEPARATOR.join(choice[menu] for menu in MENUS)


def headline_choice() -> dict[str, str]:
    """The label of each menu's option that the headline (``Specification()``) takes."""
    default = Specification()
    return {menu: next(label for label, changes in options
                       if all(getattr(default, f) == v for f, v in changes.items()))
            for menu, options in MENUS.items()}


def _product(menus: tuple[str, ...]) -> list[dict[str, str]]:
    """Every combination of the options of ``menus``, the other menus at the headline's."""
    return [{**headline_choice(), **dict(zip(menus, labels, strict=True))}
            for labels in itertools.product(*([label for label, _ in MENUS[m]] for m in menus))]


# Every combination of the reference menus with the headline's line, and every combination of the
# line's menus with the headline's reference: the full product (6912) would take minutes to build.
GRID: list[dict[str, str]] = list({key(c): c for c in (*_product(REFERENCE_MENUS),
                                                        *_product(TREND_MENUS))}.values())


def _checked(choice: Mapping[str, str]) -> dict[str, str]:
    """``choice`` with the headline's option for each menu it leaves out, or a ValueError naming
    the menu, the value and the valid choices."""
    for menu, label in choice.items():
        if menu not in MENUS:
            raise ValueError(f"menu = {menu!r} is not one of {tuple(MENUS)}")
        labels = tuple(option for option, _ in MENUS[menu])
        if label not in labels:
            raise ValueError(f"{menu} = {label!r} is not one of {labels}")
    return {**headline_choice(), **choice}


def specification(choice: Mapping[str, str], n_boot: int = N_BOOT) -> Specification:
    """The ``Specification`` of a combination of menu options (menus left out: the headline's);
    a ValueError if a label is unknown or ``Specification`` refuses the combination."""
    changes: dict[str, Any] = {"n_boot": n_boot}
    for menu, label in _checked(choice).items():
        changes.update(dict(MENUS[menu])[label])
    return Specification(**changes)


def export(combinations: Iterable[Mapping[str, str]] | None = None,
           n_boot: int = N_BOOT) -> dict[str, Any]:
    """The explorer's data, strict JSON: the menus (options and the headline's choice), every
    model (name, release date), and for each combination of ``combinations`` (default ``GRID``)
    under ``key(combination)`` the trend of ``analyse``: doubling time (days) with its interval
    from resampling the models (``n_boot`` resamples), A, R², the number of models and of
    record-setters, each model's density (``points``: model index, density to 4 significant
    digits), the record-setters (model indices) and the line (dates and densities at its start,
    at the last date it is fitted to and at the last model's release). A combination that
    ``Specification`` or ``analyse`` refuses (no line) has ``unavailable``: the reason."""
    choices = [_checked(c) for c in (GRID if combinations is None else combinations)]
    models = load_models()
    index = {name: i for i, name in enumerate(models["model"])}
    # Combinations that differ only in the estimator share one analysis: the line is refitted on
    # its models as ``analyse`` fits it (tests/test_explorer.py checks the two agree).
    shared: dict[Specification, Analysis] = {}
    out: dict[str, Any] = {}
    for choice in choices:
        try:
            spec = specification(choice, n_boot)
            models_only = spec.replace(estimator="envelope", n_boot=0)
            if models_only not in shared:
                shared[models_only] = analyse(models_only)
            used = shared[models_only].used
            trend = fit_trend(used["release_date"], used["rho"], estimator=spec.estimator,
                              n_boot=spec.n_boot, seed=spec.seed)
        except ValueError as error:
            out[key(choice)] = {"unavailable": str(error)}
            continue
        fitted = trend.envelope["release_date"] if trend.estimator == "envelope" else \
            used["release_date"]
        ends = pd.DatetimeIndex([used["release_date"].min(), fitted.max(),
                                 used["release_date"].max()])
        out[key(choice)] = {
            "specification": spec.describe(), "doubling_days": _number(trend.doubling_days),
            "interval": [_number(v) for v in trend.doubling_days_ci], "level": trend.ci_level,
            "A": _number(trend.A), "r2": _number(trend.r2), "n_models": len(used),
            "n_record_setters": len(trend.envelope),
            "points": [[index[m], float(f"{rho:.4g}")] for m, rho in zip(used["model"], used["rho"],
                                                                          strict=True)],
            "record_setters": [index[m] for m in used.loc[trend.envelope["position"], "model"]],
            "line": [[f"{d:%Y-%m-%d}", _number(v)] for d, v in zip(ends, trend.predict(ends),
                                                                    strict=True)]}
    return {"menus": [{"name": menu, "options": [label for label, _ in options],
                       "headline": headline_choice()[menu]} for menu, options in MENUS.items()],
            "separator": SEPARATOR, "n_boot": n_boot,
            "models": [{"name": m, "date": f"{d:%Y-%m-%d}"} for m, d in
                       zip(models["model"], models["release_date"], strict=True)],
            "combinations": out}


def _number(value: float) -> float | None:
    """A finite float, or None (JSON null) for an infinite or missing value."""
    return float(value) if np.isfinite(value) else None


def explorer_html(data: dict[str, Any]) -> str:
    """The explorer as the page shows it: one labelled ``<select>`` per menu (the headline's
    option selected), the figure and the result that ``densing/explorer.js`` fills in, and
    ``data`` (from ``export``) as strict JSON."""
    fields = []
    for number, menu in enumerate(data["menus"]):
        options = "".join(f'<option value="{html.escape(label)}"'
                          f'{" selected" if label == menu["headline"] else ""}>'
                          f"{html.escape(label)}</option>" for label in menu["options"])
        title = menu["name"][0].upper() + menu["name"][1:]
        fields.append(f'<label for="densing-explorer-{number}">{html.escape(title)}'
                      f'<select id="densing-explorer-{number}" name="{html.escape(menu["name"])}">'
                      f"{options}</select></label>")
    payload = json.dumps(data, allow_nan=False).replace("</", "<\\/")  # no "</script>" inside
    return (f'<form id="densing-explorer" class="densing-explorer" autocomplete="off">'
            f'{"".join(fields)}</form>'
            '<output id="densing-explorer-result" class="densing-explorer-result" '
            'form="densing-explorer" aria-live="polite">The explorer needs JavaScript.</output>'
            '<svg id="densing-explorer-figure" class="densing-explorer-figure" role="img" '
            'aria-labelledby="densing-explorer-title" xmlns="http://www.w3.org/2000/svg">'
            '<title id="densing-explorer-title">The models, the record-setters and the line of '
            "the choices above</title></svg>"
            '<p id="densing-explorer-legend" class="densing-explorer-legend">'
            '<span class="densing-explorer-model"></span> model '
            '<span class="densing-explorer-record"></span> record-setter (a new highest density) '
            '<span class="densing-explorer-line"></span> fitted line (dashed: past the last date '
            "it is fitted to)</p>"
            f"<style>{STYLE}</style>"
            f'<script type="application/json" id="densing-explorer-data">{payload}</script>')
