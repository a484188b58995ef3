"""Names on a figure that a reader can read: each point's name at the figure's text size, joined to
its point by a thin line, placed where it covers no marker, legend or other name and is not cut at
the edge of the axes (used by ``densing.plotting.plot_density_trend`` and chapter 9's figures)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.text import Text
from matplotlib.transforms import Bbox

# Offsets (in points) tried in turn for a point's name: beside it first, then further away along a
# leader line.
NAME_OFFSETS = ([(9, 9), (-9, 9), (9, -9), (-9, -9)]
                + [(dx, dy) for dy in (20, -20, 32, -32, 46, -46, 62, -62)
                   for dx in (0, 14, -14, 30, -30)])


def place_names(ax: Axes, points: pd.DataFrame, x: str, y: str, label: str,
                required: bool = True) -> list[Text]:
    """Name ``points`` on ``ax`` at the figure's text size, each joined to its point by a thin line
    and placed where neither name nor line covers a marker, a line of the plot, the legend or
    another name, inside the axes, and as near its point as that allows. A name that fits nowhere
    goes where it overlaps least if ``required``, and is left out otherwise. Call it once the
    axes' limits and size are final."""
    fig = ax.figure
    ax.get_xlim(), ax.get_ylim()  # settles pending autoscaling, which the transforms below use
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    px_per_pt = fig.dpi / 72
    markers = np.empty((0, 4))  # every marker, as a box (x0, y0, x1, y1) around its centre
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and len(collection.get_offsets()):
            r = np.sqrt(collection.get_sizes().max()) / 2 * px_per_pt + 1
            centres = collection.get_offset_transform().transform(collection.get_offsets())
            markers = np.vstack([markers, np.hstack([centres - r, centres + r])])
    lines = np.empty((0, 4))  # every line of the plot, as a chain of small boxes
    for line in ax.get_lines():
        path = line.get_transform().transform(line.get_xydata())
        steps = np.linspace(0, 1, 8)[:, None, None]
        along = (path[:-1] * (1 - steps) + path[1:] * steps).reshape(-1, 2)
        lines = np.vstack([lines, np.hstack([along - 1.5, along + 1.5])])
    legend = (np.array([ax.get_legend().get_window_extent(renderer).extents])
              if ax.get_legend() is not None else np.empty((0, 4)))
    names = np.empty((0, 4))  # the names placed so far
    leaders: list[np.ndarray] = []  # and their leader lines, as points along them

    def area(box: Bbox, others: np.ndarray) -> float:
        """The area of ``box`` that the boxes ``others`` (k, 4) cover, overlaps counted again."""
        width = np.minimum(box.x1, others[:, 2]) - np.maximum(box.x0, others[:, 0])
        height = np.minimum(box.y1, others[:, 3]) - np.maximum(box.y0, others[:, 1])
        return float((np.maximum(width, 0.0) * np.maximum(height, 0.0)).sum())

    def crossing(points: np.ndarray, others: np.ndarray) -> int:
        """How many of the boxes ``others`` (k, 4) hold at least one of ``points`` (m, 2)."""
        u, v = points[:, 0, None], points[:, 1, None]
        return int(((u > others[:, 0]) & (u < others[:, 2]) & (v > others[:, 1])
                    & (v < others[:, 3])).any(axis=0).sum())

    def cost(box: Bbox, leader: np.ndarray, others: np.ndarray) -> float:
        kept = (max(0.0, min(box.x1, inside.x1) - max(box.x0, inside.x0))
                * max(0.0, min(box.y1, inside.y1) - max(box.y0, inside.y0)))
        # Covering a marker, the legend or a name is worse than crossing a line; being cut at the
        # edge is worst; a leader line should cross no name and no other marker.
        return (3 * area(box, np.vstack([markers, legend, names])) + 0.05 * area(box, lines)
                + 30 * (box.width * box.height - kept)
                + 200 * crossing(leader, names) + 50 * crossing(leader, others)
                + 200 * sum(crossing(points, np.array([box.extents])) for points in leaders))

    def name(row: pd.Series, dx: float, dy: float) -> Text:
        return ax.annotate(str(row[label]), (row[x], row[y]), xytext=(dx, dy),
                           textcoords="offset points", va="bottom" if dy > 0 else "top",
                           ha="center" if dx == 0 else "left" if dx > 0 else "right",
                           arrowprops=dict(arrowstyle="-", color="0.4", lw=0.8, shrinkA=0,
                                           shrinkB=4))

    placed = []
    for _, row in points.iterrows():
        anchor = ax.transData.transform((ax.xaxis.convert_units(row[x]), row[y]))
        own = ((markers[:, 0] <= anchor[0]) & (anchor[0] <= markers[:, 2])
               & (markers[:, 1] <= anchor[1]) & (anchor[1] <= markers[:, 3]))
        others = markers[~own]  # its own marker aside
        tried = []
        for dx, dy in NAME_OFFSETS:
            end = anchor + np.array([dx, dy]) * px_per_pt
            leader = anchor + (end - anchor) * np.linspace(0.25, 1, 12)[:, None]
            text = name(row, dx, dy)
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer).padded(2)  # the words, not the line
            tried.append((cost(box, leader, others), dx, dy, box, leader))
            text.remove()
        # the least covered place, and of equally free places the nearest to the point
        best = min(tried, key=lambda t: t[0] + 0.5 * np.hypot(t[1], t[2]))
        if best[0] > 50 and not required:
            continue
        text = name(row, *best[1:3])
        text.set_in_layout(False)  # a later tight_layout must not shrink the axes around it
        placed.append(text)
        names = np.vstack([names, best[3].extents])
        leaders.append(best[4])
    return placed
