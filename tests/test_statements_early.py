"""Statements of chapters 1-4 that once contradicted their own output: the computed fact behind
each (with the functions the chapters use), and the built page saying it."""

from __future__ import annotations

import html as html_lib
import inspect
import re

import numpy as np
import pandas as pd
import pytest

from densing import LossLaw, fit_task_reference, heldout_errors, load_ladder
from densing.benchmarks import c4_loss_law
from densing.ladder import form_verdicts, ladder_runs, loss_form_comparison, split_errors

TASKS = ["mmlu", "hellaswag", "arc_challenge", "piqa", "openbookqa", "socialiqa"]  # chapter 1
D0_CHOICES = {"0.3T": 3e11, "1T": 1e12, "4T": 4e12}  # chapter 4


def page_text(html, page: str) -> str:
    """The page's text as a reader sees it: no tags, single spaces, plain apostrophes."""
    text = (html / "chapters" / f"{page}.html").read_text()
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S)
    text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)))
    return text.replace("’", "'").replace("“", '"').replace("”", '"')


@pytest.fixture(scope="module")
def ladder() -> pd.DataFrame:
    return load_ladder()


@pytest.fixture(scope="module")
def verdicts(ladder) -> pd.DataFrame:
    return form_verdicts(loss_form_comparison(ladder, TASKS))


@pytest.fixture(scope="module")
def errors(ladder) -> pd.DataFrame:
    return split_errors(heldout_errors(ladder))


# --- 1. Chapter 1: eq. 2 + E is not better everywhere; which chapters use which form ---

def test_irreducible_term_is_better_on_some_tasks_and_worse_on_others(verdicts):
    assert list(verdicts.index[verdicts["E better"]]) == ["mmlu", "hellaswag", "piqa", "openbookqa"]
    assert list(verdicts.index[~verdicts["E better"]]) == ["arc_challenge", "socialiqa"]
    assert verdicts["eq. 2"].median() == pytest.approx(5.59, abs=0.01)
    assert verdicts["eq. 2 + E"].median() == pytest.approx(2.52, abs=0.01)


def test_task_references_use_e_and_the_c4_headline_does_not(ladder):
    assert inspect.signature(fit_task_reference).parameters["irreducible"].default is True
    assert fit_task_reference(ladder, "mmlu").law.irreducible
    assert inspect.signature(c4_loss_law).parameters["irreducible"].default is False


def test_chapter_1_states_the_comparison_task_by_task(html, verdicts):
    text = page_text(html, "01_loss_law")
    better = ", ".join(verdicts.index[verdicts["E better"]])
    worse = ", ".join(verdicts.index[~verdicts["E better"]])
    n_better = int(verdicts["E better"].sum())
    assert (f"makes it smaller on {n_better} of the {len(verdicts)} tasks ({better}) "
            f"and larger on {worse}") in text
    assert (f"is {verdicts['eq. 2'].median():.1f}% without \\(E\\) and "
            f"{verdicts['eq. 2 + E'].median():.1f}% with it") in text
    assert "neither form wins everywhere" in text
    assert "(the default of fit_task_reference)" in text
    assert "keeps the paper's form without" in text
    assert "From here on the reference uses" not in text
    assert "far better" not in text


# --- 2. Chapter 2: adding the 3B rung shrinks every error shown ---

def test_adding_the_3b_rung_shrinks_all_four_errors(ladder, errors):
    targets = ladder[ladder["role"] == "target"]
    for task in ("mmlu", "arc_easy"):
        ref = fit_task_reference(ladder, task, sizes=("190M", "370M", "760M", "1B", "3B"))
        for _, target in targets[targets["task"] == task].iterrows():
            with_3b = ref.curve.predict(ref.law.predict(target["n_params"], target["tokens"]))
            without = errors.set_index(["task", "model"]).loc[(task, target["run"]),
                                                              "accuracy_error"]
            assert abs(with_3b - target["accuracy"]) < abs(without), (task, target["run"])


