"""Chapter 9's tables (densing.tables): the price trends and the split at ChatGPT as the chapter
shows them, and the names on its price figure (densing.labels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from densing.corollaries import (CHATGPT, blended_price, mmlu_densities,  # noqa: E402
                                 price_trend, split_trend)
from densing.data import load_prices  # noqa: E402
from densing.labels import place_names  # noqa: E402
from densing.plotting import use_style  # noqa: E402
from densing.tables import price_summary, split_summary  # noqa: E402


@pytest.fixture(scope="module")
def trends():
    prices = load_prices()
    return {"blended (3:1)": price_trend(prices, blended_price(prices), n_boot=200),
            "input only": price_trend(prices, prices["input_usd_per_mtok"], n_boot=200)}


def test_price_summary_reports_each_trend(trends):
    table = price_summary(trends).set_index("price")
    for view, trend in trends.items():
        row = table.loc[view]
        assert row["fold reduction"] == trend.fold
        assert row["halving (months)"] == trend.halving_months
        lo, hi = trend.halving_months_ci
        assert row["95% interval (months)"].startswith(f"{lo:.1f} to ")
        assert lo < trend.halving_months < hi
        last = trend.cheapest.iloc[-1]
        assert f"({last['model']}, {last['since']:%Y-%m-%d})" in row["cheapest last"]


def test_split_summary_gives_both_periods_with_their_intervals():
    table = mmlu_densities()
    split = split_trend(table, n_boot=200)
    summary = split_summary(split, table, CHATGPT)
    assert summary["period"].tolist() == ["before ChatGPT", "after ChatGPT"]
    assert summary["models"].sum() == len(table)
    before = split.before.A_ci
    assert summary["95% interval of A"].iloc[0] == f"{before[0]:.4f} to {before[1]:.4f}"
    assert summary["doubling (days)"].iloc[1] == pytest.approx(split.after.doubling_days)


def test_place_names_keeps_names_apart_and_inside_the_axes():
    use_style()
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    dates = pd.date_range("2023-01-01", periods=6, freq="60D")
    points = pd.DataFrame({"date": dates, "price": np.geomspace(20, 0.1, 6),
                           "name": [f"model-number-{i}" for i in range(6)]})
    ax.scatter(points["date"], points["price"])
    ax.set_yscale("log")
    texts = place_names(ax, points, "date", "price", "name")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in texts]
    inside = ax.get_window_extent(renderer)
    assert len(texts) == len(points)
    assert all(inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1
               for b in boxes)
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert all(t.get_fontsize() == plt.rcParams["font.size"] for t in texts)
    plt.close(fig)
