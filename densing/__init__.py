"""densing: measure capability density and recompute the Densing Law (Xiao et al., 2024)."""

from densing._fit import FitWarning
from densing.analysis import Analysis, Specification, analyse
from densing.data import RANDOM_GUESS, load_ladder
from densing.ladder import fit_task_reference, heldout_errors
from densing.loss_law import LossLaw
from densing.performance import PerformanceCurve
from densing.reference import Reference
from densing.trend import TrendFit, fit_trend

__all__ = ["Analysis", "FitWarning", "Specification", "analyse", "LossLaw", "PerformanceCurve", "RANDOM_GUESS", "Reference", "TrendFit",
           "fit_task_reference", "fit_trend", "heldout_errors", "load_ladder"]