def test_chapter_2_says_the_errors_shrink(html):
    text = page_text(html, "02_performance_curve")
    assert "Here all four errors shrink" in text
    assert "depends on the task" not in text


# --- 3. Chapter 3: one ladder model is worth more than its size; the form without E ---

def effective_sizes(ladder: pd.DataFrame, task: str) -> pd.DataFrame:
    """The ladder rows of chapter 3's table: final checkpoints at 1x and 10x Chinchilla."""
    ref = fit_task_reference(ladder, task, D0=1e12)
    rows = ladder[(ladder["task"] == task) & ladder["is_final"] & (ladder["role"] == "ladder")
                  & ladder["multiplier"].isin(["1", "10"])]
    return rows.assign(N_hat=ref.effective_params(rows["accuracy"], errors="coerce"))


def test_one_ladder_model_has_an_effective_size_above_its_size(ladder):
    table = pd.concat([effective_sizes(ladder, task) for task in ("mmlu", "hellaswag")])
    above = table[table["N_hat"] >= table["n_params"]]
    assert len(table) == 20
    assert list(zip(above["run"], above["task"])) == [("3B-10xC", "mmlu")]


def test_without_e_the_loss_is_worse_but_the_chained_accuracy_better_on_mmlu(ladder):
    loss = loss_form_comparison(ladder, ["mmlu"]).set_index("form").filter(like="B error").abs()
    assert loss.loc["eq. 2"].max() > loss.loc["eq. 2 + E"].max()
    no_e = split_errors(heldout_errors(ladder, ["mmlu"], irreducible=False))
    with_e = heldout_errors(ladder, ["mmlu"])
    assert no_e["accuracy_error"].abs().max() < with_e["accuracy_error"].abs().max()
    assert (np.sign(no_e["step1"]) != np.sign(no_e["step2"])).all()  # partly cancelling
    ref = fit_task_reference(ladder, "mmlu", irreducible=False)
    assert ref.score_range[1] > fit_task_reference(ladder, "mmlu").score_range[1]


def test_chapter_3_names_the_exception_and_what_the_form_without_e_does(html):
    text = page_text(html, "03_effective_parameters")
    assert ("19 of the 20 in the table do; the exception is 3B-10xC on mmlu (3.43B for 3.17B)"
            in text)
    assert "all have effective sizes below their actual sizes" not in text
    assert "its chained accuracy errors are smaller (0.019 against 0.044)" in text
    assert "differently wrong" not in text


# --- 4. Chapter 4: the D0 exercise; the densest model ---

def test_model_a_stays_denser_and_no_density_is_missing(ladder):
    rows = []
    for d0 in D0_CHOICES.values():
        ref = fit_task_reference(ladder, "hellaswag", D0=d0)
        rows.append((ref.density(ref.predict_score(2e9, 12e12), 2e9, errors="coerce"),
                     ref.density(ref.predict_score(8e9, 2e12), 8e9, errors="coerce")))
    a, b = np.array(rows).T
    assert not np.isnan(rows).any()
    assert (a > b).all()
    assert b[0] / b[-1] > a[0] / a[-1]  # from 4T to 0.3T the larger model B gains more


def test_the_densest_hellaswag_model_changes_with_d0(ladder):
    targets = ladder[(ladder["role"] == "target") & (ladder["task"] == "hellaswag")]
    densest = {}
    for label, d0 in D0_CHOICES.items():
        rho = fit_task_reference(ladder, "hellaswag", D0=d0).density(targets["accuracy"],
                                                                      targets["n_params"])
        densest[label] = targets["run"].iloc[int(np.argmax(rho))]
    assert densest == {"0.3T": "OLMo-2-13B", "1T": "OLMo-2-7B", "4T": "OLMo-2-7B"}


def test_chapter_4_says_what_the_d0_exercise_computes(html):
    text = page_text(html, "04_density")
    assert "A is denser at all three" in text
    assert "B, the larger model, gains more" in text
    assert "None of the six densities is missing" in text
    assert "may become impossible to invert" not in text
    assert "The heavily trained small model gains most" not in text
    assert "OLMo-2-13B at 0.3T; OLMo-2-7B at 1T and 4T" in text


