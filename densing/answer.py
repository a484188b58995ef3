"""The answer, on one page: each claim of the paper beside the book's number, its interval and a
verdict, every cell computed with the functions the chapters use.

``gather()`` runs everything once (about ten seconds); ``claims(evidence)`` turns it into one
``Claim`` per claim of the paper; ``answer_table(claims)`` is the tidy table the page shows and
``as_myst(table)`` its MyST Markdown, each row linked to its chapter.

How a verdict is decided (``verdict``), one rule each:

- **holds**: the paper's value lies inside our narrow interval (the reference held fixed), or the
  paper's statement is true of our estimates;
- **holds with a wider interval**: the paper's value lies inside our wide interval only (the
  reference refitted as well);
- **does not hold**: the paper's value lies outside both intervals, or its statement is false of
  our estimates;
- **cannot be tested here**: we have no estimate, or the paper claims a change and our narrow
  interval contains both its value and no change at all.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from densing.analysis import Analysis, Specification, analyse
from densing.corollaries import (CHATGPT, PriceTrend, SplitTrend, combined_doubling_days,
                                 compression_table, compression_verdicts, mmlu_densities,
                                 price_trend, split_trend)
from densing.data import BENCHMARKS, load_chip_trends, load_models, load_paper_values, load_prices
from densing.forecast import Forecast, forecasts, summaries
from densing.resample import Uncertainty, uncertainty
from densing.robustness import (JOURNAL_CUTOFF, NOT_DEFENDED, PAPER_CUTOFF, SPECIFICATIONS,
                                doubling_times)
from densing.trend import DAYS_PER_MONTH

VERDICTS = ("holds", "holds with a wider interval", "does not hold", "cannot be tested here")
RULES = {
    "holds": "the paper's value lies inside our narrow interval (the reference held fixed), or "
             "its statement is true of our estimates",
    "holds with a wider interval": "the paper's value lies inside our wide interval only (the "
                                   "reference refitted as well)",
    "does not hold": "the paper's value lies outside both intervals, or its statement is false of "
                     "our estimates",
    "cannot be tested here": "we have no estimate, or the paper claims a change and our interval "
                             "contains both its value and no change",
}
COLUMNS = ("claim", "paper", "where in the paper", "ours", "interval (what it covers)", "verdict",
           "chapter")
ARXIV = "arXiv v2 (2024)"
JOURNAL = "journal (2025)"
# Chapter 5's reading of the per-model claims (its section "The paper's claims, one by one").
MATCH_POINTS = 1.0  # "matches": an average score at most this many points lower
DENSEST_RANK = 3  # "near the top": among the three densest of the paper's models
# Chapter 9's chip trend: Epoch AI's GPUs used in ML research, the source the paper's 2.1 years
# cites (data/chip_trends.csv).
ML_GPUS = "GPUs used in ML research, FP32 FLOP/s per $ (n=26)"
# The compressed models the paper finds denser than their parents (§3.4; chapter 9).
PAPER_DENSER = ("Gemma-2-9B",)
LEVEL = 95  # percent, every interval of the table
# Short link texts for the table's chapter column (the sidebar's names, shortened).
CHAPTER_NAMES = {"densing-law": "Step 5", "corollaries": "Implications", "forecast": "Forecasts"}


def verdict(value: float | None = None, narrow: tuple[float, float] | None = None,
            wide: tuple[float, float] | None = None, *, null: float | None = None,
            check: bool | None = None) -> str:
    """The verdict on one claim (the rules are ``RULES``).

    A number: ``value`` is the paper's, ``narrow`` and ``wide`` our intervals (``wide`` defaults
    to ``narrow``); ``null`` is the value of "no change" when the paper claims one. A statement:
    ``check`` is True or False as our estimates make it, None when we have none.
    """
    if value is None and narrow is None:  # a statement
        return VERDICTS[3] if check is None else VERDICTS[0] if check else VERDICTS[2]
    if value is None or narrow is None or not np.isfinite(value) or np.isnan(narrow).any():
        return VERDICTS[3]
    wide = narrow if wide is None else wide
    if null is not None and narrow[0] <= null <= narrow[1]:
        return VERDICTS[3]
    if narrow[0] <= value <= narrow[1]:
        return VERDICTS[0]
    if wide[0] <= value <= wide[1]:
        return VERDICTS[1]
    return VERDICTS[2]


@dataclass(frozen=True)
class Claim:
    """One claim of the paper beside our number; ``narrow`` and ``wide`` are the intervals the
    verdict reads (None for a statement), in the unit of ``ours``."""

    key: str
    claim: str
    paper: str
    where: str
    ours: str
    interval: str
    verdict: str
    chapter: str  # the label of the chapter that computes it
    paper_value: float = float("nan")
    ours_value: float = float("nan")
    narrow: tuple[float, float] | None = None
    wide: tuple[float, float] | None = None


@dataclass(frozen=True)
class Evidence:
    """Everything the table reads, computed once with the chapters' own functions."""

    headline: Analysis  # analyse(Specification()): chapter 5
    bands: Uncertainty  # uncertainty(headline): chapter 5's intervals
    across: pd.DataFrame  # doubling_times of the defended SPECIFICATIONS: chapter 5's range
    paper: pd.Series  # data/paper_values.csv, value by (version, quantity)
    sources: pd.Series  # its source, by (version, quantity)
    models: pd.DataFrame  # data/models.csv
    prices: PriceTrend  # price_trend of the input price: chapter 9
    chip_years: float
    split: SplitTrend  # MMLU-only trends before and after ChatGPT: chapter 9
    early: pd.DataFrame  # the MMLU-only densities released before ChatGPT
    compression: pd.DataFrame  # compression_table(): chapter 9
    forecast: Forecast  # the headline's Forecast from the paper's cutoff: chapter 7
    forecast_summary: pd.Series  # its row of densing.forecast.summaries

    @property
    def defended(self) -> pd.Series:
        """Doubling days by specification, the rows the book defends (chapter 5's range)."""
        keep = ~self.across["specification"].isin(NOT_DEFENDED)
        return self.across[keep].set_index("specification")["doubling (days)"]


