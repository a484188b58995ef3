"""One plotting style for the book, and the figures more than one chapter draws."""

from __future__ import annotations

import warnings
from binascii import b2a_base64
from textwrap import fill
from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib import patheffects
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from densing.forecast import LEVEL, Forecast
from densing.labels import place_names
from densing.loss_law import LossLaw
from densing.performance import PerformanceCurve
from densing.trend import TrendFit

SIZE_ORDER = ("190M", "370M", "760M", "1B", "3B", "7B", "13B")


# How the site shows a figure at 1280 px: at most COLUMN_PX wide (CSS pixels), beside captions of
# CAPTION_PX. Figure text must show at least as large as the captions; the browser test
# (tests/browser.py) checks both numbers against the built pages.
COLUMN_PX = 672
CAPTION_PX = 14.4


class FigureTextWarning(UserWarning):
    """A figure's text would show smaller than the page's caption text."""


def use_style() -> None:
    """The book's figure style: seaborn's white grid, text the size of the page's captions, no
    top/right spines; every figure a notebook shows is checked by ``small_text``."""
    # Load the backend now: in a notebook, loading the inline backend resets the figure
    # formatters and rcParams that are set below.
    plt.switch_backend(plt.get_backend())
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "figure.figsize": (6.4, 4.2),
                         "font.size": 11, "axes.labelsize": 12, "axes.titlesize": 12,
                         "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 11,
                         "legend.title_fontsize": 11, "axes.spines.top": False,
                         "axes.spines.right": False, "legend.frameon": False})
    _check_shown_figures()


def small_text(fig: Figure, png: bytes) -> list[str]:
    """The texts of ``fig`` that show smaller than CAPTION_PX when its ``png`` (rendered at
    ``fig.dpi``) is scaled to fit the column, each as a line naming the text and its size."""
    width_px = int.from_bytes(png[16:20], "big")  # the PNG header's IHDR width
    scale = min(1.0, COLUMN_PX / width_px)
    problems = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        shown = text.get_fontsize() * fig.dpi / 72 * scale
        if shown < CAPTION_PX - 0.05:
            problems.append(f"{text.get_text()[:40]!r} shows at {shown:.1f} px")
    return problems


def _check_shown_figures() -> None:
    """In a notebook, every figure shown warns (failing the book's build, which treats a
    warning as an error) if its text would show smaller than the captions."""
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure

    shell = get_ipython()
    if shell is None:
        return

    def png(fig: Figure) -> str | None:
        data = print_figure(fig, "png")
        if data is None:
            return None
        problems = small_text(fig, data)
        if problems:
            warnings.warn(f"figure text smaller than the page's captions ({CAPTION_PX} px) at "
                          f"{COLUMN_PX} px wide: {'; '.join(problems[:4])}; enlarge the text or "
                          "narrow the figure", FigureTextWarning, stacklevel=1)
        return b2a_base64(data, newline=False).decode("ascii")

    shell.display_formatter.formatters["image/png"].for_type(Figure, png)


def size_colors(sizes: Sequence[str] = SIZE_ORDER) -> dict[str, tuple[float, float, float]]:
    """One colour per model size, from small (light) to large (dark)."""
    return dict(zip(sizes, sns.color_palette("viridis_r", len(sizes)), strict=True))


def plot_loss_vs_compute(ax: Axes, final: pd.DataFrame, law: LossLaw, loss: str = "loss_bpb",
                         title: str = "", labels: bool = True) -> None:
    """Task loss of the final checkpoints against compute 6ND, one fitted curve per size.
    ``labels=False`` leaves the axis labels to the figure (one label for several panels)."""
    colors = size_colors()
    for size, group in final.groupby("size", sort=False):
        n = float(group["n_params"].iloc[0])
        d_grid = np.geomspace(group["tokens"].min() / 2, group["tokens"].max() * 2, 100)
        ax.plot(6 * n * d_grid, law.predict(n, d_grid), color=colors[size], lw=1.5)
        ax.scatter(6 * n * group["tokens"].astype(float), group[loss], color=colors[size], s=22,
                   zorder=3, label=size)
    ax.set(xscale="log", title=title)
    if labels:
        ax.set(xlabel="compute 6ND (FLOPs)", ylabel=_loss_label(loss))


