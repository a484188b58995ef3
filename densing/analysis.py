"""One analysis of the densing law, configured by a ``Specification``.

Chapters, tests and the command line all go through ``analyse(spec)``: a chapter changes a choice
by changing a field, never by re-wiring references. The defaults are the book's headline.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from densing._checks import as_count, check_d0, check_flag
from densing._fit import FitWarning
from densing.benchmarks import FLOORS, c4_loss_law
from densing.data import BENCHMARKS, DATA_DIR, check_sources, load_ladder, load_models
from densing.ladder import fit_one_step_reference, ladder_runs
from densing.loss_law import LossLaw
from densing.performance import PerformanceCurve
from densing.reference import Reference
from densing.trend import ESTIMATORS, TrendFit, fit_trend

# ObsScaling's harness columns. Its BBH and MATH are the Open LLM Leaderboard v2 variants, so they
# keep their own names and never fill the paper's `bbh` and `math` columns.
UNIFORM_BENCHMARKS = ("mmlu", "humaneval", "bbh_leaderboard", "math_hard_leaderboard")
ALL_FLOORS = {**FLOORS, "bbh_leaderboard": None, "math_hard_leaderboard": 0.0}
# How a model's benchmarks become one density: the density of its mean score (the paper's; it needs
# every benchmark), or the geometric mean or the median of its per-benchmark densities (they need
# only some; the median is not carried away by one benchmark read near the reference's reach).
AGGREGATES = ("mean_score", "geometric", "median")
MIN_BENCHMARKS = 3  # the per-benchmark aggregates' default: at least three of the five benchmarks
CHOICES = {"scores": ("reported", "uniform"), "panel": ("models", "obsscaling", "both"),
           "reference": ("c4_panel", "task_loss", "one_step"),
           "params": ("total", "non_embedding"), "estimator": ESTIMATORS, "models": ("all", "paper"), "aggregate": AGGREGATES,
           "moe": ("exclude", "total", "active")}
# The ObsScaling row of this model gives its training tokens in billions; it is never used.
OBSSCALING_UNUSABLE = ("cerebras/btlm-3b-8k-base",)
# ObsScaling's mixture-of-experts families (its params_b is their active count): the step-2 panel
# is dense models only, as in models.csv. Sources: DeepSeekMoE (arXiv:2401.06066), DeepSeek-V2
# (arXiv:2405.04434), DeepSeek-Coder-V2 (arXiv:2406.11931), Mixtral (arXiv:2401.04088), Jamba
# (arXiv:2403.19887), each paper's abstract.
OBSSCALING_MOE_FAMILIES = ("DeepSeek-MoE", "DeepSeek-V2", "DeepSeek-Coder-V2", "Mixtral", "Jamba")
LADDER_REFERENCES = ("task_loss", "one_step")  # fitted on the OLMo ladder's MMLU, no panel
SCORE = "score"  # the key of the aggregate reference: the mean of the specification's benchmarks


@dataclass(frozen=True)
class Specification:
    """Every choice the analysis makes; the defaults are the book's headline (chapter 5)."""

    benchmarks: tuple[str, ...] = BENCHMARKS  # densities of the mean of these scores
    scores: str = "reported"  # "reported" (models.csv) or "uniform" (ObsScaling harness)
    panel: str = "models"  # step-2 panel: "models", "obsscaling" or "both"
    reference: str = "c4_panel"  # C4 loss law + panel curve, or, from the ladder's MMLU only,
    # "task_loss" (eq. 2 on its answer loss + eq. 3) or "one_step" (eq. 2's form on -ln accuracy)
    irreducible: bool = False  # eq. 2 with an irreducible term E
    D0: float = 1e12  # training tokens of the reference models the densities are read at
    params: str = "total"  # parameter count densities divide by: "total" or "non_embedding"
    estimator: str = "envelope"  # "envelope", "ols" on all models, or "quantile" (q = 0.9)
    models: str = "all"  # models the trend follows: "all" or "paper" (its Figure 1)
    window: tuple[str | None, str | None] = (None, None)  # release dates kept, inclusive
    aggregate: str = "mean_score"  # "mean_score" (the paper's), or "geometric" or "median" of
    # the per-benchmark densities
    min_benchmarks: int = MIN_BENCHMARKS  # per-benchmark aggregates: placeable benchmarks needed
    moe: str = "exclude"  # mixture-of-experts models: "exclude", or in the trend by "total" or
    # "active" parameters (the reference itself is fitted on dense models only)
    exclude: tuple[str, ...] = ()  # models left out of the trend (not of the reference)
    alternative_scores: tuple[str, ...] = ()  # models scored from data/alternative_scores.csv
    n_boot: int = 2000  # model resamples for the trend's interval
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("benchmarks", "exclude", "alternative_scores"):
            value = getattr(self, name)
            try:
                names = (value,) if isinstance(value, str) else tuple(value)
            except TypeError:
                raise ValueError(f"{name} = {value!r} must be a tuple of names") from None
            if not all(isinstance(v, str) for v in names):
                raise ValueError(f"{name} = {value!r} must be a tuple of names")
            object.__setattr__(self, name, names)
        for name in ("n_boot", "seed"):  # plain ints, so that equal specifications hash alike
            object.__setattr__(self, name, as_count(name, getattr(self, name)))
        for name, choices in CHOICES.items():
            if not isinstance(getattr(self, name), str) or getattr(self, name) not in choices:
                raise ValueError(f"{name} = {getattr(self, name)!r} is not one of {choices}")
        allowed = UNIFORM_BENCHMARKS if self.scores == "uniform" else BENCHMARKS
        if self.panel != "models":
            allowed = tuple(b for b in allowed if b in UNIFORM_BENCHMARKS)
        if self.reference in LADDER_REFERENCES:
            allowed = ("mmlu",)
        if not self.benchmarks or len(set(self.benchmarks)) < len(self.benchmarks):
            raise ValueError(f"benchmarks = {self.benchmarks!r} must be distinct and non-empty")
        for b in self.benchmarks:
            if b not in allowed:
                raise ValueError(f"benchmarks = {b!r} is not available with scores="
                                 f"{self.scores!r}, panel={self.panel!r}, reference="
                                 f"{self.reference!r}; choose from {allowed}")
        if self.reference in LADDER_REFERENCES and self.panel != "models":
            raise ValueError(f"panel = {self.panel!r} has no effect with reference="
                             f"{self.reference!r} (it has no panel); leave panel='models'")
        if self.params == "non_embedding" and self.panel != "models":
            raise ValueError(f"params = 'non_embedding' needs panel='models': panel = "
                             f"{self.panel!r} publishes no non-embedding counts")
        check_flag("irreducible", self.irreducible)
        check_d0(self.D0)
        if isinstance(self.window, str) or not isinstance(self.window, (tuple, list)) \
                or len(self.window) != 2:
            raise ValueError(f"window = {self.window!r} must be (start, end): dates 'YYYY-MM-DD' "
                             "or None")
        object.__setattr__(self, "window", tuple(self.window))
        for end in self.window:
            if end is not None and not (isinstance(end, str) and _is_iso_date(end)):
                raise ValueError(f"window = {end!r} must be a date 'YYYY-MM-DD' or None")
        if None not in self.window and self.window[0] > self.window[1]:
            raise ValueError(f"window = {self.window!r} starts after it ends")
        object.__setattr__(self, "min_benchmarks", as_count("min_benchmarks", self.min_benchmarks))
        if self.min_benchmarks < 1:
            raise ValueError(f"min_benchmarks = {self.min_benchmarks!r} must be an integer >= 1")
        if self.aggregate != "mean_score" and self.min_benchmarks > len(self.benchmarks):
            raise ValueError(f"min_benchmarks = {self.min_benchmarks} is more than the "
                             f"{len(self.benchmarks)} benchmarks of the specification")
        if self.aggregate == "mean_score" and self.min_benchmarks != MIN_BENCHMARKS:
            raise ValueError(f"min_benchmarks = {self.min_benchmarks} has no effect with "
                             "aggregate='mean_score' (the mean needs every benchmark)")
        if self.moe == "active" and self.params != "total":
            raise ValueError(f"moe = 'active' needs params='total', not {self.params!r}")

    def replace(self, **changes) -> Specification:
        """A copy with ``changes`` applied (and validated)."""
        return dataclasses.replace(self, **changes)

    def describe(self) -> str:
        """The fields that differ from the default, e.g. ``"estimator=ols; D0=4e+12"``."""
        default = Specification()
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                text = ", ".join(str(v) for v in value) if isinstance(value, tuple) else (
                    f"{value:g}" if isinstance(value, float) else str(value))
                parts.append(f"{f.name}={text}")
        return "; ".join(parts) or "default"


