"""Does the law predict? Fit eq. 5 on the models released up to a cutoff, forecast the maximum
density after it with a prediction interval, and score the forecast against the later models.

The reference (the measuring instrument) is the same before and after the cutoff, so a density
means the same thing on both sides; only the trend is fitted on the past.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from densing.analysis import Analysis, Specification, analyse
from densing.resample import ReferenceDraws, draw_references, uncertainty
from densing.robustness import JOURNAL_CUTOFF, PAPER_CUTOFF

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
    cutoff_ts = pd.Timestamp(cutoff)
    end = cutoff_ts + pd.DateOffset(months=horizon_months)
    fit = analyse(spec.replace(window=(spec.window[0], cutoff)))
    bands = uncertainty(fit, n_draws, seed, draws=draws)
    lines = np.column_stack([bands.A_combined, bands.B_combined])
    failed = int((~np.isfinite(lines).all(axis=1)).sum())
    lines = lines[np.isfinite(lines).all(axis=1)]
    envelope = fit.trend.envelope
    t = ((envelope["release_date"] - fit.trend.origin) / pd.Timedelta(days=1)).to_numpy()
    residuals = np.log(envelope["density"].to_numpy()) - (fit.trend.A * t + fit.trend.B)
    scatter = float(np.sqrt((residuals ** 2).sum() / max(len(residuals) - 2, 1)))
    everyone = analyse(spec.replace(models="all", window=(None, None), n_boot=0)).used
    earlier = float(everyone[everyone["release_date"] <= cutoff_ts]["rho"].max())
    result = Forecast(fit=fit, cutoff=cutoff_ts, end=end, lines=lines, scatter=scatter,
                      later=pd.DataFrame(), best_at_cutoff=earlier, seed=seed,
                      failed_draws=failed)
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