def gather(n_draws: int = 500) -> Evidence:
    """Run what the table needs, as the chapters run it (``n_draws`` reference refits)."""
    headline = analyse(Specification())
    paper_values = load_paper_values().set_index(["version", "quantity"])
    prices = load_prices()
    mmlu = mmlu_densities()
    runs = {"headline": forecasts(Specification(), (PAPER_CUTOFF,), n_draws=n_draws)}
    summary = summaries(runs).iloc[0]
    return Evidence(
        headline=headline, bands=uncertainty(headline, n_draws),
        across=doubling_times({label: spec for label, spec in SPECIFICATIONS.items()
                               if label not in NOT_DEFENDED}), paper=paper_values["value"],
        sources=paper_values["source"], models=load_models(),
        prices=price_trend(prices, prices["input_usd_per_mtok"]),
        chip_years=float(load_chip_trends().set_index("quantity").loc[ML_GPUS, "value"]),
        split=split_trend(mmlu), early=mmlu[mmlu["release_date"] < CHATGPT],
        compression=compression_table(n_draws), forecast=runs["headline"][PAPER_CUTOFF],
        forecast_summary=summary)


def where(source: str) -> str:
    """Where in the paper a value of ``data/paper_values.csv`` is printed, from its source cell:
    "§3.3", "Highlights", or "journal, secondary source" for a figure read only in reports of the
    journal version."""
    if source.startswith("secondary"):
        return "journal, secondary source"
    found = re.search(r"Highlights|Sec\.\s*(\d+(?:\.\d+)*)|Figure\s*(\d+)", source)
    if not found:
        return ""
    if found.group(1):
        return f"§{found.group(1)}"
    return f"Fig. {found.group(2)}" if found.group(2) else "Highlights"


JOIN = "\u2060"  # word joiner: a table cell never breaks an interval after its dash
SCATTER = "(scatter)"
WITH_REFERENCE = "(+\u00a0reference)"


def span(low: float, high: float, digits: str = ".0f") -> str:
    """An interval as "low–high" (unbroken), "low to no bound" when it is open above."""
    if not np.isfinite(high):
        return f"{format(low, digits)} to no bound"
    return f"{format(low, digits)}–{JOIN}{format(high, digits)}"