@dataclass(frozen=True)
class Analysis:
    """The result of ``analyse``: references, every model's density (or the reason it has none),
    and the trend."""

    spec: Specification
    references: dict[str, Reference]  # one per benchmark and, with several, the mean ("score")
    densities: pd.DataFrame  # every model: rho and reason (empty where it is in the trend)
    trend: TrendFit
    panel: pd.DataFrame = field(repr=False)  # the step-2 points (models or ladder checkpoints)

    @property
    def reference(self) -> Reference:
        """The reference the densities of the trend come from (the mean's, or the benchmark's)."""
        return self.references[SCORE]

    @property
    def used(self) -> pd.DataFrame:
        """The models the trend was fitted to, in the order ``fit_trend`` saw them."""
        return self.densities[self.densities["in_trend"]].reset_index(drop=True)

    @property
    def envelope_models(self) -> pd.DataFrame:
        """The record-setting models: name, release date and density."""
        return self.used.loc[self.trend.envelope["position"], ["model", "release_date", "rho"]
                             ].reset_index(drop=True)


def analyse(spec: Specification | None = None) -> Analysis:
    """Run the whole analysis for ``spec`` (default: the book's headline)."""
    spec = Specification() if spec is None else spec
    table = model_table(spec)
    unknown = sorted(set(spec.exclude) - set(table["model"]))
    if unknown:
        raise ValueError(f"exclude = {unknown[0]!r} is not a model in data/models.csv")
    references, panel = fit_references(spec)
    densities = density_table(spec, table, references)
    used = densities[densities["in_trend"]]
    trend = fit_trend(used["release_date"], used["rho"], estimator=spec.estimator,
                      n_boot=spec.n_boot, seed=spec.seed)
    return Analysis(spec=spec, references=references, densities=densities, trend=trend,
                    panel=panel)


