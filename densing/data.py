"""Loading the committed data in ``data/``, with validation on load."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

# data/ of the checkout, installed with the package as densing.data_files (pyproject.toml).
DATA_DIR = Path(str(files("densing.data_files")))

# Number of answer options of each ladder task: a random guess scores 1/options.
ANSWER_OPTIONS = {"mmlu": 4, "hellaswag": 4, "arc_easy": 4, "arc_challenge": 4, "boolq": 2,
                  "csqa": 5, "openbookqa": 4, "piqa": 2, "socialiqa": 3, "winogrande": 2}
RANDOM_GUESS = {task: 1 / k for task, k in ANSWER_OPTIONS.items()}

_LADDER_COLUMNS = {"run": str, "size": str, "n_params": "int64", "multiplier": str, "role": str,
                   "step": "Int64", "tokens": "int64", "c4_loss": float, "task": str,
                   "loss_nats": float, "loss_bpb": float, "accuracy": float, "is_final": bool}


# Where a source cell may point. A reader must be able to follow it without this project's tools:
# a URL (with or without the scheme), an arXiv id, a DOI, or a named document with a locator.
_URL = re.compile(r"https?://\S+|\b(?:[a-z0-9-]+\.)+(?:com|org|net|ai|io|co|dev|edu|gov|cn|uk|de|"
                  r"jp|fr|tech|app|blog|info|me|site|cc|wiki|ae|community)/\S*", re.I)
_ARXIV = re.compile(r"\barxiv(?:\.org/(?:abs|pdf|html)/|\s*:\s*|\s+)\d{4}\.\d{4,5}", re.I)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s,;)]+")
_DOCUMENT = re.compile(r"\b(?:paper|report|model card|card|blog|post|readme|docs?|documentation|"
                       r"announcement|article|preprint|notes?|page|leaderboard)\b", re.I)
_LOCATOR = re.compile(r"\bTable\s*[A-Z]?\d|\bTab\.\s*\d|\bSec(?:tion|\.)\s*[A-Z]?\d|§\s*\d|"
                      r"\bFig(?:ure|\.)\s*\d|\bAppendix\b|\bpage\s*\d|\bpp?\.\s*\d", re.I)
# Pointers into the search tools this table was curated with: meaningless to a reader.
_INTERNAL = re.compile(r"code index|index id|pages[- ]corpus|search index|code corpus|find_string|"
                       r"\bstored (?:text |research |paper |chapter )?"
                       r"(?:cop(?:y|ies)|notes?|excerpts?|summary|summaries)\b|"
                       r"\bids?\s+\d{6,}", re.I)


def has_internal_pointer(text: object) -> bool:
    """True when ``text`` points into the curation tools (an index id, "code index", "pages-corpus",
    "stored copy", ...) rather than at a public document."""
    return isinstance(text, str) and bool(_INTERNAL.search(text))


def is_followable_source(text: object) -> bool:
    """True when a source cell names something a reader can follow: an http(s) URL (or a bare
    ``domain.tld/path``), an arXiv id, a DOI, or a named paper, report, model card, blog or page
    with a Table / Sec. / Section / § / Figure / Appendix / page locator. False for an empty cell
    and for any cell with a pointer into the curation tools (see :func:`has_internal_pointer`)."""
    if not isinstance(text, str) or not text.strip() or has_internal_pointer(text):
        return False
    if _URL.search(text) or _ARXIV.search(text) or _DOI.search(text):
        return True
    return bool(_DOCUMENT.search(text) and _LOCATOR.search(text))


def source_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a data table that say where a value was read: ``*_source``, ``source`` and
    ``location``."""
    return [c for c in table.columns if c.endswith("_source") or c in ("source", "location")]


def check_sources(table: pd.DataFrame, name: str, label: str) -> None:
    """Refuse the first non-empty source cell a reader cannot follow (file, row and column)."""
    for column in source_columns(table):
        cells = table[column].dropna()
        bad = cells[~cells.map(is_followable_source)]
        if len(bad):
            index = bad.index[0]
            raise ValueError(f"{name}: {column} of {table.loc[index, label]} (row {index + 2}) is "
                             "not a followable source (URL, arXiv id, DOI, or document with "
                             f"table/section/figure/page): {bad.iloc[0][:120]!r}")