def plain(text: str) -> str:
    """``text`` without the word joiners and no-break spaces that keep table cells unbroken."""
    return text.replace(JOIN, "").replace("\u00a0", " ")


def number(value: float) -> str:
    """A density or a count for a table cell: three significant digits, powers of ten above
    100,000 ("2e10", not "20000000000")."""
    if not np.isfinite(value):
        return "no bound"
    if abs(value) >= 1e5:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _decimals(value: float) -> int:
    """Decimals of ``value`` as the paper prints it (266.7 -> 1, 95 -> 0)."""
    text = f"{value:g}"
    return len(text.split(".")[1]) if "." in text else 0


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    """The central ``LEVEL``% of ``values``, as chapter 9 takes it (``np.percentile``)."""
    lo, hi = np.percentile(values, [(100 - LEVEL) / 2, 100 - (100 - LEVEL) / 2])
    return float(lo), float(hi)


def doubling_claims(ev: Evidence) -> list[Claim]:
    """The law's rate as the paper prints it three times, R² beside ours."""
    trend = ev.headline.trend
    narrow, wide = ev.bands.interval("models"), ev.bands.interval("combined")
    days = ev.paper[(ARXIV, "doubling_days")]
    A = ev.paper[(ARXIV, "A")]
    rows = [Claim(
        "doubling_days", "Doubling time of the maximum density", f"{days:g} days (A {A:g}/day)",
        where(ev.sources[(ARXIV, "doubling_days")]),
        f"{trend.doubling_days:.0f} days (A {trend.A:.4f})",
        f"{span(*narrow)} {SCATTER}, {span(*wide)} {WITH_REFERENCE} days",
        verdict(days, narrow, wide), "densing-law", days, trend.doubling_days, narrow, wide)]
    months_narrow = tuple(d / DAYS_PER_MONTH for d in narrow)
    months_wide = tuple(d / DAYS_PER_MONTH for d in wide)
    journal = f", journal version (data to {pd.Timestamp(JOURNAL_CUTOFF):%B %Y})"
    for key, version, label in (("doubling_months", ARXIV, ""),
                                ("journal_months", JOURNAL, journal)):
        months = ev.paper[(version, "doubling_months")]
        rows.append(Claim(
            key, f"The same, in months{label}", f"{months:g} months",
            where(ev.sources[(version, "doubling_months")]), f"{trend.doubling_months:.1f} months",
            f"{span(*months_narrow, '.1f')} {SCATTER}, {span(*months_wide, '.1f')} "
            f"{WITH_REFERENCE}",
            verdict(months, months_narrow, months_wide), "densing-law", months,
            trend.doubling_months, months_narrow, months_wide))
    r2, r2_high = ev.paper[(ARXIV, "r2")], ev.paper[(ARXIV, "r2_highlights")]
    rows.append(Claim(
        "r2", "A straight line fits the record-setters (R²)",
        f"{r2:g} ({r2_high:g} in Highlights)", where(ev.sources[(ARXIV, "r2")]),
        f"{trend.r2:.2f}", "none; high by construction", verdict(check=bool(trend.r2 >= r2)),
        "densing-law", r2, trend.r2))
    return rows


