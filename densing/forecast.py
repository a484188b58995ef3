"""Does the law predict? Fit eq. 5 on the models released up to a cutoff, forecast the maximum
density after it with a prediction interval, and score the forecast against the later models,
and against simple alternatives: no growth, the paper's rate, the line through the last two
records (``forecasters``, ``baseline_scores``, ``baseline_verdicts``).

The reference (the measuring instrument) is the same before and after the cutoff, so a density
means the same thing on both sides; only the trend is fitted on the past.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from densing.analysis import Analysis, Specification, analyse
from densing.data import load_paper_values
from densing.resample import ReferenceDraws, draw_references, uncertainty
from densing.robustness import JOURNAL_CUTOFF, PAPER_CUTOFF
from densing.trend import envelope_mask

HORIZON_MONTHS = 12  # how far past the cutoff a forecast is scored
LEVEL = 0.95
# Half a year before the paper's cutoff, the paper's cutoff, and the journal version's.
CUTOFFS = ("2024-04-30", PAPER_CUTOFF, JOURNAL_CUTOFF)
# The book's headline, and the paper's own sample for the fit: five-benchmark averages of
# reported scores, as the paper prioritises (§3.1); one uniform evaluation of every model is not
# available after mid-2024 (ObsScaling's models end there).
FORECAST_SPECS = {"headline": Specification(), "the paper's models": Specification(models="paper")}


@dataclass(frozen=True)
class Forecast:
    """A trend fitted up to ``cutoff`` and its forecast of the maximum density up to ``end``."""

    fit: Analysis  # the analysis of the models released up to the cutoff
    cutoff: pd.Timestamp
    end: pd.Timestamp
    lines: np.ndarray  # (draws, 2): A and B of eq. 5, reference refitted and the models' scatter
    # about each refit's line resampled (``Uncertainty.A_combined``); draws without a line dropped
    scatter: float  # standard deviation of the record-setters about the fitted line (ln ρ)
    later: pd.DataFrame  # models released after the cutoff up to ``end``, scored
    best_at_cutoff: float  # the highest density of any model released up to the cutoff
    seed: int = 0
    failed_draws: int = 0  # draws of ``lines`` in which no line could be fitted (dropped)
    # the models that set a new maximum density when released, up to the cutoff (the same models
    # as ``best_at_cutoff``): model, release_date, rho; the last is ``best_at_cutoff``
    records_before: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def band(self, dates: pd.Series | pd.DatetimeIndex, level: float = LEVEL,
             source: str = "combined") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Forecast of the maximum density at ``dates``: the fitted line and a prediction interval
        (the line's uncertainty, plus the scatter of records about it). ``source``: "combined"
        (``lines``: the reference refitted and the models' scatter resampled) or "models" (the
        models' scatter alone, the reference fixed: ``fit.trend``'s bootstrap lines), to see how
        much of the width the reference contributes."""
        if source == "combined":
            lines = self.lines
        elif source == "models":
            lines = np.column_stack([self.fit.trend.bootstrap_A, self.fit.trend.bootstrap_B])
            lines = lines[np.isfinite(lines).all(axis=1)]
        else:
            raise ValueError(f"source = {source!r} is not 'combined' or 'models'")
        t = ((pd.DatetimeIndex(dates) - self.fit.trend.origin) / pd.Timedelta(days=1)).to_numpy()
        if not len(lines):  # no draws (n_boot or n_draws = 0): no interval
            return self.fit.trend.predict(dates), np.full(t.shape, np.nan), np.full(t.shape, np.nan)
        noise = np.random.default_rng(self.seed).normal(0.0, self.scatter, (len(lines), 1))
        draws = lines[:, :1] * t[None, :] + lines[:, 1:] + noise
        tail = (1 - level) / 2 * 100
        low, high = np.percentile(draws, [tail, 100 - tail], axis=0)
        return self.fit.trend.predict(dates), np.exp(low), np.exp(high)

    def records(self) -> pd.DataFrame:
        """The later models that set a new maximum density when released, with their verdicts."""
        return self.later[self.later["record"]].reset_index(drop=True)

    def summary(self) -> dict[str, object]:
        """The forecast at the end of the horizon against the highest density reached by then."""
        line, low, high = (v[0] for v in self.band(pd.DatetimeIndex([self.end])))
        reached = max(self.best_at_cutoff, self.later["rho"].max()) if len(self.later) else \
            self.best_at_cutoff
        records = self.records()
        return {"cutoff": self.cutoff.date(), "models fitted": len(self.fit.used),
                "doubling (days)": self.fit.trend.doubling_days,
                "later models": len(self.later), "new records": len(records),
                "records inside": int((records["verdict"] == "inside").sum()),
                "forecast at end": line, "forecast low": low, "forecast high": high,
                "highest reached by end": reached,
                "end verdict": _verdict(reached, low, high),
                "draws without a line": self.failed_draws}