def _check_range(table: pd.DataFrame, column: str, low: float, high: float, name: str,
                 label: str = "run") -> None:
    """Refuse the first value of ``column`` outside [low, high], naming the file and the row."""
    bad = table[~table[column].between(low, high)]
    if len(bad):
        row = bad.iloc[0]
        raise ValueError(f"{name}: {column} = {row[column].item()!r} ({label} {row[label]}) is "
                         f"outside [{low}, {high}]")


def load_ladder(path: Path | None = None) -> pd.DataFrame:
    """The OLMo ladder table (one row per run, checkpoint and task), validated.

    Columns and units are in ``data/README.md``.
    """
    path = DATA_DIR / "olmo_ladder.csv" if path is None else Path(path)
    table = pd.read_csv(path, dtype={"multiplier": str, "size": str}, keep_default_na=False,
                        na_values={"step": [""]})
    missing = set(_LADDER_COLUMNS) - set(table.columns)
    if missing:
        raise ValueError(f"{path.name}: missing columns {sorted(missing)}")
    table = table.astype(_LADDER_COLUMNS)[list(_LADDER_COLUMNS)]
    unknown = set(table["task"]) - set(ANSWER_OPTIONS)
    if unknown:
        raise ValueError(f"{path.name}: unknown tasks {sorted(unknown)}")
    if not set(table["role"]) <= {"ladder", "target"}:
        raise ValueError(f"{path.name}: role must be 'ladder' or 'target'")
    for column in ("n_params", "tokens"):
        _check_range(table, column, 1, float("inf"), path.name)
    for column in ("c4_loss", "loss_nats", "loss_bpb"):
        _check_range(table, column, 1e-9, 20, path.name)
    _check_range(table, "accuracy", 0, 1, path.name)
    return table

BENCHMARKS = ("mmlu", "bbh", "math", "humaneval", "mbpp")
_MODEL_TEXT = ["model", "family", "hub_id", "release_date_source", "architecture", "params_source",
               "params_non_embedding_source", "params_active_source", "train_tokens_source",
               "base_instruction_data", "notes"]
# Whether a model's "base" was trained on instruction-style data (SFT-style, chain-of-thought or
# agentic data in pre- or mid-training), as its report says: empty where no report was checked.
BASE_INSTRUCTION_DATA = ("yes", "likely", "no")
_MODEL_NUMBERS = ["params_b", "params_non_embedding_b", "params_active_b", "train_tokens_t"]


def load_models(path: Path | None = None) -> pd.DataFrame:
    """The open base models with sourced scores (``data/models.csv``), validated.

    Checks: required columns; unique names; a valid release date on every row; positive sizes and
    token counts; scores in [0, 100]; every non-empty value with a source beside it, and every
    source followable (:func:`is_followable_source`).
    """
    path = DATA_DIR / "models.csv" if path is None else Path(path)
    return _validated_models(path.resolve(), path.stat().st_mtime_ns).copy()


