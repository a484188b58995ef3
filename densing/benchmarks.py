"""Constants of the five-benchmark reference (``densing.analysis`` builds it), and its step 1.

Step 1 is a loss law for the C4 validation loss, fitted on the OLMo ladder. Step 2 (in
``densing.analysis``) is one performance curve per benchmark and one for their average, fitted on
a panel of public base models placed at ``L(N, D)`` from step 1. The assumption this makes: a
panel model scores what a reference model with the same N and D would score, on average.
"""

from __future__ import annotations

import pandas as pd

from densing.ladder import ladder_runs
from densing.loss_law import LossLaw

# Score of random guessing, in percent: 4 options for MMLU; MATH, HumanEval and MBPP are free-form
# answers that a guess essentially never gets right. BBH mixes formats (2 to 7 options and
# free-form), so its floor is fitted. The average's floor is the mean of the five floors.
FLOORS: dict[str, float | None] = {"mmlu": 25.0, "bbh": None, "math": 0.0, "humaneval": 0.0,
                                   "mbpp": 0.0}


def c4_loss_law(ladder: pd.DataFrame, irreducible: bool = False) -> LossLaw:
    """Eq. 2 for the C4 loss of the ladder's final checkpoints (190M-1.3B, 1x-10x Chinchilla)."""
    final = ladder_runs(ladder, "mmlu").query("is_final")  # C4 loss is the same for every task
    return LossLaw.fit(final["n_params"], final["tokens"], final["c4_loss"], irreducible=irreducible)