def plot_performance_curve(ax: Axes, checkpoints: pd.DataFrame, curve: PerformanceCurve,
                           targets: pd.DataFrame | None = None, loss: str = "loss_bpb",
                           title: str = "", labels: bool = True) -> None:
    """Accuracy against task loss: ladder checkpoints, the fitted sigmoid, targets as triangles.
    ``labels=False`` leaves the axis labels to the figure (one label for several panels)."""
    colors = size_colors()
    for size, group in checkpoints.groupby("size", sort=False):
        ax.scatter(group[loss], group["accuracy"], color=colors[size], s=4, alpha=0.35,
                   rasterized=True)
        ax.scatter([], [], color=colors[size], s=25, label=size)  # a legend entry one can see
    x_lo = checkpoints[loss].min() if targets is None else min(checkpoints[loss].min(),
                                                               targets[loss].min())
    grid = np.linspace(x_lo * 0.85, checkpoints[loss].quantile(0.99), 300)
    ax.plot(grid, curve.predict(grid), color="black", lw=1.5, label="fit (eq. 3)")
    ax.axhline(curve.floor, color="grey", ls=":", lw=1, label="random guess")
    if targets is not None:
        for _, row in targets.iterrows():
            ax.scatter(row[loss], row["accuracy"], marker="^", s=70, color=colors[row["size"]],
                       edgecolor="black", zorder=4, label=row["run"])
    ax.invert_xaxis()
    ax.set(title=title)
    if labels:
        ax.set(xlabel=_loss_label(loss) + " (falls to the right)", ylabel="accuracy")


def _loss_label(loss: str) -> str:
    return {"loss_bpb": "task loss (bits per byte)", "loss_nats": "task loss (nats)",
            "c4_loss": "C4 loss (nats per token)"}.get(loss, loss)


def _envelope_and_band(table: pd.DataFrame, trend: TrendFit
                       ) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray, np.ndarray,
                                  pd.DatetimeIndex]:
    """Which rows of ``table`` are envelope models; the trend's band on a date grid over the
    envelope's span (where the line has data); and a grid from the last record to the last model
    (where the line is an extrapolation)."""
    on_env = np.zeros(len(table), dtype=bool)
    on_env[trend.envelope["position"].to_numpy()] = True
    first, last = trend.envelope["release_date"].min(), trend.envelope["release_date"].max()
    grid = pd.date_range(first, last, periods=100)
    low, high = trend.band(grid)
    beyond = pd.date_range(last, max(last, table["release_date"].max()), periods=20)
    return on_env, grid, low, high, beyond


def plot_density_trend(ax: Axes, table: pd.DataFrame, trend: TrendFit, density: str,
                       label: str = "model", names: str | Sequence[str] = "all") -> None:
    """The analogue of the paper's Figure 1: log density against release date, envelope models
    marked, the trend line and its bootstrap band. ``names`` says which points carry their
    ``label``: "envelope" (the record-setters), "all" (as many as fit without overlapping), "none",
    or a list of labels. Names are placed where they cover no marker, legend or other name, at the
    figure's text size; set the axes' limits before calling if they will change afterwards."""
    on_env, grid, low, high, beyond = _envelope_and_band(table, trend)
    ax.scatter(table["release_date"][~on_env], table[density][~on_env], s=18, color="C0",
               alpha=0.7, label="model")
    ax.scatter(table["release_date"][on_env], table[density][on_env], s=40, color="C3",
               edgecolor="black", zorder=3, label="record-setter (new maximum)")
    ax.fill_between(grid, low, high, color="C3", alpha=0.15, lw=0,
                    label=f"{trend.ci_level:.0%} bootstrap band")
    ax.plot(grid, trend.predict(grid), color="C3", lw=1.5,
            label=f"eq. 5, doubling every {trend.doubling_days:.0f} days")
    if beyond.size > 1 and beyond[-1] > beyond[0]:
        ax.plot(beyond, trend.predict(beyond), color="C3", lw=1.2, ls="--",
                label="the same line past the last record")
    ax.set(yscale="log", xlabel="release date", ylabel="capability density ρ")
    ax.legend(loc="upper left", frameon=True, framealpha=0.85, facecolor="white",
              edgecolor="none")
    if isinstance(names, str) and names not in ("all", "envelope", "none"):
        raise ValueError(f"names = {names!r}: choose 'all', 'envelope', 'none' or a list of labels")
    if names == "none":
        return
    named = (table if names == "all" else table[on_env] if names == "envelope"
             else table[table[label].isin(list(names))])
    # Names of the densest points first: they are the ones a reader looks for.
    place_names(ax, named.sort_values(density, ascending=False), "release_date", density, label,
                required=names != "all")


def density_trend_interactive(table: pd.DataFrame, trend: TrendFit, density: str,
                              hover: Sequence[str]) -> go.Figure:
    """The same figure with plotly: hovering a point shows the model and the ``hover`` columns."""
    on_env, grid, low, high, beyond = _envelope_and_band(table, trend)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(grid) + list(grid[::-1]), y=list(high) + list(low[::-1]),
                             fill="toself", fillcolor="rgba(214,39,40,0.15)", line_width=0,
                             hoverinfo="skip", name=f"{trend.ci_level:.0%} bootstrap band"))
    fig.add_trace(go.Scatter(x=grid, y=trend.predict(grid), mode="lines", name="trend",
                             line_color="rgb(214,39,40)", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=beyond, y=trend.predict(beyond), mode="lines",
                             name="the same line past the last record", hoverinfo="skip",
                             line=dict(color="rgb(214,39,40)", dash="dash")))
    template = "<b>%{customdata[0]}</b><br>" + "<br>".join(
        f"{name}: %{{customdata[{i + 1}]}}" for i, name in enumerate(hover)) + "<extra></extra>"
    for mask, name, color in ((~on_env, "model", "rgb(31,119,180)"),
                              (on_env, "envelope", "rgb(214,39,40)")):
        rows = table[mask]
        fig.add_trace(go.Scatter(x=rows["release_date"], y=rows[density], mode="markers",
                                 name=name, marker_color=color, hovertemplate=template,
                                 customdata=rows[["model", *hover]].astype(str).to_numpy()))
    fig.update_layout(yaxis_type="log", xaxis_title="release date",
                      yaxis_title="capability density ρ", height=520, template="plotly_white",
                      margin=dict(l=60, r=20, t=20, b=50))
    return fig


