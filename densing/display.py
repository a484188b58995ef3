"""Numbers as readers read them: counts in human units, no NaN shown."""

from __future__ import annotations

import numpy as np

_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def human_count(value: float, digits: int = 3) -> str:
    """A count in human units with ``digits`` significant digits: 7.61e9 -> "7.61B",
    1.5e13 -> "15T"; empty for a missing value."""
    if value is None or not np.isfinite(value):
        return ""
    for scale, unit in _UNITS:
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g}{unit}"
    return f"{value:.{digits}g}"


def significant(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, without exponents below 1e6; empty for a
    missing value."""
    if value is None or not np.isfinite(value):
        return ""
    if abs(value) >= 1e6:
        return human_count(value, digits)
    return f"{value:,.{max(digits - 1 - int(np.floor(np.log10(abs(value)))), 0)}f}" if value else "0"