# Chapters and the explorer read the table a hundred times per build; it is validated once per
# version of the file (a changed file has a new modification time) and each caller gets a copy.
@lru_cache(maxsize=8)
def _validated_models(path: Path, modified_ns: int) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={c: str for c in _MODEL_TEXT})
    score_columns = [f"{b}{suffix}" for b in BENCHMARKS for suffix in ("", "_setting", "_source")]
    required = _MODEL_TEXT + _MODEL_NUMBERS + ["in_paper", "release_date"] + score_columns
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}")
    duplicated = table["model"][table["model"].duplicated()]
    if len(duplicated):
        raise ValueError(f"{path.name}: model {duplicated.iloc[0]!r} appears twice")
    undated = table[table["release_date"].isna()]
    if len(undated):
        raise ValueError(f"{path.name}: release_date of {undated['model'].iloc[0]} is empty; every "
                         "model needs a sourced release date (YYYY-MM-DD)")
    try:
        table["release_date"] = pd.to_datetime(table["release_date"], format="%Y-%m-%d")
    except ValueError as exc:
        raise ValueError(f"{path.name}: release_date must be YYYY-MM-DD: {exc}") from exc
    if not set(table["architecture"]) <= {"dense", "moe"}:
        raise ValueError(f"{path.name}: architecture must be 'dense' or 'moe'")
    flagged = table["base_instruction_data"].dropna()
    odd = flagged[~flagged.isin(BASE_INSTRUCTION_DATA)]
    if len(odd):
        raise ValueError(f"{path.name}: base_instruction_data = {odd.iloc[0]!r} (model "
                         f"{table.loc[odd.index[0], 'model']}) is not one of "
                         f"{BASE_INSTRUCTION_DATA} or empty")
    checks = [("params_b", 1e-3, 1e4), ("params_non_embedding_b", 1e-3, 1e4),
              ("params_active_b", 1e-3, 1e4),
              ("train_tokens_t", 1e-3, 1e3)]
    checks += [(b, 0, 100) for b in BENCHMARKS]
    for column, low, high in checks:
        _check_range(table[table[column].notna()], column, low, high, path.name, label="model")
    sourced = [("release_date", "release_date_source"), ("params_b", "params_source"),
               ("params_non_embedding_b", "params_non_embedding_source"),
               ("params_active_b", "params_active_source"),
               ("train_tokens_t", "train_tokens_source")]
    sourced += [(b, f"{b}_source") for b in BENCHMARKS] + [(b, f"{b}_setting") for b in BENCHMARKS]
    for value, source in sourced:
        unsourced = table[table[value].notna() & table[source].fillna("").str.strip().eq("")]
        if len(unsourced):
            raise ValueError(f"{path.name}: {value} of {unsourced['model'].iloc[0]} has no "
                             f"{source}")
    check_sources(table, path.name, "model")
    return table


def load_paper_values(path: Path | None = None) -> pd.DataFrame:
    """The Densing Law paper's own trend numbers (``data/paper_values.csv``), each with a source."""
    path = DATA_DIR / "paper_values.csv" if path is None else Path(path)
    table = pd.read_csv(path)
    unsourced = table[table["source"].fillna("").str.strip().eq("")]
    if len(unsourced):
        raise ValueError(f"{path.name}: {unsourced['quantity'].iloc[0]} has no source")
    check_sources(table, path.name, "quantity")
    return table


def _sourced_table(path: Path, text: list[str], numbers: list[str],
                   sourced: list[tuple[str, str]], ranges: list[tuple[str, float, float]],
                   dates: tuple[str, ...], label: str) -> pd.DataFrame:
    """A small sourced table, validated: the ``text``, ``numbers`` and ``dates`` columns present,
    dates in YYYY-MM-DD on every row, numbers in range, a source beside every non-empty value, and
    every source followable (:func:`is_followable_source`)."""
    required = [*text, *numbers, *dates]
    table = pd.read_csv(path, dtype={c: str for c in text})
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing columns {missing}")
    for column in dates:
        empty = table[table[column].isna()]
        if len(empty):
            raise ValueError(f"{path.name}: {column} of {empty[label].iloc[0]} is empty")
        try:
            table[column] = pd.to_datetime(table[column], format="%Y-%m-%d")
        except ValueError as exc:
            raise ValueError(f"{path.name}: {column} must be YYYY-MM-DD: {exc}") from exc
    for column, low, high in ranges:
        _check_range(table[table[column].notna()], column, low, high, path.name, label=label)
    for value, source in sourced:
        unsourced = table[table[value].notna() & table[source].fillna("").str.strip().eq("")]
        if len(unsourced):
            raise ValueError(f"{path.name}: {value} of {unsourced[label].iloc[0]} has no {source}")
    check_sources(table, path.name, label)
    return table