def forecast(spec: Specification, cutoff: str, horizon_months: int = HORIZON_MONTHS,
             n_draws: int = 500, seed: int = 0,
             draws: ReferenceDraws | None = None) -> Forecast:
    """Fit ``spec``'s trend on models released up to ``cutoff`` and score its forecast against the
    models released in the following ``horizon_months`` that ``spec`` would put in a trend (any
    model, not only the paper's). ``draws`` reuses reference refits of an equal reference."""
    fit = analyse(spec.replace(window=(spec.window[0], cutoff)))
    bands = uncertainty(fit, n_draws, seed, draws=draws)
    lines = np.column_stack([bands.A_combined, bands.B_combined])
    everyone = analyse(spec.replace(models="all", window=(None, None), n_boot=0)).used
    return forecast_from(fit, lines, everyone, cutoff, horizon_months, seed)


def forecast_from(fit: Analysis, lines: np.ndarray, everyone: pd.DataFrame, cutoff: str,
                  horizon_months: int = HORIZON_MONTHS, seed: int = 0) -> Forecast:
    """The forecast of a trend fitted up to ``cutoff`` (``fit``: anything with a ``trend``, a
    ``TrendFit``, and the ``used`` models), ``lines`` (draws × 2: A and B; rows with NaN are
    dropped and counted) and ``everyone`` (model, release_date, n_b, rho: every model whose
    maximum is forecast, before and after the cutoff). ``forecast`` builds it from a
    specification; a test can build it from synthetic models."""
    cutoff_ts = pd.Timestamp(cutoff)
    end = cutoff_ts + pd.DateOffset(months=horizon_months)
    failed = int((~np.isfinite(lines).all(axis=1)).sum())
    lines = lines[np.isfinite(lines).all(axis=1)]
    envelope = fit.trend.envelope
    t = ((envelope["release_date"] - fit.trend.origin) / pd.Timedelta(days=1)).to_numpy()
    residuals = np.log(envelope["density"].to_numpy()) - (fit.trend.A * t + fit.trend.B)
    scatter = float(np.sqrt((residuals ** 2).sum() / max(len(residuals) - 2, 1)))
    past = everyone[everyone["release_date"] <= cutoff_ts]
    earlier = float(past["rho"].max())
    days = ((past["release_date"] - cutoff_ts) / pd.Timedelta(days=1)).to_numpy()
    records_before = past[envelope_mask(days, past["rho"].to_numpy())].sort_values(
        "release_date")[["model", "release_date", "rho"]].reset_index(drop=True)
    result = Forecast(fit=fit, cutoff=cutoff_ts, end=end, lines=lines, scatter=scatter,
                      later=pd.DataFrame(), best_at_cutoff=earlier, seed=seed,
                      failed_draws=failed, records_before=records_before)
    later = everyone[(everyone["release_date"] > cutoff_ts) & (everyone["release_date"] <= end)]
    later = later.sort_values(["release_date", "rho"], ascending=[True, False])
    best = np.maximum.accumulate(np.r_[earlier, later["rho"].to_numpy()])[:-1]
    line, low, high = result.band(later["release_date"])
    later = later[["model", "release_date", "n_b", "rho"]].assign(
        record=later["rho"].to_numpy() > best, forecast=line, low=low, high=high)
    later["verdict"] = [_verdict(r, lo, hi) for r, lo, hi in
                        zip(later["rho"], later["low"], later["high"], strict=True)]
    return dataclasses.replace(result, later=later.reset_index(drop=True))


def forecasts(spec: Specification, cutoffs: tuple[str, ...], **kwargs) -> dict[str, Forecast]:
    """``forecast`` for every cutoff, sharing one set of reference refits (the reference does not
    depend on the cutoff)."""
    n_draws, seed = kwargs.pop("n_draws", 500), kwargs.get("seed", 0)
    draws = draw_references(analyse(spec.replace(n_boot=0)), n_draws, seed)
    return {c: forecast(spec, c, n_draws=n_draws, draws=draws, **kwargs) for c in cutoffs}


