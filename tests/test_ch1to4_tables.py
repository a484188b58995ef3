"""The tables of chapters 1-4 that were built inline and are now package functions
(densing.ladder): the bootstrap interval of the loss law's constants, the effective sizes of the
ladder and of OLMo-2, and their densities at several token budgets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densing import LossLaw, load_ladder
from densing.ladder import (EXTREME_DENSITY, bootstrap_interval, density_shift, density_table,
                            effective_size_table, fit_task_reference, ladder_runs)

D0_CHOICES = {"0.3T": 3e11, "1T": 1e12, "4T": 4e12}


@pytest.fixture(scope="module")
def ladder() -> pd.DataFrame:
    return load_ladder()


def test_bootstrap_interval_brackets_each_estimate_and_names_its_percentiles(ladder):
    final = ladder_runs(ladder, "mmlu").query("is_final")
    law = LossLaw.fit(final["n_params"], final["tokens"], final["loss_bpb"], irreducible=True)
    draws = law.bootstrap(n_resamples=300, seed=0)
    table = bootstrap_interval(law, draws)
    assert list(table.columns) == ["constant", "estimate", "2.5%", "97.5%"]
    assert list(table["constant"]) == ["a", "alpha", "b", "beta", "E"]
    assert (table["2.5%"] <= table["97.5%"]).all()
    row = table.set_index("constant").loc["alpha"]
    assert row["2.5%"] == pytest.approx(draws["alpha"].quantile(0.025))
    assert row["97.5%"] == pytest.approx(draws["alpha"].quantile(0.975))
    assert row["2.5%"] < law.alpha < row["97.5%"]
    assert list(bootstrap_interval(law, draws, level=0.9).columns[2:]) == ["5%", "95%"]
    with pytest.raises(ValueError, match="level"):
        bootstrap_interval(law, draws, level=1.5)


def test_effective_size_table_keeps_every_row_and_says_why(ladder):
    ref = fit_task_reference(ladder, "mmlu")
    table = effective_size_table(ladder, ref, "mmlu")
    assert len(table) == 12  # 5 sizes at 1x and 10x Chinchilla, and the two OLMo-2 models
    olmo = table.set_index("run")
    assert np.isnan(olmo.loc["OLMo-2-13B", "N_hat"])  # beyond the reach at 1T
    assert olmo.loc["OLMo-2-13B", "note"].startswith("beyond what a reference reaches")
    # OLMo-2 7B sits just under the reach: its effective size is extreme, and the note says why
    assert olmo.loc["OLMo-2-7B", "N_hat"] > EXTREME_DENSITY * olmo.loc["OLMo-2-7B", "n_params"]
    assert "eq. 4 blows up" in olmo.loc["OLMo-2-7B", "note"]
    ordinary = table[~table["run"].str.startswith("OLMo")]
    assert (ordinary["note"] == "").all()
    assert np.allclose(ordinary["N_hat"], ref.effective_params(ordinary["accuracy"]))


def test_density_table_reads_each_budget_and_the_shift_compares_them(ladder):
    table = density_table(ladder, "hellaswag", D0_CHOICES)
    assert [c for c in table.columns if c.startswith("rho")] == [
        "rho at D0=0.3T", "rho at D0=1T", "rho at D0=4T"]
    ref = fit_task_reference(ladder, "hellaswag", D0=1e12)
    assert np.allclose(table["rho at D0=1T"], ref.density(table["accuracy"], table["n_params"]))
    # a smaller budget reads every model as denser
    assert (table["rho at D0=0.3T"] > table["rho at D0=1T"]).all()
    assert (table["rho at D0=1T"] > table["rho at D0=4T"]).all()
    shift = density_shift(table, "0.3T", "4T")
    assert set(shift["kind"]) == {"1xC", "10xC", "target"}
    assert np.allclose(shift["factor"], table["rho at D0=0.3T"] / table["rho at D0=4T"])
    by_run = shift.set_index("run")["factor"]
    for size in ("190M", "370M", "760M", "1B", "3B"):  # heavier training moves more
        assert by_run[f"{size}-10xC"] > by_run[f"{size}-1xC"]