VERDICT_COLORS = {"inside": "C2", "above": "C1", "below": "C4"}


def plot_forecast(ax: Axes, forecast: Forecast, title: str = "", names: bool = True) -> None:
    """A trend fitted up to a cutoff (grey points, red line), its forecast of the maximum density
    with the prediction interval (shaded), and the later models coloured by where they fell;
    the later records are outlined and, with ``names``, named (at the figure's text size, above and
    left of their points, each later record's name higher, outlined in white)."""
    fit = forecast.fit
    past = fit.used
    ax.scatter(past["release_date"], past["rho"], s=12, color="grey", alpha=0.6,
               label="before the cutoff")
    envelope = fit.envelope_models
    ax.scatter(envelope["release_date"], envelope["rho"], s=26, color="C3", zorder=3,
               label="records before the cutoff")
    last = envelope["release_date"].max()
    span = pd.date_range(envelope["release_date"].min(), last, periods=50)
    ax.plot(span, fit.trend.predict(span), color="C3", lw=1.4, label="fitted line")
    beyond = pd.date_range(last, forecast.end, periods=50)
    ax.plot(beyond, fit.trend.predict(beyond), color="C3", lw=1.2, ls="--",
            label="the line past its last record")
    ahead = pd.date_range(forecast.cutoff, forecast.end, periods=50)
    _, low, high = forecast.band(ahead)
    ax.fill_between(ahead, low, high, color="C3", alpha=0.12, lw=0,
                    label=f"{LEVEL:.0%} prediction interval")
    later = forecast.later
    for verdict, color in VERDICT_COLORS.items():
        rows = later[later["verdict"] == verdict]
        ax.scatter(rows["release_date"], rows["rho"], s=16, color=color, alpha=0.8,
                   label=f"later model, {verdict}")
    records = forecast.records()
    ax.scatter(records["release_date"], records["rho"], s=60, facecolor="none",
               edgecolor="black", lw=1.2, zorder=4, label="later record")
    for i, row in records.iterrows() if names else ():  # each later one higher: no overlap
        ax.annotate(row["model"], (row["release_date"], row["rho"]), ha="right", va="bottom",
                    xytext=(-5, 6 + 13 * i), textcoords="offset points", zorder=5,
                    arrowprops=dict(arrowstyle="-", lw=0.6, color="black", shrinkB=5,
                                    relpos=(1, 0)),
                    path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
    ax.axvline(forecast.cutoff, color="black", lw=0.8, ls=":")
    ax.set(yscale="log", title=title, ylabel="capability density ρ")
    ax.set_ylim(past["rho"].min() / 2, max(later["rho"].max() if len(later) else 1,
                                           envelope["rho"].max()) * 100)


def plot_rates(ax: Axes, table: pd.DataFrame) -> None:
    """Months per doubling or halving of each rate in ``table`` (``field.rates_on_one_axis``,
    lags left out), shortest at the top, on a log axis: a dot for the estimate, a line for its
    interval, red for the densing law; an open dot where no interval is published."""
    y = np.arange(len(table))[::-1]
    law = table["rate"].str.startswith("densing law").to_numpy()
    colors = np.where(law, "C3", "C0")
    has = table["low"].notna().to_numpy()
    ax.hlines(y[has], table["low"][has], table["high"][has], color=colors[has], lw=2.5,
              alpha=0.6)
    ax.scatter(table["months"][has], y[has], color=colors[has], zorder=3)
    ax.scatter(table["months"][~has], y[~has], facecolor="white", edgecolor=colors[~has],
               zorder=3)
    ax.set_yticks(y, [fill(f"{r} ({d})", 26) for r, d in zip(table["rate"], table["direction"],
                                                              strict=True)])
    ax.set(xscale="log", xlabel="months per doubling or halving (log scale)")
    ticks = [t for t in (1, 2, 3, 6, 12, 24, 36) if t <= 1.5 * np.nanmax(table["high"].fillna(
        table["months"]))]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.xaxis.set_minor_formatter("")
    ax.grid(axis="x", which="both", alpha=0.3)