# The book's headline sees no model of 2026 (each lacks a score, or is a mixture of experts): the
# specification that scores 2026 takes the median of at least three per-benchmark densities and
# counts mixtures of experts by their total parameters, as every density in the book does.
SEES_2026 = Specification(aggregate="median", moe="total")
END_2026 = "2026-11-30"  # the 2026 models in data/models.csv were sought up to November 2026


def forecasts_to(spec: Specification, cutoffs: tuple[str, ...], end: str = END_2026,
                 n_draws: int = 500, seed: int = 0) -> dict[str, Forecast]:
    """``forecast`` from every cutoff to the same ``end`` (a month end), sharing one set of
    reference refits: the forecasts ``baseline_scores(..., since=...)`` scores on one year."""
    stop = pd.Timestamp(end)
    if stop != stop + pd.offsets.MonthEnd(0):
        raise ValueError(f"end = {end!r} must be the last day of a month")
    late = [c for c in cutoffs if pd.Timestamp(c) >= stop]
    if late:
        raise ValueError(f"cutoff = {late[0]!r} is not before end = {end!r}")
    draws = draw_references(analyse(spec.replace(n_boot=0)), n_draws, seed)
    out = {}
    for cutoff in cutoffs:
        start = pd.Timestamp(cutoff)
        months = (stop.year - start.year) * 12 + stop.month - start.month
        out[cutoff] = forecast(spec, cutoff, horizon_months=months, n_draws=n_draws, seed=seed,
                               draws=draws)
    return out


def scored_on(runs: dict[str, Forecast], since: str) -> pd.DataFrame:
    """Per cutoff of ``runs`` (``forecasts_to``): the models released from ``since`` that the
    forecast scores, how many set a new maximum density, the highest density among them, the
    maximum reached by the end, and the law's forecast for the end with its interval and whether
    the maximum fell inside it."""
    rows = []
    for cutoff, fc in runs.items():
        seen = fc.later[fc.later["release_date"] >= pd.Timestamp(since)]
        line, low, high = (v[0] for v in fc.band(pd.DatetimeIndex([fc.end])))
        reached = max(fc.best_at_cutoff, float(fc.later["rho"].max())) if len(fc.later) \
            else fc.best_at_cutoff
        best = seen.loc[seen["rho"].idxmax()] if len(seen) else None
        rows.append({"cutoff": cutoff, "models scored": len(seen),
                     "new records": int(seen["record"].sum()),
                     "densest": "" if best is None else best["model"],
                     "its density": np.nan if best is None else float(best["rho"]),
                     "maximum by the end": reached, "law's forecast for the end": line,
                     "95% interval": f"{low:.3g} to {high:.3g}", "inside": low <= reached <= high})
    return pd.DataFrame(rows)


def growth_after(spec: Specification, start: str) -> Analysis:
    """The trend of every model ``spec`` admits that was released after ``start``: has the
    maximum density kept growing, and how fast?"""
    after = (pd.Timestamp(start) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return analyse(spec.replace(models="all", window=(after, None)))


def _verdict(rho: float, low: float, high: float) -> str:
    return "inside" if low <= rho <= high else ("above" if rho > high else "below")


def scorecard(runs: dict[str, dict[str, Forecast]]) -> pd.DataFrame:
    """Every later record of every forecast (``runs[spec][cutoff]``): where it fell."""
    rows = [record.assign(specification=label, cutoff=f"{fc.cutoff:%Y-%m-%d}")
            for label, by_cutoff in runs.items() for fc in by_cutoff.values()
            for record in [fc.records()] if len(record)]
    columns = ["specification", "cutoff", "model", "release_date", "rho", "forecast", "low",
               "high", "verdict"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def summaries(runs: dict[str, dict[str, Forecast]]) -> pd.DataFrame:
    """One row per specification and cutoff: ``Forecast.summary``."""
    return pd.DataFrame([{"specification": label, **fc.summary()}
                         for label, by_cutoff in runs.items() for fc in by_cutoff.values()])


# --- Against what? The law's forecast beside simple alternatives ---------------------------------

LAW = "the law as fitted"
FORECASTERS = (LAW, "no growth", "the paper's rate", "the last two records")
PAPER_VERSION = "arXiv v2 (2024)"


def paper_rate(version: str = PAPER_VERSION) -> float:
    """The paper's A of eq. 5 (per day; arXiv v2 §3.3: A ≈ 0.0073) from data/paper_values.csv."""
    values = load_paper_values()
    row = values[(values["version"] == version) & (values["quantity"] == "A")]
    if len(row) != 1 or not np.isfinite(row["value"].iloc[0]):
        raise ValueError(f"data/paper_values.csv has no single A for {version!r}")
    return float(row["value"].iloc[0])


def interval_score(y, low, high, level: float = LEVEL) -> np.ndarray:
    """The interval score of a central ``level`` interval ``[low, high]`` for the outcome ``y``
    (Gneiting & Raftery 2007, JASA 102:359, eq. 43), with α = 1 − level:

        IS = (u − l) + (2/α)(l − y)·1[y < l] + (2/α)(y − u)·1[y > u].

    Lower is better. It is a proper scoring rule: the width is paid for always, a miss in
    proportion to its distance, so neither a narrow interval that misses nor a wide one that
    covers everything scores well by construction. Arrays broadcast; the book passes ln ρ."""
    y, low, high = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (y, low, high)))
    if np.any(high < low):
        raise ValueError("an interval has high < low")
    alpha = 1.0 - level
    return (high - low) + 2 / alpha * np.clip(low - y, 0, None) \
        + 2 / alpha * np.clip(y - high, 0, None)


