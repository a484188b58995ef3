"""Input checking shared by every step: arrays in, clear ``ValueError`` out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def as_array(name: str, values: Any, *, low: float = -np.inf, high: float = np.inf,
             low_open: bool = False, high_open: bool = False) -> np.ndarray:
    """``values`` (scalar, list, numpy array or pandas Series) as a float array, or a ValueError.

    The message names the field, the first offending value and the valid range; NaN and inf are
    refused too. Nothing is dropped or clipped.
    """
    _refuse_none(name, values)
    if _holds_bool(values):  # True would be read as 1 and False as 0
        raise ValueError(f"{name} = {brief(values)} holds True or False where a number is meant")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:  # (an int beyond a float: 10**400)
        raise ValueError(f"{name} must be numeric, got {brief(values)}") from exc
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    bad = ~np.isfinite(arr)
    bad |= (arr <= low) if low_open else (arr < low)
    bad |= (arr >= high) if high_open else (arr > high)
    if bad.any():
        first = float(arr.flat[int(np.flatnonzero(bad.ravel())[0])])
        # An infinite bound is never reached: inf and NaN are refused too.
        lo = "(" if low_open or np.isinf(low) else "["
        hi = ")" if high_open or np.isinf(high) else "]"
        raise ValueError(f"{name} = {first!r} is outside the valid range {lo}{low:g}, {high:g}{hi}")
    return arr


def as_number(name: str, value: Any, **limits: Any) -> float:
    """One number (not a list or an array of one) within ``limits`` (as ``as_array``)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} = {brief(value)} must be one number")
    return float(as_array(name, value, **limits))


PARAMS_RANGE = (1e5, 1e14)  # raw counts: below 1e5 a size is almost surely given in billions


def as_param_count(name: str, values: Any) -> np.ndarray:
    """Parameter counts (raw, not billions) as a float array, or a ValueError naming the value,
    the valid range ``PARAMS_RANGE`` and, for a small number, the billions it probably means."""
    arr = as_array(name, values, low=0, low_open=True)
    bad = (arr < PARAMS_RANGE[0]) | (arr > PARAMS_RANGE[1])
    if bad.any():
        raise ValueError(params_out_of_range(name, float(arr.flat[int(np.flatnonzero(bad)[0])])))
    return arr


def params_out_of_range(name: str, value: float, where: str = "") -> str:
    """The message for a parameter count outside ``PARAMS_RANGE`` (``where``: e.g. " (row 3)")."""
    hint = (f"; it looks like billions: pass {value:g}e9 for {value:g}B"
            if 0 < value < PARAMS_RANGE[0] else "")
    return (f"{name} = {value!r}{where} is outside the valid range "
            f"[{PARAMS_RANGE[0]:g}, {PARAMS_RANGE[1]:g}] (a raw count){hint}")


# Tokens: below 1e9 a value is almost surely in billions or trillions, not a raw count.
D0_RANGE = (1e9, 1e15)
# Training tokens of any model (the ladder's smallest runs read a few billion): raw counts.
TOKENS_RANGE = (1e6, 1e16)


def as_token_count(name: str, values: Any) -> np.ndarray:
    """Training tokens (raw, not billions or trillions) as a float array, or a ValueError naming
    the value and the valid range ``TOKENS_RANGE``."""
    arr = as_array(name, values, low=0, low_open=True)
    bad = (arr < TOKENS_RANGE[0]) | (arr > TOKENS_RANGE[1])
    if bad.any():
        value = float(arr.flat[int(np.flatnonzero(bad)[0])])
        hint = (f"; it looks like trillions or billions: pass {value:g}e12 for {value:g}T"
                if value < TOKENS_RANGE[0] else "")
        raise ValueError(f"{name} = {value!r} is outside the valid range [{TOKENS_RANGE[0]:g}, "
                         f"{TOKENS_RANGE[1]:g}] tokens (a raw count){hint}")
    return arr


def check_d0(value: Any) -> None:
    """The reference's training tokens ``D0``: a raw count in ``D0_RANGE``, or a ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or not D0_RANGE[0] <= value <= D0_RANGE[1]:
        raise ValueError(f"D0 = {value!r} is outside the valid range [{D0_RANGE[0]:g}, "
                         f"{D0_RANGE[1]:g}] tokens (a raw count, e.g. 1e12 for 1T)")


def check_flag(name: str, value: Any) -> None:
    """A yes/no field: True or False only (``"False"`` is a true string; 0 and 1 are numbers)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} = {value!r} must be True or False")