def load_early_models(path: Path | None = None) -> pd.DataFrame:
    """Models released before ChatGPT with an MMLU score (``data/early_models.csv``), validated."""
    path = DATA_DIR / "early_models.csv" if path is None else Path(path)
    text = ["model", "release_date_source", "params_source", "train_tokens_source",
            "mmlu_setting", "mmlu_source", "notes"]
    table = _sourced_table(
        path, text, ["open_weights", "params_b", "train_tokens_t", "mmlu"], sourced=[("release_date", "release_date_source"), ("params_b", "params_source"),
                 ("train_tokens_t", "train_tokens_source"), ("mmlu", "mmlu_source"),
                 ("mmlu", "mmlu_setting")],
        ranges=[("params_b", 1e-3, 1e4), ("train_tokens_t", 1e-3, 1e3), ("mmlu", 0, 100)],
        dates=("release_date",), label="model")
    table["open_weights"] = table["open_weights"].astype(bool)
    return table


def load_prices(path: Path | None = None) -> pd.DataFrame:
    """API list prices with the date each took effect (``data/api_prices.csv``), validated."""
    path = DATA_DIR / "api_prices.csv" if path is None else Path(path)
    text = ["model", "provider", "price_date_source", "price_source", "mmlu_setting",
            "mmlu_source", "notes"]
    return _sourced_table(
        path, text, ["input_usd_per_mtok", "output_usd_per_mtok", "mmlu"], sourced=[("price_date", "price_date_source"), ("input_usd_per_mtok", "price_source"),
                 ("output_usd_per_mtok", "price_source"), ("mmlu", "mmlu_source")],
        ranges=[("input_usd_per_mtok", 1e-4, 1e3), ("output_usd_per_mtok", 1e-4, 1e3),
                ("mmlu", 0, 100)],
        dates=("price_date",), label="model")


def load_chip_trends(path: Path | None = None) -> pd.DataFrame:
    """Sourced doubling times of chip price-performance (``data/chip_trends.csv``), validated."""
    path = DATA_DIR / "chip_trends.csv" if path is None else Path(path)
    return _sourced_table(
        path, ["quantity", "unit", "source", "quote", "notes"],
        ["value", "interval_low", "interval_high"], sourced=[("value", "source")], ranges=[("value", 1e-3, 1e3)], dates=(),
        label="quantity")


# What a row of data/field_rates.csv says about its quantity, and the units its value may be in.
RATE_DIRECTIONS = ("doubles", "halves", "lag")
RATE_UNITS = ("days", "months", "years", "factor")
RATE_EVIDENCE = ("primary", "secondary")


def load_field_rates(path: Path | None = None) -> pd.DataFrame:
    """Measured rates of AI progress beside the densing law (``data/field_rates.csv``), validated:
    a source and a quote on every row, a known direction, unit and kind of evidence, a positive
    value inside its interval, and ``factor_years`` (the years a ``factor`` is over) exactly where
    the unit is a factor."""
    path = DATA_DIR / "field_rates.csv" if path is None else Path(path)
    text = ["rate", "measures", "direction", "unit", "interval", "period", "evidence", "source",
            "quote"]
    table = _sourced_table(path, text, ["value", "interval_low", "interval_high", "factor_years"],
                           sourced=[("value", "source"), ("value", "quote")],
                           ranges=[("value", 1e-3, 1e4), ("interval_low", 1e-3, 1e4),
                                   ("interval_high", 1e-3, 1e4), ("factor_years", 0.1, 100)],
                           dates=(), label="rate")
    for column, allowed in (("direction", RATE_DIRECTIONS), ("unit", RATE_UNITS),
                            ("evidence", RATE_EVIDENCE)):
        bad = table[~table[column].isin(allowed)]
        if len(bad):
            raise ValueError(f"{path.name}: {column} = {bad[column].iloc[0]!r} (rate "
                             f"{bad['rate'].iloc[0]}) is not one of {allowed}")
    for _, row in table.iterrows():
        if row[["value", "interval"]].isna().any():
            raise ValueError(f"{path.name}: rate {row['rate']} needs a value and an interval kind "
                             "('no interval published' where there is none)")
        low, high = row["interval_low"], row["interval_high"]
        if pd.isna(low) != pd.isna(high) or (pd.notna(low) and not low <= row["value"] <= high):
            raise ValueError(f"{path.name}: interval [{low}, {high}] of {row['rate']} must hold "
                             f"its value {row['value']} (both ends, or neither)")
        if (row["unit"] == "factor") != pd.notna(row["factor_years"]):
            raise ValueError(f"{path.name}: factor_years of {row['rate']} must be given exactly "
                             "when the unit is 'factor'")
        if row["unit"] == "factor" and not min(row["value"], low if pd.notna(low) else 2) > 1:
            raise ValueError(f"{path.name}: value = {row['value']} and interval_low = {low} of "
                             f"{row['rate']} are factors and must exceed 1")
    return table