def model_table(spec: Specification) -> pd.DataFrame:
    """``data/models.csv`` with the specification's scores, parameter count ``n_b`` (billions)
    and aggregate ``score``."""
    table = load_models()
    if spec.alternative_scores:
        alternative = load_alternative_scores()
        missing = sorted(set(spec.alternative_scores) - set(alternative["model"]))
        if missing:
            raise ValueError(f"alternative_scores = {missing[0]!r} has no row in "
                             "data/alternative_scores.csv")
        for row in alternative[alternative["model"].isin(spec.alternative_scores)].itertuples():
            table.loc[table["model"] == row.model, row.benchmark] = row.value
    if spec.scores == "uniform":
        uniform = _obsscaling().set_index(hub_key(_obsscaling()["hub_id"]))
        hub = hub_key(table["hub_id"])
        for b in BENCHMARKS:
            table[b] = np.nan
        for b in UNIFORM_BENCHMARKS:
            table[b] = hub.map(uniform[b])
    size = "params_b" if spec.params == "total" else "params_non_embedding_b"
    table["n_b"] = table[size]
    if spec.moe == "active":
        moe = table["architecture"] == "moe"
        table.loc[moe, "n_b"] = table.loc[moe, "params_active_b"]
    table[SCORE] = table[list(spec.benchmarks)].mean(axis=1, skipna=False)
    return table