def model_claims(ev: Evidence) -> list[Claim]:
    """Chapter 5's per-model claims, read as it reads them: on the average density of the paper's
    models that have one (point estimates), Llama-1's with the reference refitted beside it."""
    density = ev.headline.densities.set_index("model")
    rho = density["rho"]
    paper_rho = rho[density["in_paper"]].dropna().sort_values(ascending=False)
    rank = {model: position + 1 for position, model in enumerate(paper_rho.index)}
    n = len(paper_rho)
    bound = ev.paper[(ARXIV, "llama1_density_max")]
    llama1 = paper_rho[paper_rho.index.str.startswith("Llama-1")]
    rows = ev.headline.densities[ev.headline.densities["model"].isin(llama1.index)]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a draw that places no Llama-1 model
        highest = np.nanmax(ev.bands.draws.model_densities(rows, ev.headline.spec), axis=1)
    low, high = _percentiles(highest[np.isfinite(highest)])
    top = ev.paper[(ARXIV, "density_gemma2_9b_minicpm3_4b")]
    top_where = where(ev.sources[(ARXIV, "density_gemma2_9b_minicpm3_4b")])
    fraction = ev.paper[(ARXIV, "param_fraction_minicpm_vs_mistral")]
    pair = ev.models.set_index("model").loc[["MiniCPM-1-2.4B", "Mistral-7B"]]
    average = pair[list(BENCHMARKS)].mean(axis=1)
    share = pair["params_b"].iloc[0] / pair["params_b"].iloc[1]
    minicpm3 = density.loc["MiniCPM-3-4B"]
    return [
        Claim("llama1", "Llama-1's density", f"below {bound:g}",
              where(ev.sources[(ARXIV, "llama1_density_max")]),
              f"{llama1.max():.3f} ({llama1.idxmax()})",
              f"{number(low)}–{JOIN}{number(high)} (reference)",
              verdict(check=bool((llama1 < bound).all())), "densing-law", bound,
              float(llama1.max()), (low, high)),
        Claim("gemma2_9b", "Gemma-2-9B is among the densest", f"density ≈ {top:g}",
              top_where, f"rank {rank['Gemma-2-9B']} of {n} ({rho['Gemma-2-9B']:.2f})",
              "none; point estimates", verdict(check=rank["Gemma-2-9B"] <= DENSEST_RANK),
              "densing-law", top, float(rho["Gemma-2-9B"])),
        Claim("minicpm3_4b", "MiniCPM-3-4B is among the densest", f"density ≈ {top:g}",
              top_where, f"no density ({_first_clause(minicpm3['reason'])})", "none",
              verdict(check=None if np.isnan(minicpm3["rho"]) else rank.get("MiniCPM-3-4B", n)
                      <= DENSEST_RANK), "densing-law", top, float(minicpm3["rho"])),
        Claim("llama31_405b", "Llama-3.1-405B, the largest, is not the densest",
              "not the densest", "Fig. 1, as plotted",
              f"rank {rank['Llama-3.1-405B']} of {n} ({rho['Llama-3.1-405B']:.2f})",
              "none; point estimates", verdict(check=rank["Llama-3.1-405B"] > 1), "densing-law",
              ours_value=float(rho["Llama-3.1-405B"])),
        Claim("minicpm_mistral",
              "MiniCPM-1-2.4B matches Mistral-7B with fewer parameters",
              f"{fraction:g}% of its parameters",
              where(ev.sources[(ARXIV, "param_fraction_minicpm_vs_mistral")]),
              f"{share:.0%} of its parameters, score {average.iloc[0]:.1f} vs "
              f"{average.iloc[1]:.1f}", "none; reported scores",
              verdict(check=bool(average.iloc[0] >= average.iloc[1] - MATCH_POINTS)),
              "densing-law", fraction, 100 * share),
    ]


