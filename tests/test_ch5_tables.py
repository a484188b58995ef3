"""Chapter 5's tables (densing.tables) and the names on its trend figure (densing.labels): each
table says what the analysis says, and the record-setters' names are readable."""

from __future__ import annotations

import re
from io import BytesIO

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from densing import Specification, analyse  # noqa: E402
from densing.analysis import SCORE  # noqa: E402
from densing.data import BENCHMARKS, load_models  # noqa: E402
from densing.display import readable  # noqa: E402
from densing.plotting import plot_density_trend, small_text, use_style  # noqa: E402
from densing.tables import (EXTREME, benchmark_coverage, curve_constants,  # noqa: E402
                            exclusion_reasons, extreme_densities, model_densities)


@pytest.fixture(scope="module")
def headline():
    return analyse(Specification(n_boot=100))


def test_coverage_counts_every_benchmark_s_scores():
    models = load_models()
    table = benchmark_coverage(models)
    assert len(table) == len(BENCHMARKS)
    assert table["models with a score"].tolist() == [int(models[b].notna().sum())
                                                     for b in BENCHMARKS]
    assert (table["of them in the paper"] <= table["models with a score"]).all()
    assert (table["distinct sources"] <= table["models with a score"]).all()


def test_curve_constants_are_the_fitted_curves(headline):
    table = curve_constants(headline).set_index("score")
    assert len(table) == len(headline.references)
    mmlu = headline.references["mmlu"]
    assert table.loc["MMLU", "γ"] == mmlu.curve.gamma
    assert table.loc["MMLU", "highest score at D0"] == mmlu.score_range[1]
    assert (table["ceiling c + d"] == 100).all()
    assert table.loc["average of the five", "panel models"] == int(
        headline.panel[SCORE].notna().sum())


def test_exclusion_reasons_account_for_every_model_out_of_the_trend(headline):
    table = exclusion_reasons(headline.densities)
    out = headline.densities[~headline.densities["in_trend"]]
    assert table["models"].sum() == len(out)
    assert table["models"].is_monotonic_decreasing
    listed = [m for names in table["which"] for m in names.split(", ")]
    assert sorted(listed) == sorted(out["model"])


def test_the_model_table_lists_every_model_once_with_a_density_or_a_reason(headline):
    table = model_densities(headline)
    assert sorted(table["model"]) == sorted(load_models()["model"])
    assert table["average, or why none"].ne("").all()
    assert list(table.columns[-len(BENCHMARKS):]) == ["MMLU", "BBH", "MATH", "HumanEval", "MBPP"]
    html = readable(table, counts=("size",)).to_html()
    cells = BeautifulSoup(html, "html.parser").select("td")
    assert not [c for c in cells if c.get_text().strip().lower() == "nan"]
    # no six-decimal floats: a number with decimals shows at most three significant digits
    texts = [c.get_text().strip() for c in cells]
    numbers = [text for text in texts if re.fullmatch(r"[\d.,]+", text)]
    assert numbers
    for text in numbers:
        if "." in text:
            assert len(text.replace(",", "").replace(".", "").lstrip("0")) <= 3, text


def test_extreme_densities_are_every_density_at_or_above_the_threshold(headline):
    table = extreme_densities(headline)
    columns = ["rho", *[f"rho_{b}" for b in BENCHMARKS]]
    assert len(table) == int((headline.densities[columns] >= EXTREME).sum().sum())
    assert (table["density"] >= EXTREME).all() and table["density"].is_monotonic_decreasing
    assert ((table["share of reach"] > 0) & (table["share of reach"] < 1)).all()
    falcon = table[(table["model"] == "Falcon-H1-34B") & (table["score"] == "MBPP")]
    assert len(falcon) == 1 and falcon["density"].iloc[0] > EXTREME


def test_the_record_setters_are_named_readably_inside_the_axes(headline):
    use_style()
    fig, ax = plt.subplots(figsize=(6.8, 4.8))
    plot_density_trend(ax, headline.used, headline.trend, density="rho", names="envelope")
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    names = [t for t in ax.texts if t.get_text() in set(headline.envelope_models["model"])]
    assert len(names) == len(headline.envelope_models)
    inside = ax.get_window_extent(renderer)
    boxes = [Text.get_window_extent(t, renderer) for t in names]  # the words, not their lines
    assert min(box.x0 for box in boxes) > 0
    for box in boxes:
        assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1, "a name is cut at the edge"
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not overlaps
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    assert not small_text(fig, buffer.getvalue())  # the check the book applies to its figures
    plt.close(fig)


def test_names_refuse_an_unknown_choice(headline):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="names = 'some'"):
        plot_density_trend(ax, headline.used, headline.trend, density="rho", names="some")
    plt.close(fig)


def test_the_extreme_densities_fall_where_the_inverse_climbs(headline):
    """Near the top of its reach the reference's effective size grows ever faster with the score."""
    ref = headline.references["humaneval"]
    low, high = ref.score_range
    scores = low + (high - low) * np.array([0.5, 0.8, 0.95, 0.99])
    n_hat = ref.effective_params(scores)
    steps = np.diff(np.log(n_hat)) / np.diff(scores)
    assert (np.diff(steps) > 0).all()
