"""One plotting style for the book, and the figures more than one chapter draws."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import seaborn as sns
from matplotlib.axes import Axes

from densing.forecast import LEVEL, Forecast
from densing.loss_law import LossLaw
from densing.performance import PerformanceCurve
from densing.trend import TrendFit

SIZE_ORDER = ("190M", "370M", "760M", "1B", "3B", "7B", "13B")


def use_style() -> None:
    """The book's figure style: seaborn's white grid, readable sizes, no top/right spines."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "axes.spines.top": False,
                         "axes.spines.right": False, "legend.frameon": False})


def size_colors(sizes: Sequence[str] = SIZE_ORDER) -> dict[str, tuple[float, float, float]]:
    """One colour per model size, from small (light) to large (dark)."""
    return dict(zip(sizes, sns.color_palette("viridis_r", len(sizes)), strict=True))


def plot_loss_vs_compute(ax: Axes, final: pd.DataFrame, law: LossLaw, loss: str = "loss_bpb",
                         title: str = "") -> None:
    """Task loss of the final checkpoints against compute 6ND, one fitted curve per size."""
    colors = size_colors()
    for size, group in final.groupby("size", sort=False):
        n = float(group["n_params"].iloc[0])
        d_grid = np.geomspace(group["tokens"].min() / 2, group["tokens"].max() * 2, 100)
        ax.plot(6 * n * d_grid, law.predict(n, d_grid), color=colors[size], lw=1.5)
        ax.scatter(6 * n * group["tokens"].astype(float), group[loss], color=colors[size], s=22, zorder=3,
                   label=size)
    ax.set(xscale="log", xlabel="compute 6ND (FLOPs)", ylabel=_loss_label(loss), title=title)


def plot_performance_curve(ax: Axes, checkpoints: pd.DataFrame, curve: PerformanceCurve,
                           targets: pd.DataFrame | None = None, loss: str = "loss_bpb",
                           title: str = "") -> None:
    """Accuracy against task loss: ladder checkpoints, the fitted sigmoid, targets as triangles."""
    colors = size_colors()
    for size, group in checkpoints.groupby("size", sort=False):
        ax.scatter(group[loss], group["accuracy"], color=colors[size], s=4, alpha=0.35,
                   label=size, rasterized=True)
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
    ax.set(xlabel=_loss_label(loss) + " (falls to the right)", ylabel="accuracy", title=title)


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
                       label: str = "model", names: str = "all") -> None:
    """The analogue of the paper's Figure 1: log density against release date, envelope models
    marked, the trend line and its bootstrap band; ``names`` = "all" or "envelope" says which
    points carry their ``label``."""
    on_env, grid, low, high, beyond = _envelope_and_band(table, trend)
    ax.scatter(table["release_date"][~on_env], table[density][~on_env], s=18, color="C0",
               alpha=0.7, label="model")
    ax.scatter(table["release_date"][on_env], table[density][on_env], s=40, color="C3",
               edgecolor="black", zorder=3, label="envelope (new maximum)")
    named = table if names == "all" else table[on_env]
    for i, (_, row) in enumerate(named.iterrows()):
        ax.annotate(row[label], (row["release_date"], row[density]), fontsize=6,
                    xytext=(3, 3 if i % 2 else -7), textcoords="offset points", alpha=0.85)
    ax.fill_between(grid, low, high, color="C3", alpha=0.15, lw=0,
                    label=f"{trend.ci_level:.0%} bootstrap band")
    ax.plot(grid, trend.predict(grid), color="C3", lw=1.5,
            label=f"ln ρ_max = A·t + B, doubling {trend.doubling_days:.0f} days")
    if beyond.size > 1 and beyond[-1] > beyond[0]:
        ax.plot(beyond, trend.predict(beyond), color="C3", lw=1.2, ls="--",
                label="the same line past the last record")
    ax.set(yscale="log", xlabel="release date", ylabel="capability density ρ")
    ax.legend(loc="upper left", fontsize=8)


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


def plot_forecast(ax: Axes, forecast: Forecast, title: str = "") -> None:
    """A trend fitted up to a cutoff (grey points, red line), its forecast of the maximum density
    with the prediction interval (shaded), and the later models coloured by where they fell;
    the later records are outlined and named."""
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
    for i, row in records.iterrows():
        ax.annotate(row["model"], (row["release_date"], row["rho"]), fontsize=7,
                    xytext=(4, 6 if i % 2 else -10), textcoords="offset points")
    ax.axvline(forecast.cutoff, color="black", lw=0.8, ls=":")
    ax.set(yscale="log", title=title, ylabel="capability density ρ")
    ax.set_ylim(past["rho"].min() / 2, max(later["rho"].max() if len(later) else 1,
                                           envelope["rho"].max()) * 30)