def as_count(name: str, value: Any) -> int:
    """A count or seed (``n_boot``, ``n_draws``, ``seed``): an integer >= 0, numpy integers
    included; not a bool, a float or None (a seed of None would change the result every call)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} = {value!r} must be a whole number >= 0")
    if value < 0:
        raise ValueError(f"{name} = {value!r} is outside the valid range [0, inf)")
    return int(value)


def check_columns(columns: Any, known: Any, *, table: str = "the table",
                  numeric_unknown: Any = ()) -> None:
    """Column names as densing reads them, or a ValueError listing the columns found: no
    duplicates; no near-misses of a known name (other case, spaces, ``-`` or ``_``: ``MMLU``,
    ``n params``), which would otherwise be ignored; no column in ``numeric_unknown`` (unknown
    columns holding numbers, where the caller refuses them); a single column whose name holds
    ``;``, a tab or ``|`` gets a hint about the separator."""
    names, known = [str(c) for c in columns], list(known)
    found = f"columns found: {', '.join(map(repr, names))}"
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        sep = next(sep for sep in ";\t|" if sep in names[0])
        raise ValueError(f"{table} parsed into a single column {names[0]!r}: it looks separated by "
                         f"{sep!r}; densing reads comma-separated files")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"{table} has the column {duplicated[0]!r} more than once ({found})")
    def key(name: str) -> str:
        return "".join(ch for ch in name.lower() if ch not in " \t_-")
    by_key = {key(k): k for k in known}
    for name in names:
        if name not in known and key(name) in by_key:
            raise ValueError(f"{table} has a column {name!r}: did you mean {by_key[key(name)]!r}? "
                             f"Column names are exact ({found})")
    unread = [str(name) for name in numeric_unknown]
    if unread:
        raise ValueError(f"{table} has a column {unread[0]!r} of numbers that densing does not "
                         f"read (it reads {', '.join(known)}): rename it or remove it ({found})")


def brief(values: Any) -> str:
    """``values`` for a one-line message: arrays and Series as a plain list."""
    if np.ndim(values) == 0 or isinstance(values, (list, tuple)):
        return repr(values)
    return repr(np.asarray(values, dtype=object).ravel().tolist())


def _holds_bool(values: Any) -> bool:
    """Whether ``values`` is a bool, or a list, tuple, array or Series holding one."""
    if isinstance(values, (bool, np.bool_)):
        return True
    if isinstance(values, (list, tuple)):
        return any(_holds_bool(v) for v in values)
    dtype = getattr(values, "dtype", None)
    if dtype is not None and dtype == bool:
        return True
    return dtype == object and any(isinstance(v, (bool, np.bool_)) for v in np.ravel(values))


def same_shape(**inputs: Any) -> None:
    """Refuse two inputs of different shapes (each more than one number): numpy would broadcast
    them into a matrix, pairing every value of one with every value of the other."""
    shapes = {name: np.shape(v) for name, v in inputs.items() if np.size(v) > 1}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"inputs differ in shape: {shapes}; pass one number or arrays of the "
                         "same shape (numpy would pair every value with every other)")


def _refuse_none(name: str, values: Any) -> None:
    """None is a missing value: say so, rather than reading it as NaN."""
    if values is None:
        raise ValueError(f"{name} is missing (got None)")
    if isinstance(values, (list, tuple)):
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:
            raise ValueError(f"{name} has a missing value (None) at position {missing[0]}")


def same_length(**arrays: np.ndarray) -> None:
    """Refuse arrays of different lengths, naming them."""
    sizes = {name: a.size for name, a in arrays.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"inputs differ in length: {sizes}")


def same_index(**inputs: Any) -> None:
    """Refuse pandas inputs whose indexes differ: they would be paired by position, silently."""
    indexed = {name: v.index for name, v in inputs.items() if isinstance(v, (pd.Series,
                                                                              pd.DataFrame))}
    names = list(indexed)
    for name in names[1:]:
        if not indexed[name].equals(indexed[names[0]]):
            raise ValueError(f"{names[0]} and {name} are pandas objects with different indexes: "
                             "they would be paired by position; align them (e.g. reindex) or "
                             "pass arrays")


def scalar_or_array(result: np.ndarray, *inputs: Any) -> float | np.ndarray:
    """Scalar in, scalar out: return a float when every input was a scalar."""
    if all(np.ndim(x) == 0 for x in inputs):
        return float(result)
    return result