# --- 5. Other statements of chapters 1-4 ---

def test_chapter_1_bootstrap_interval_and_the_units_exercise(html, ladder):
    final = ladder_runs(ladder, "mmlu").query("is_final")
    law = LossLaw.fit(final["n_params"], final["tokens"], final["loss_bpb"], irreducible=True)
    draws = law.bootstrap(n_resamples=300, seed=0)
    lo, hi = draws["alpha"].quantile([0.025, 0.975])
    text = page_text(html, "01_loss_law")
    assert f"lies between {lo:.2f} and {hi:.2f} with 95% bootstrap confidence" in text
    assert draws["E"].quantile(0.025) == 0.0  # so the interval of E includes the paper's E = 0
    assert "includes the paper's \\(E = 0\\)" in text
    assert "Here bits per byte extrapolates better to 7B" in text
    assert "only once they are trained long enough" not in text  # the caption claimed it


def test_chapter_2_step_errors(errors, ladder):
    arc = errors.set_index(["task", "model"]).loc[("arc_challenge", "OLMo-2-13B")]
    assert arc["loss_error_pct"] > 0 and arc["step1"] < 0 < arc["step2"]  # two errors cancelling
    targets = ladder[(ladder["role"] == "target") & (ladder["task"] == "winogrande")]
    assert (targets["loss_bpb"] >= ladder_runs(ladder, "winogrande")["loss_bpb"].min()).all()
    worst = errors.loc[errors["loss_error_pct"].abs().idxmax()]
    assert (worst["task"], abs(worst["step1"]) < 0.05) == ("arc_easy", True)


def test_chapter_2_page_says_where_each_step_fails(html):
    text = page_text(html, "02_performance_curve")
    assert "On winogrande they do not: the curve misses without extrapolating" in text
    assert "The large models sit beyond the ladder on the loss axis" not in text
    assert "that choice decides the sign" not in text
    assert "here too the two largest step-2 errors are on boolq and winogrande" in text
    assert "predicted within 0.041 (7B) and 0.044 (13B)" in text  # as tests/test_book.py pins


def test_chapter_4_figure_lines_rise_and_stay_within_reach(ladder, html):
    tokens = np.geomspace(1e10, 2e13, 400)
    for n in (1e9, 7e9, 70e9):
        for d0 in D0_CHOICES.values():
            ref = fit_task_reference(ladder, "hellaswag", D0=d0)
            rho = ref.effective_params(ref.predict_score(n, tokens), errors="coerce") / n
            assert not np.isnan(rho).any() and (np.diff(rho) > 0).all()
    text = page_text(html, "04_density")
    assert "The density is 1 where D = D0 and rises with D." in text
    assert "grows without bound" not in text
    assert "none of its 9 lines reach the point where no reference matches" in text


def test_the_rule_near_the_top_is_stated_with_the_models_it_refuses(html):
    """Chapter 5 lists the rule beside the floor's and names the models it refuses (issue: the
    book's tables say which models it affects); chapter 1 gives the line for the form with E;
    the glossary defines it."""
    from densing import Specification, analyse
    from densing.tables import near_top_refusals

    chapter_5 = page_text(html, "05_densing_law")
    assert "Too close to the top." in chapter_5
    sentence = near_top_refusals(analyse(Specification(n_boot=0)))
    assert sentence == ("In the headline no model's average is that close to the top; among the "
                        "per-benchmark densities it refuses the HumanEval of Kimi-K2."), sentence
    assert sentence in chapter_5
    with_e = analyse(Specification(irreducible=True, n_boot=0))
    assert f"refuses those within 5% of that top (above {with_e.reference.near_top:.1f}" in \
        page_text(html, "01_loss_law")
    assert with_e.used["score"].max() <= with_e.reference.near_top
    glossary = (html / "chapters" / "glossary.html").read_text()
    entry = glossary[glossary.index('id="term-near-the-top"'):]
    assert re.sub(r"<[^>]+>", "", entry[:400]).count("less than 5% of the way down") == 1