def corollary_claims(ev: Evidence) -> list[Claim]:
    """Chapter 9's corollaries: prices, density × chips, ChatGPT, compression."""
    price = ev.prices
    halving = ev.paper[(ARXIV, "price_halving_months")]
    fold = ev.paper[(ARXIV, "price_reduction_factor")]
    half_unit = 0.5 * 10 ** -_decimals(fold)  # "exact": ours rounds to the paper's print
    first, last = price.cheapest["since"].iloc[0], price.cheapest["since"].iloc[-1]
    moore = ev.paper[(ARXIV, "effective_size_doubling_days")]
    A = ev.headline.trend.A
    combined = float(combined_doubling_days(A, ev.chip_years))
    draws = {source: getattr(ev.bands, f"A_{source}") for source in ("models", "combined")}
    moore_narrow, moore_wide = (_percentiles(combined_doubling_days(d[np.isfinite(d)],
                                                                    ev.chip_years))
                                for d in draws.values())
    before, after = ev.paper[(ARXIV, "A_mmlu_before_chatgpt")], ev.paper[(ARXIV,
                                                                          "A_mmlu_after_chatgpt")]
    split = ev.split
    verdicts = compression_verdicts(ev.compression)
    denser = tuple(verdicts.loc[verdicts["denser than its parent"], "model"])
    n_children = len(verdicts)
    by_model = ev.compression.set_index("model")
    ends = {"mean score": ("low", "high"), "median": ("median low", "median high")}
    overlap = sum(max(by_model.loc[[r.model, r.parent], ends[r.measure][0]])
                  <= min(by_model.loc[[r.model, r.parent], ends[r.measure][1]])
                  for r in verdicts.itertuples())
    return [
        Claim("price_halving", "Halving time of GPT-3.5-level API prices",
              f"{halving:g} months", where(ev.sources[(ARXIV, "price_halving_months")]),
              f"{price.halving_months:.1f} months",
              f"{span(*price.halving_months_ci, '.1f')} (price scatter)",
              verdict(halving, price.halving_months_ci), "corollaries", halving,
              price.halving_months, price.halving_months_ci),
        Claim("price_fold", "Their fall, from GPT-3.5's price to the cheapest", f"{fold:g}×",
              where(ev.sources[(ARXIV, "price_reduction_factor")]),
              f"{price.fold:.{_decimals(fold)}f}× ({first:%b %Y} to {last:%b %Y})",
              "none; two list prices",
              verdict(fold, (price.fold - half_unit, price.fold + half_unit)), "corollaries",
              fold, price.fold, (price.fold - half_unit, price.fold + half_unit)),
        Claim("density_x_chips",
              "Doubling time of capability per dollar (density × chips)",
              f"{moore:g} days", where(ev.sources[(ARXIV, "effective_size_doubling_days")]),
              f"{combined:.0f} days", f"{span(*moore_narrow)} {SCATTER}, {span(*moore_wide)} "
              f"{WITH_REFERENCE} days", verdict(moore, moore_narrow, moore_wide), "corollaries",
              moore, combined, moore_narrow, moore_wide),
        Claim("after_chatgpt", "Density grew faster after ChatGPT (MMLU only)",
              f"×{after / before:.2f} (A {before:g} → {after:g})",
              where(ev.sources[(ARXIV, "A_mmlu_before_chatgpt")]),
              f"×{split.ratio:.2f} (A {split.before.A:.4f} → {split.after.A:.4f})",
              f"{span(*split.ratio_ci, '.2f')} (slopes' scatter)",
              verdict(after / before, split.ratio_ci, null=1.0), "corollaries", after / before,
              split.ratio, split.ratio_ci),
        Claim("compression", "Pruning and distillation rarely make a model denser",
              f"{len(PAPER_DENSER)} of {n_children} ({', '.join(PAPER_DENSER)})", "§3.4",
              f"{len(denser)} of {n_children} ({', '.join(denser) or 'none'})",
              f"overlaps the parent's for {overlap} of {n_children} (reference)",
              verdict(check=set(denser) == set(PAPER_DENSER)), "corollaries",
              len(PAPER_DENSER), len(denser)),
    ]


def forecast_claim(ev: Evidence) -> Claim:
    """Chapter 7's question, from the paper's cutoff: does the highest density reached a year
    later lie inside the law's prediction interval? (The paper makes no forecast.)"""
    fc, row = ev.forecast, ev.forecast_summary
    end = pd.DatetimeIndex([fc.end])
    narrow = tuple(float(v[0]) for v in fc.band(end, source="models")[1:])
    wide = (float(row["forecast low"]), float(row["forecast high"]))
    reached = float(row["highest reached by end"])
    return Claim(
        "forecast", f"Fitted up to {fc.cutoff:%B %Y}, the law forecasts the maximum a year on",
        "implied; not tested", "—",
        f"{number(reached)} reached (forecast {number(row['forecast at end'])})",
        f"{number(narrow[0])}–{JOIN}{number(narrow[1])} {SCATTER}, {number(wide[0])}–{JOIN}"
        f"{number(wide[1])} {WITH_REFERENCE}", verdict(reached, narrow, wide), "forecast",
        ours_value=reached, narrow=narrow, wide=wide)


def claims(ev: Evidence | None = None) -> list[Claim]:
    """Every claim of the table, in the order the page shows them."""
    ev = gather() if ev is None else ev
    return [*doubling_claims(ev), *model_claims(ev), *corollary_claims(ev), forecast_claim(ev)]