def reference_key(spec: Specification) -> Specification:
    """``spec`` with only the fields its references depend on: the others change which models
    count, how the line is fitted, or at which D0 the same fitted constants are read."""
    return spec.replace(D0=1e12, models="all", window=(None, None), exclude=(),
                        estimator="envelope", n_boot=0, seed=0)


def fit_references(spec: Specification) -> tuple[dict[str, Reference], pd.DataFrame]:
    """Step 1 and step 2 for every benchmark of ``spec`` (and their mean), and the step-2 points.

    Constants that end on a bound are recorded in ``on_bound`` of the law and curves.
    """
    law, curves, points = _fitted_references(reference_key(spec))
    return {k: Reference(law, c, D0=spec.D0) for k, c in curves.items()}, points.copy()


@lru_cache(maxsize=None)
def _fitted_references(key: Specification
                       ) -> tuple[LossLaw, dict[str, PerformanceCurve], pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        if key.reference == "task_loss":
            law, curve, points = _task_loss_reference(key.irreducible)
            return law, {"mmlu": curve, SCORE: curve}, points
        if key.reference == "one_step":
            ref = fit_one_step_reference(_ladder(), "mmlu", percent=True,
                                         irreducible=key.irreducible)
            return ref.law, {"mmlu": ref.curve, SCORE: ref.curve}, ladder_runs(_ladder(), "mmlu")
        law = _c4_law(key.irreducible)
        rows = panel_rows(key, model_table(key))
        x = law.predict(rows["n_b"] * 1e9, rows["train_tokens_t"] * 1e12)
        rows = rows.assign(reference_loss=x)
        curves: dict[str, PerformanceCurve] = {}
        for b in key.benchmarks:
            ok = rows[b].notna()
            curves[b] = PerformanceCurve.fit(x[ok], rows.loc[ok, b], floor=ALL_FLOORS[b],
                                             ceiling=100.0)
        if len(key.benchmarks) > 1:
            ok = rows[SCORE].notna()
            floor = float(np.mean([curves[b].floor for b in key.benchmarks]))
            curves[SCORE] = PerformanceCurve.fit(x[ok], rows.loc[ok, SCORE], floor=floor,
                                                 ceiling=100.0)
        else:
            curves[SCORE] = curves[key.benchmarks[0]]
    return law, curves, rows


def panel_rows(spec: Specification, table: pd.DataFrame) -> pd.DataFrame:
    """The dense models with known size, tokens and at least one of the benchmarks, and no
    instruction-style data in their base: step 2's panel.

    Columns ``model``, ``source`` ("models" or "obsscaling"), ``n_b``, ``train_tokens_t``, the
    benchmarks and ``score``.
    """
    columns = ["n_b", "train_tokens_t", *spec.benchmarks, SCORE]
    parts = []
    if spec.panel in ("models", "both"):
        # A reference model is plainly pre-trained: a base its report says was trained on
        # instruction-style data (base_instruction_data yes or likely) would lift the curve.
        plain = ~table.get("base_instruction_data", pd.Series("", index=table.index)).isin(
            ("yes", "likely"))
        own = table[(table["architecture"] == "dense") & plain].assign(source="models")
        parts.append(own[["model", "hub_id", "source", *columns]])
    if spec.panel in ("obsscaling", "both"):
        obs = _obsscaling()
        obs = obs[~obs["hub_id"].isin(OBSSCALING_UNUSABLE)
                  & ~obs["family"].isin(OBSSCALING_MOE_FAMILIES)].assign(
            model=obs["hub_id"], source="obsscaling", n_b=obs["params_b"])
        obs[SCORE] = obs[list(spec.benchmarks)].mean(axis=1, skipna=False)
        if spec.panel == "both":  # a model in both tables counts once, with the book's scores
            obs = obs[~hub_key(obs["hub_id"]).isin(set(hub_key(table["hub_id"])))]
        parts.append(obs[["model", "hub_id", "source", *columns]])
    rows = pd.concat(parts, ignore_index=True)
    keep = rows[["n_b", "train_tokens_t"]].notna().all(axis=1) & rows[
        list(spec.benchmarks)].notna().any(axis=1)
    return rows[keep].reset_index(drop=True)


def hub_key(hub_ids: pd.Series) -> pd.Series:
    """The key that joins models.csv to ObsScaling: the Hugging Face id (its first word), lower
    case, and Meta's renamed repositories under one name ('meta-llama/Meta-Llama-3.1-8B' is now
    'meta-llama/Llama-3.1-8B'; the hub redirects the old name)."""
    key = hub_ids.fillna("").str.split(" ").str[0].str.lower()
    return key.str.replace(r"^meta-llama/meta-llama-", "meta-llama/llama-", regex=True)


def density_table(spec: Specification, table: pd.DataFrame,
                  references: dict[str, Reference]) -> pd.DataFrame:
    """Every model's density on each benchmark and on the aggregate, with reasons; nothing dropped.

    Columns: the scores, ``rho_<benchmark>``/``why_<benchmark>``, ``score``, ``rho``, ``reason`` (empty
    for models in the trend), ``in_trend`` and ``rho_on_curve`` (the density of a model that scores
    exactly what the reference predicts for its N and D).
    """
    out = table[["model", "release_date", "architecture", "in_paper", "n_b", "train_tokens_t",
                 *spec.benchmarks, SCORE]].copy()
    size = table["n_b"] * 1e9
    no_size = ("no parameter count" if spec.params == "total"
               else "no non-embedding count published")
    for key, ref in references.items():
        if key == SCORE and spec.aggregate != "mean_score":
            continue
        values = table[key]
        low, high = ref.score_range
        rho = ref.density(values.fillna(-1.0), size.fillna(1e9), errors="coerce")  # masked below
        near, near_top = ref.near_floor, ref.near_top
        no_score = ("no score" if key != SCORE or len(spec.benchmarks) == 1
                    else f"fewer than {len(spec.benchmarks)} scores")
        reason = np.select(
            [size.isna(), values.isna(), values <= low, values < near, values >= high,
             values > near_top],
            [no_size, no_score, f"at or below the floor ({low:.1f})",
             f"near the floor (< {near:.1f}), uninformative",
             f"beyond reach of a reference trained on D0 tokens (>= {high:.1f})",
             f"near the top of the reach (> {near_top:.1f}), uninformative"], default="")
        name = "rho" if key == SCORE else f"rho_{key}"
        out[name] = np.where(reason == "", rho, np.nan)
        out["reason" if key == SCORE else f"why_{key}"] = reason
    if spec.aggregate != "mean_score":
        out["n_benchmarks"] = np.isfinite(out[[f"rho_{b}" for b in spec.benchmarks]]).sum(axis=1)
        out["rho"] = combine_densities(out[[f"rho_{b}" for b in spec.benchmarks]].to_numpy(float),
                                       spec)
        out["reason"] = np.where(size.isna(), no_size, np.where(
            out["rho"].notna(), "", f"fewer than {spec.min_benchmarks} placeable scores"))
    start, end = (pd.Timestamp(d) if d else None for d in spec.window)
    dates = out["release_date"]
    outside = dates.notna() & (((dates < start) if start is not None else False)
                               | ((dates > end) if end is not None else False))
    trend_reason = np.select(
        [(out["architecture"] == "moe") & (spec.moe == "exclude"), dates.isna(),
         (spec.models == "paper") & ~out["in_paper"].astype(bool), outside,
         out["model"].isin(spec.exclude)],
        ["mixture-of-experts", "no release date", "not one of the paper's models",
         "released outside the window", "excluded by the specification"], default="")
    # A candidate would enter the trend if a reference could place its score: the reference
    # bootstrap re-decides that for every refitted reference.
    placeable = (out["n_benchmarks"] >= spec.min_benchmarks if spec.aggregate != "mean_score"
                 else out[SCORE].notna())
    out["candidate"] = (trend_reason == "") & size.notna() & placeable
    out["reason"] = np.where(out["reason"] != "", out["reason"], trend_reason)
    out["in_trend"] = out["reason"] == ""
    law = references[SCORE].law
    known = size.notna() & table["train_tokens_t"].notna()
    on_curve = law.params_for(law.predict(size.where(known, 1e9),  # placeholders, masked below
                                          (table["train_tokens_t"] * 1e12).where(known, 1e12)),
                              spec.D0) / size.where(known, 1e9)
    out["rho_on_curve"] = np.where(known, on_curve, np.nan)
    return out


def combine_densities(rho: np.ndarray, spec: Specification) -> np.ndarray:
    """One density per row of per-benchmark densities ``rho`` (last axis: the benchmarks, NaN
    where a reference cannot place the score): their geometric mean or median (taken on log
    densities: with an even count, the geometric mean of the middle two), as ``spec.aggregate``
    says, where at least ``spec.min_benchmarks`` are placeable; NaN elsewhere."""
    log_rho = np.log(rho)
    finite = np.isfinite(log_rho)
    placed = finite.sum(axis=-1)
    enough = placed >= spec.min_benchmarks
    if spec.aggregate == "geometric":
        combined = np.where(finite, log_rho, 0.0).sum(axis=-1) / np.maximum(placed, 1)
    else:
        ordered = np.sort(np.where(finite, log_rho, np.inf), axis=-1)  # placeable ones first
        k = np.maximum(placed, 1)
        low = np.take_along_axis(ordered, ((k - 1) // 2)[..., None], -1)[..., 0]
        high = np.take_along_axis(ordered, (k // 2)[..., None], -1)[..., 0]
        combined = (low + high) / 2
    return np.where(enough, np.exp(np.where(enough, combined, 0.0)), np.nan)


def load_alternative_scores() -> pd.DataFrame:
    """Scores of some models from one uniform table (``data/alternative_scores.csv``)."""
    table = pd.read_csv(DATA_DIR / "alternative_scores.csv")
    bad = table[~table["benchmark"].isin(BENCHMARKS)]
    if len(bad):
        raise ValueError(f"alternative_scores.csv: benchmark = {bad['benchmark'].iloc[0]!r} is "
                         f"not one of {BENCHMARKS}")
    if not table["value"].between(0, 100).all() or table["source"].isna().any():
        raise ValueError("alternative_scores.csv: values must be in [0, 100], each with a source")
    check_sources(table, "alternative_scores.csv", "model")
    return table


@lru_cache(maxsize=None)
def _obsscaling() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "obsscaling.csv")


@lru_cache(maxsize=None)
def _ladder() -> pd.DataFrame:
    return load_ladder()


@lru_cache(maxsize=None)
def _c4_law(irreducible: bool) -> LossLaw:
    return c4_loss_law(_ladder(), irreducible=irreducible)


@lru_cache(maxsize=None)
def _task_loss_reference(irreducible: bool) -> tuple[LossLaw, PerformanceCurve, pd.DataFrame]:
    """The paper's way on public data: eq. 2 on the ladder's MMLU answer loss (bits per byte,
    final checkpoints), eq. 3 on every ladder checkpoint plus the measured OLMo-2 7B and 13B."""
    ladder = _ladder()
    runs = ladder_runs(ladder, "mmlu")
    final = runs[runs["is_final"]]
    law = LossLaw.fit(final["n_params"], final["tokens"], final["loss_bpb"],
                      irreducible=irreducible)
    targets = ladder.query("role == 'target' and task == 'mmlu' and is_final")
    points = pd.concat([runs, targets], ignore_index=True)
    curve = PerformanceCurve.fit(points["loss_bpb"], 100 * points["accuracy"], floor=25.0,
                                 ceiling=100.0)
    return law, curve, points


def _is_iso_date(text: str) -> bool:
    try:
        pd.to_datetime(text, format="%Y-%m-%d")
    except ValueError:
        return False
    return True