def scoring_points(fc: Forecast) -> pd.DataFrame:
    """Where a forecast is scored: the release date of each later record-setter, with its density
    (the maximum density from that day), and the end of the horizon, with the highest density
    reached by then."""
    records = fc.records()
    reached = max(fc.best_at_cutoff, float(fc.later["rho"].max())) if len(fc.later) else \
        fc.best_at_cutoff
    return pd.DataFrame({
        "point": [*records["model"], "end of the horizon"],
        "date": pd.DatetimeIndex([*records["release_date"], fc.end]),
        "observed": np.r_[records["rho"].to_numpy(dtype=float), reached]})


def forecasters(fc: Forecast, dates, rate: float | None = None,
                level: float = LEVEL) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Four forecasts of ln ρ_max at ``dates``: (point, low, high) of a central ``level`` interval.

    - the law as fitted: eq. 5's line ``A·t + B`` fitted up to the cutoff, and its prediction
      interval (``Forecast.band``: the line's uncertainty plus the records' scatter about it);
    - no growth: ln ρ_max stays at the highest density at the cutoff, ``ln ρ_c``;
    - the paper's rate: ``ln ρ_c + A_paper·(t − t_c)``, ``A_paper`` = ``rate`` (default
      ``paper_rate()``, 0.0073 per day), the line through the highest density at the cutoff;
    - the last two records: the line through the last two models before the cutoff that set a new
      maximum density, extrapolated (its slope ``Δ ln ρ / Δt`` between them).

    The alternatives take their lines as given; their interval is the line ± z·s, s the standard
    deviation of the records about the law's fitted line (``Forecast.scatter``, the same scatter
    the law's own interval adds), z the normal quantile: the one spread of records about a line
    that the past gives, so the intervals differ in their centres, and the law's also by its
    line's uncertainty."""
    rate = paper_rate() if rate is None else rate
    dates = pd.DatetimeIndex(dates)
    t = ((dates - fc.cutoff) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    top = np.log(fc.best_at_cutoff)
    lines = {"no growth": np.full_like(t, top), "the paper's rate": top + rate * t}
    last = fc.records_before.tail(2)
    if len(last) == 2:
        (d1, d2), (r1, r2) = last["release_date"], np.log(last["rho"].to_numpy(dtype=float))
        slope = (r2 - r1) / ((d2 - d1) / pd.Timedelta(days=1))
        lines["the last two records"] = r2 + slope * ((dates - d2) / pd.Timedelta(days=1)
                                                      ).to_numpy(dtype=float)
    else:
        lines["the last two records"] = np.full_like(t, np.nan)
    half = NormalDist().inv_cdf(0.5 + level / 2) * fc.scatter
    line, low, high = fc.band(dates, level)
    out = {LAW: (np.log(line), np.log(low), np.log(high))}
    out.update({name: (centre, centre - half, centre + half) for name, centre in lines.items()})
    return out


def scored_points(fc: Forecast, rate: float | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Every forecaster at every scoring point (``scoring_points``), in ρ, with the log error of
    its point forecast, ``ln ρ̂ − ln ρ`` (positive: too high), and the interval score of its
    interval on ln ρ (``interval_score``)."""
    where = scoring_points(fc)
    y = np.log(where["observed"].to_numpy())
    rows = []
    for name, (point, low, high) in forecasters(fc, where["date"], rate, level).items():
        rows.append(where.assign(
            forecaster=name, forecast=np.exp(point), low=np.exp(low), high=np.exp(high),
            log_error=point - y, interval_score=interval_score(y, low, high, level),
            inside=(low <= y) & (y <= high)))
    return pd.concat(rows, ignore_index=True)


def baseline_scores(runs: dict[str, dict[str, Forecast]], rate: float | None = None,
                    level: float = LEVEL, since: str | None = None) -> pd.DataFrame:
    """The law against the alternatives, one row per specification, cutoff and forecaster:
    points scored (later records and the end of the horizon), the mean absolute log error of the
    point forecast (|ln ρ̂ − ln ρ|, lower is better), the absolute log error at the end of the
    horizon (against the highest density reached), the mean interval score (Gneiting & Raftery
    2007, on ln ρ; lower is better), how many points fell inside the interval, and the interval's
    width at the end of the horizon in orders of magnitude (log10 high/low). ``since`` (a date)
    keeps only the points from that day on."""
    rows = []
    for label, by_cutoff in runs.items():
        for fc in by_cutoff.values():
            points = scored_points(fc, rate, level)
            if since is not None:
                points = points[points["date"] >= pd.Timestamp(since)].reset_index(drop=True)
            end = points["point"] == "end of the horizon"
            for name, group in points.groupby("forecaster", sort=False):
                at_end = group[end[group.index]].iloc[0]
                rows.append({
                    "specification": label, "cutoff": f"{fc.cutoff:%Y-%m-%d}", "forecaster": name,
                    "points scored": len(group),
                    "mean abs log error": float(group["log_error"].abs().mean()),
                    "abs log error at end": float(abs(at_end["log_error"])),
                    "mean interval score": float(group["interval_score"].mean()),
                    "points inside": int(group["inside"].sum()),
                    "interval width at end (orders of magnitude)":
                        float(np.log10(at_end["high"] / at_end["low"]))})
    return pd.DataFrame(rows)


def _best(group: pd.DataFrame, column: str) -> str:
    """The forecaster(s) with the lowest ``column``: ties (to 1e-9) joined with " and "."""
    low = group[column].min()
    return " and ".join(group.loc[np.isclose(group[column], low, rtol=0, atol=1e-9),
                                  "forecaster"])


def baseline_verdicts(scores: pd.DataFrame) -> pd.DataFrame:
    """Per specification and cutoff (a table of ``baseline_scores``): which forecaster has the
    lowest mean absolute log error, the lowest mean interval score and the lowest log error at the
    end of the horizon (ties joined with " and "); where the law ranks on the first two (1 = best
    of the four); and its interval width at the end beside the widest of the others' (orders of
    magnitude)."""
    rows = []
    for (label, cutoff), group in scores.groupby(["specification", "cutoff"], sort=False):
        law = group[group["forecaster"] == LAW].iloc[0]
        others = group[group["forecaster"] != LAW]
        width = "interval width at end (orders of magnitude)"
        rows.append({
            "specification": label, "cutoff": cutoff,
            "best point forecast": _best(group, "mean abs log error"),
            "best interval forecast": _best(group, "mean interval score"),
            "best at the end": _best(group, "abs log error at end"),
            "law's rank, log error": int((group["mean abs log error"]
                                          < law["mean abs log error"]).sum()) + 1,
            "law's rank, interval score": int((group["mean interval score"]
                                               < law["mean interval score"]).sum()) + 1,
            "law's width": float(law[width]), "widest other": float(others[width].max())})
    return pd.DataFrame(rows)


# --- The tables of chapter 7's going-deeper blocks -----------------------------------------------

def score_coverage(models: pd.DataFrame, start: str) -> pd.DataFrame:
    """How many of the models released after ``start`` report each of the paper's five
    benchmarks, and how many of those are mixtures of experts (``models``: data/models.csv)."""
    from densing.data import BENCHMARKS

    after = models[models["release_date"] > pd.Timestamp(start)]
    moe = after["architecture"] == "moe"
    return pd.DataFrame({
        "benchmark": list(BENCHMARKS),
        "models with the score": [int(after[b].notna().sum()) for b in BENCHMARKS],
        "of them mixture-of-experts": [int(after.loc[moe, b].notna().sum()) for b in BENCHMARKS]})


def aggregate_trends(results: dict[str, Analysis], start: str) -> pd.DataFrame:
    """One row per way of combining a model's benchmarks (``results``: label -> its analysis):
    models in the trend, how many released after ``start``, the doubling time and its 95% interval
    (models' scatter resampled, basic bootstrap; the high end is inf when A's interval reaches 0),
    R², and the last record-setter with its release date."""
    rows = []
    for label, result in results.items():
        trend, used = result.trend, result.used
        low, high = trend.doubling_days_ci
        last = result.envelope_models.iloc[-1]
        rows.append({"density": label, "models": len(used),
                     "released after the cutoff": int((used["release_date"]
                                                       > pd.Timestamp(start)).sum()),
                     "doubling (days)": float(trend.doubling_days), "low": float(low),
                     "high": float(high), "R²": float(trend.r2), "last record": last["model"],
                     "released": last["release_date"]})
    return pd.DataFrame(rows)


def aggregate_ratios(results: dict[str, Analysis], base: str) -> pd.DataFrame:
    """How the other aggregates' densities compare with ``base``'s on the models ``base`` puts in
    its trend: the 10th, 50th and 90th percentiles of the ratio of densities (geometric, on
    ln ρ), and the Spearman correlation of the two orders."""
    used = results[base].used.set_index("model")["rho"]
    compare = pd.DataFrame({label: result.densities.set_index("model")["rho"]
                            for label, result in results.items()}).loc[used.index]
    rows = []
    for label in results:
        if label == base:
            continue
        low, mid, high = np.exp(np.percentile(np.log(compare[label] / compare[base]),
                                              [10, 50, 90]))
        rows.append({"density": label, "ratio, 10th percentile": float(low),
                     "ratio, median": float(mid), "ratio, 90th percentile": float(high),
                     "Spearman correlation": float(compare[base].corr(compare[label],
                                                                      method="spearman"))})
    return pd.DataFrame(rows)


def growth_table(specs: dict[str, Specification], start: str) -> pd.DataFrame:
    """Did the maximum density keep growing after ``start``? Per specification (label -> spec):
    the highest density of the models released up to ``start``; the models released after it,
    the highest of them, by whom and when; the doubling time implied by those two points (inf
    without growth); the doubling time of the line through the record-setters after ``start``
    (``growth_after``) with its 95% interval (basic bootstrap), the number of those
    record-setters, and how many of the bootstrap draws gave no line."""
    rows = []
    for label, spec in specs.items():
        before = analyse(spec.replace(window=(None, start), n_boot=0)).used["rho"].max()
        later = growth_after(spec, start)
        best = later.used.loc[later.used["rho"].idxmax()]
        days = (best["release_date"] - pd.Timestamp(start)).days
        low, high = later.trend.doubling_days_ci
        rows.append({
            "density": label, "models after the cutoff": len(later.used),
            "highest before": float(before), "highest after": float(best["rho"]),
            "by": best["model"], "released": best["release_date"],
            "doubling implied (days)": float(np.log(2) * days / np.log(best["rho"] / before))
            if best["rho"] > before else np.inf,
            "doubling after the cutoff (days)": float(later.trend.doubling_days),
            "low": float(low), "high": float(high),
            "record-setters after the cutoff": len(later.envelope_models),
            "draws without a line": int(later.trend.failed_draws),
            "draws": len(later.trend.bootstrap_A)})
    return pd.DataFrame(rows)


def moe_densities(models: pd.DataFrame, views: dict[str, Analysis]) -> pd.DataFrame:
    """The mixtures of experts of ``models`` (data/models.csv) that have a density, with their
    total and active parameter counts (billions) and their density in each view (``views``:
    e.g. "total" and "active" -> the analysis with ``moe`` set so)."""
    rows = models[models["architecture"] == "moe"][["model", "release_date", "params_b",
                                                    "params_active_b"]].copy()
    for view, result in views.items():
        rows[f"density by {view} parameters"] = rows["model"].map(
            result.densities.set_index("model")["rho"])
    first = f"density by {next(iter(views))} parameters"
    return rows.dropna(subset=[first]).reset_index(drop=True)
