"""Numbers as readers read them: counts in human units, no NaN shown."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def human_count(value: float, digits: int = 3) -> str:
    """A count in human units with ``digits`` significant digits: 7.61e9 -> "7.61B",
    1.5e13 -> "15T"; empty for a missing value."""
    if value is None or not math.isfinite(value):  # (math's: ten times numpy's speed on a scalar)
        return ""
    for scale, unit in _UNITS:
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g}{unit}"
    return f"{value:.{digits}g}"


def significant(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, without exponents below 1e6; empty for a
    missing value."""
    if value is None or not math.isfinite(value):
        return ""
    if abs(value) >= 1e6:
        return human_count(value, digits)
    return f"{value:,.{max(digits - 1 - math.floor(math.log10(abs(value))), 0)}f}" if value else "0"


def readable(table: pd.DataFrame, counts: tuple[str, ...] = (), digits: int = 3,
             labels: dict[str, str] | None = None):
    """``table`` as readers see it: no row index, ``counts`` in human units (7.61B), other numbers
    to ``digits`` significant digits, dates as YYYY-MM-DD, empty cells where a value is missing;
    ``labels`` renames columns. Returns a pandas Styler (it renders as HTML in a notebook)."""
    shown = table.reset_index(drop=True)
    formats = {}
    for column in shown.columns:
        values = shown[column]
        if column in counts:
            formats[column] = human_count
        elif pd.api.types.is_bool_dtype(values):
            formats[column] = lambda v: "yes" if v else "no"
        elif pd.api.types.is_datetime64_any_dtype(values):
            formats[column] = lambda v: "" if pd.isna(v) else f"{v:%Y-%m-%d}"
        elif pd.api.types.is_integer_dtype(values):
            formats[column] = "{:d}".format
        elif pd.api.types.is_float_dtype(values):
            formats[column] = lambda v, d=digits: significant(v, d)
        else:
            formats[column] = lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) \
                else str(v)
    styler = shown.style.format(formats).hide(axis="index")
    return styler.relabel_index(list((labels or {}).get(c, c) for c in shown.columns), axis=1) \
        if labels else styler