def answer_table(rows: list[Claim]) -> pd.DataFrame:
    """The tidy table: one row per claim (index: its key), the columns of ``COLUMNS``."""
    return pd.DataFrame([[r.claim, r.paper, r.where, r.ours, r.interval, r.verdict, r.chapter]
                         for r in rows], columns=list(COLUMNS),
                        index=pd.Index([r.key for r in rows], name="key"))


def as_myst(table: pd.DataFrame, labels: dict[str, str] | None = None) -> str:
    """``table`` as a MyST Markdown table without its index, the chapter of each row a ``{ref}``
    to its label (rendered as the chapter's title, or as ``labels[label]`` where given)."""
    labels = labels or {}

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        cells = [cell(v) for v in row[:-1]]
        label = row[-1]
        cells.append(f"{{ref}}`{labels[label]} <{label}>`" if label in labels
                     else f"{{ref}}`{label}`")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def counts(rows: list[Claim]) -> dict[str, int]:
    """How many claims get each verdict (every verdict listed, zero included)."""
    found = pd.Series([r.verdict for r in rows]).value_counts()
    return {v: int(found.get(v, 0)) for v in VERDICTS}


def _first_clause(text: str) -> str:
    """The first clause of a reason ("no base scores published; ..." -> "no base scores
    published")."""
    return re.split(r"[;:(]", str(text), maxsplit=1)[0].strip()


def numbers(ev: Evidence, rows: list[Claim]) -> dict[str, object]:
    """The numbers and words the page's prose states, by glue name (each computed here, so the
    sentences say what the table says)."""
    by_key = {r.key: r for r in rows}
    trend, defended = ev.headline.trend, ev.defended
    narrow, wide = ev.bands.interval("models"), ev.bands.interval("combined")
    paper_days = float(ev.paper[(ARXIV, "doubling_days")])
    llama1 = by_key["llama1"]
    bound = llama1.paper_value
    chatgpt = by_key["after_chatgpt"]
    corollaries = [r for r in rows if r.chapter == "corollaries"]
    forecast = by_key["forecast"]
    tally = counts(rows)
    fc = ev.forecast
    return {
        "days": trend.doubling_days, "months": trend.doubling_months,
        "days_lo": narrow[0], "days_hi": narrow[1], "days_combined_lo": wide[0],
        "days_combined_hi": wide[1], "paper_days": paper_days,
        "paper_inside": "lies inside" if narrow[0] <= paper_days <= narrow[1] else (
            "lies outside" if not wide[0] <= paper_days <= wide[1] else
            "lies outside, though inside the wider interval,"),
        "across_lo": float(defended.min()), "across_hi": float(defended.max()),
        "n_across": len(defended), "factor": float(defended.max() / defended.min()),
        "r2": trend.r2,
        "llama1_lo": llama1.narrow[0], "llama1_hi": llama1.narrow[1],
        "llama1_bound": f"{bound:g}",
        "llama1_side": "on both sides of" if llama1.narrow[0] < bound < llama1.narrow[1] else (
            "below" if llama1.narrow[1] < bound else "above"),
        "n_corollaries": len(corollaries),
        "n_corollaries_hold": sum(r.verdict == VERDICTS[0] for r in corollaries),
        "chatgpt_verdict": chatgpt.verdict,
        "ratio_lo": chatgpt.narrow[0],
        "ratio_hi": "no upper bound" if not np.isfinite(chatgpt.narrow[1]) else
                    f"{chatgpt.narrow[1]:.2f}",
        "n_early": len(ev.early), "n_early_open": int(ev.early["open_weights"].sum()),
        "forecast_cutoff": f"{fc.cutoff:%B %Y}",
        "forecast_line": float(ev.forecast_summary["forecast at end"]),
        "forecast_reached": forecast.ours_value,
        "forecast_inside": "inside" if forecast.narrow[0] <= forecast.ours_value
                           <= forecast.narrow[1] else "outside",
        "forecast_span": float(np.log10(forecast.narrow[1] / forecast.narrow[0])),
        "n_claims": len(rows), "n_hold": tally[VERDICTS[0]], "n_wider": tally[VERDICTS[1]],
        "n_fail": tally[VERDICTS[2]], "n_untested": tally[VERDICTS[3]],
        "price_months": ev.prices.halving_months,
        "paper_price_months": f"{ev.paper[(ARXIV, 'price_halving_months')]:g}",
    }
