"""Self-checking exercises: right within the tolerance, too high or too low outside it, the answer
never shown, bad input refused."""

from __future__ import annotations

import re

import pytest

from densing.exercises import EXERCISES, _answer, check


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_check_accepts_the_answer_and_refuses_values_outside_the_tolerance(key):
    answer, tol = _answer(key), EXERCISES[key].rel_tol
    assert check(key, answer) and check(key, answer * (1 + 0.9 * tol))
    high, low = check(key, answer * (1 + 3 * tol)), check(key, answer * (1 - 3 * tol))
    assert not high and "too high" in repr(high)
    assert not low and "too low" in repr(low)
    for verdict in (check(key, answer), high, low):  # the answer itself is never printed
        for shown in re.findall(r"\d+(?:\.\d+)?", repr(verdict)):
            assert abs(float(shown) / answer - 1) > 0.01 or float(shown) in (0, 1), repr(verdict)


def test_the_answers_are_the_chapters_numbers():
    from densing import Specification, analyse

    assert _answer("ch5-doubling") == pytest.approx(analyse().trend.doubling_days, rel=1e-12)
    assert _answer("ch6-doubling-4t") == pytest.approx(
        analyse(Specification(D0=4e12)).trend.doubling_days, rel=1e-12)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("ch5-doubing", 83.6, r"key = 'ch5-doubing' is not an exercise; choose from \["),
    ("ch5-doubling", "83.6", r"value = '83.6' must be a finite number"),
    ("ch5-doubling", float("nan"), r"value = nan must be a finite number"),
    ("ch5-doubling", True, r"value = True must be a finite number"),
])
def test_bad_input_is_refused(key, value, message):
    with pytest.raises(ValueError, match=message):
        check(key, value)


CHAPTERS = ["01_loss_law", "02_performance_curve", "03_effective_parameters", "04_density",
            "05_densing_law", "06_choices", "07_forecast", "08_your_model", "09_corollaries",
            "10_field"]


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_chapter_has_three_exercises_and_a_self_check_that_passes(html, page):
    text = (html / "chapters" / f"{page}.html").read_text()
    exercises = re.findall(r'<span class="caption-number">Exercise [\d.]+ </span>', text)
    assert len(exercises) >= 3, f"{page} has {len(exercises)} exercises"
    assert "check(" in text and "Right: " in text, f"{page} has no self-check that passes"
    assert "Not yet: " not in text