def load_critiques(path: Path | None = None) -> pd.DataFrame:
    """Numbers of the works that question or extend the densing law (``data/critiques.csv``),
    validated: a source and a quote beside every value, primary or secondary said, and a value
    inside its interval where one is given. Indexed by ``(work, quantity)``."""
    path = DATA_DIR / "critiques.csv" if path is None else Path(path)
    text = ["work", "quantity", "unit", "interval", "evidence", "source", "quote"]
    table = _sourced_table(path, text, ["value", "interval_low", "interval_high"],
                           sourced=[("value", "source"), ("value", "quote")],
                           ranges=[("value", -1e4, 1e4)], dates=(), label="quantity")
    bad = table[~table["evidence"].isin(RATE_EVIDENCE)]
    if len(bad):
        raise ValueError(f"{path.name}: evidence = {bad['evidence'].iloc[0]!r} (quantity "
                         f"{bad['quantity'].iloc[0]}) is not one of {RATE_EVIDENCE}")
    low, high = table["interval_low"], table["interval_high"]
    wrong = table[(low.isna() != high.isna()) | (low > table["value"]) | (high < table["value"])]
    if len(wrong):
        raise ValueError(f"{path.name}: interval of {wrong['quantity'].iloc[0]} must hold its "
                         "value (both ends, or neither)")
    if table.duplicated(["work", "quantity"]).any():
        raise ValueError(f"{path.name}: a work and quantity appear twice")
    return table.set_index(["work", "quantity"])


# Why a 2026 release gives the paper's instrument nothing to measure (data/unseen_2026.csv).
UNSEEN_REASONS = ("no open base weights", "only variants", "base scores not readable",
                  "no base scores published")


def load_unseen(path: Path | None = None) -> pd.DataFrame:
    """Open releases of 2026 with no usable base-model scores on the paper's benchmarks
    (``data/unseen_2026.csv``), validated: a known ``reason``, a followable source on every row,
    and release dates (where given) in 2026."""
    path = DATA_DIR / "unseen_2026.csv" if path is None else Path(path)
    text = ["model", "family", "release_date", "release_date_note", "reason", "reports_instead",
            "source"]
    table = _sourced_table(path, text, [], sourced=[], ranges=[], dates=(), label="model")
    bad = table[~table["reason"].isin(UNSEEN_REASONS)]
    if len(bad):
        raise ValueError(f"{path.name}: reason = {bad['reason'].iloc[0]!r} (model "
                         f"{bad['model'].iloc[0]}) is not one of {UNSEEN_REASONS}")
    unsourced = table[table["source"].fillna("").str.strip().eq("")]
    if len(unsourced):
        raise ValueError(f"{path.name}: model {unsourced['model'].iloc[0]} has no source")
    dates = pd.to_datetime(table["release_date"], format="%Y-%m-%d", errors="coerce")
    wrong = table[table["release_date"].notna() & ~dates.dt.year.eq(2026)]
    if len(wrong):
        raise ValueError(f"{path.name}: release_date = {wrong['release_date'].iloc[0]!r} (model "
                         f"{wrong['model'].iloc[0]}) must be a 2026 date YYYY-MM-DD")
    return table.assign(release_date=dates)
