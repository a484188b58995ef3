"""The site in a real browser (headless Debian Chromium): every page clean offline, the
calculator equal to Python, and the checks shown to fail on a page with deliberate faults.

`make screenshots` saves a screenshot of every page to _build/screenshots/ (look at them)."""

from __future__ import annotations

import math
import os
import re
import shutil

import pytest

from browser import check_page, open_page, pages, reader, serve
from conftest import ROOT
from densing.calculator import N_DRAWS, density_of

# Screenshots are for a reader to look at, not for a check, and they cost a third of the sweep:
# saved only when asked (`make screenshots`).
SCREENSHOTS = ROOT / "_build" / "screenshots" if os.environ.get("DENSING_SCREENSHOTS") else None
CALCULATOR = "chapters/08_your_model.html"


@pytest.fixture(scope="module")
def site(html):
    with serve(html) as base:
        yield base


def sweep(browser, site: str, html, share: int, shares: int = 2) -> None:
    """Every ``shares``-th page from ``share`` is clean offline."""
    problems, checked = [], pages(html)[share::shares]
    shots = [SCREENSHOTS / (path.replace("/", "_").removesuffix(".html") + ".png")
             if SCREENSHOTS else None for path in checked]
    page = reader(browser, site)
    for path, shot in zip(checked, shots, strict=True):
        problems += check_page(page, site, path, screenshot=shot)
    page.close()
    assert not problems, "\n".join(problems)
    assert all(shot.exists() for shot in shots if shot)


# Every page is clean offline, in two halves: pytest-xdist (--dist loadscope) runs a module's
# functions on one worker but each class on its own, so the halves are checked side by side.
class TestEveryPageIsCleanOffline:
    def test_first_half(self, browser, site, html):
        sweep(browser, site, html, 0)


class TestEveryPageIsCleanOfflineSecondHalf:
    def test_second_half(self, browser, site, html):
        sweep(browser, site, html, 1)


# (size, scores as typed) -> Python's answer must be the browser's, refusals included.
INPUTS = [
    ("7.61e9", dict(mmlu="74.2", bbh="70.4", math="49.8", humaneval="57.9", mbpp="74.9")),
    ("1.23e9", dict(mmlu="32.2", bbh="30.7", math="7.4", humaneval="18.9", mbpp="35.98")),
    ("405e9", dict(mmlu="85.2", bbh="85.9", math="53.8", humaneval="61", mbpp="73.4")),
    ("7.61", dict(mmlu="74.2", bbh="70.4", math="49.8", humaneval="57.9", mbpp="74.9")),
    ("7.61e9", dict(mmlu="120", bbh="70.4", math="49.8", humaneval="57.9", mbpp="74.9")),
    ("7.61e9", dict(mmlu="0.742", bbh="0.704", math="0.498", humaneval="0.579", mbpp="0.749")),
    ("7.61e9", dict(mmlu="74.2", bbh="70.4", math="49.8", humaneval="57.9", mbpp="")),
    ("7.61e9", dict(mmlu="0.742", bbh="70.4", math="49.8", humaneval="57.9", mbpp="74.9")),
    ("1e9", dict(mmlu="26", bbh="20", math="1", humaneval="1", mbpp="1")),
    ("1e9", dict(mmlu="99.9", bbh="99.9", math="99.9", humaneval="99.9", mbpp="99.9")),
    ("1e9", dict(mmlu="97", bbh="97", math="97", humaneval="97", mbpp="97")),  # near the top
    ("", dict(mmlu="74.2", bbh="70.4", math="49.8", humaneval="57.9", mbpp="74.9")),
    ("seven", dict(mmlu="74.2", bbh="70.4", math="49.8", humaneval="57.9", mbpp="74.9")),
]


def _python(params: str, scores: dict[str, str]) -> dict:
    def value(text):
        return None if text == "" else (float(text) if _is_number(text) else text)

    try:
        result = density_of(n_params=value(params), **{b: value(v) for b, v in scores.items()},
                            n_draws=N_DRAWS)
    except ValueError as error:
        return {"error": str(error)}
    return {"density": result.density, "effective_params": result.effective_params,
            "density_low": result.interval[0], "density_high": result.interval[1],
            "placed_share": result.placed_share}


def _numbers_as_floats(message: str) -> str:
    """A message with every number written alike (JavaScript prints 120 where Python prints
    120.0)."""
    return re.sub(r"-?\d+(\.\d+)?(e[+-]?\d+)?", lambda m: repr(float(m.group(0))), message)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_calculator_gives_pythons_numbers_and_refusals(browser, site):
    page = open_page(browser, f"{site}/{CALCULATOR}", site)
    for params, scores in INPUTS:
        js = page.evaluate("""([params, scores]) => {
            try { return window.densingCalculator.compute(params, scores); }
            catch (error) { return {error: error.message}; } }""", [params, scores])
        py = _python(params, scores)
        if "error" in py:
            assert "error" in js, f"{params}, {scores}: Python refuses ({py['error']}), the page not"
            assert _numbers_as_floats(js["error"]) == _numbers_as_floats(py["error"]), \
                (js["error"], py["error"])
        else:
            assert "error" not in js, f"{params}, {scores}: the page refuses: {js['error']}"
            for key, expected in py.items():
                assert math.isclose(js[key], expected, rel_tol=1e-9), (key, js[key], expected)
    page.close()


def test_typing_into_the_calculator_shows_the_density(browser, site):
    page = open_page(browser, f"{site}/{CALCULATOR}", site)
    form = page.locator("#densing-calculator")
    form.locator("input[name=n_params]").fill("8e9")
    for name, text in dict(mmlu="76.9", bbh="78.4", math="60.8", humaneval="87.8",
                           mbpp="69.8").items():
        form.locator(f"input[name={name}]").fill(text)
    expected = density_of(n_params=8e9, mmlu=76.9, bbh=78.4, math=60.8, humaneval=87.8,
                          mbpp=69.8)
    output = form.locator("output").text_content()
    assert f"density {float(f'{expected.density:.3g}'):g} " in output, output
    form.locator("input[name=n_params]").fill("8")
    assert form.locator("output").text_content().startswith("Refused: n_params = 8 is outside")
    assert not page.problems, page.problems
    page.close()


FAULTS = {
    "console error": ('<script>console.error("a deliberate fault")</script>',
                      "console error: a deliberate fault"),
    "request outside the site": ('<img src="https://example.org/x.png" alt="an outside image">',
                                 "request outside the site: https://example.org/x.png"),
    "missing image": ('<img src="missing.png" alt="a missing image">',
                      "image did not load: missing.png"),
    "image without alt text": ('<img src="../_static/favicon-missing.png">',
                               "image without a meaningful alt text"),
    "broken internal link": ('<a href="no-such-page.html">a link</a>',
                             "internal link does not resolve: no-such-page.html"),
    "missing anchor": ('<a href="#no-such-anchor">an anchor</a>',
                       "internal link to a missing anchor: #no-such-anchor"),
    # MathJax 3 leaves class mathjax_ignore alone: TeX as if MathJax had not loaded.
    "raw TeX": (r'<p class="mathjax_ignore">\(\hat N = N\)</p>', "raw TeX in the text"),
    "unlabelled input": ('<input type="text">', "accessibility (critical): label"),
    "faint prose": ('<p style="color: #ddd; background: #fff">text a reader cannot see</p>',
                    "accessibility (serious): color-contrast"),
    "table wider than the page": (
        '<div class="cell_output"><table><tr><td style="white-space: nowrap">'
        + "a wide cell " * 20 + "</td></tr></table></div>",
        "table wider than the text column"),
    "squeezed figure": ('<div class="cell_output"><img src="../_static/images/logo_colab.png" '
                        'alt="a figure shown at 100 px" style="width: 100px"></div>',
                        "figure shown at 100 px, narrower than"),
    "large caption": ('<figure><figcaption style="font-size: 20px">A large caption</figcaption>'
                      '</figure>', "caption text at 20.0 px, larger than"),
}


def test_the_checks_fail_on_a_page_with_deliberate_faults(browser, html, tmp_path):
    """Each fault the browser test guards against, planted in a copy of the site, is reported."""
    faulty = tmp_path / "html"
    shutil.copytree(html, faulty)
    page = faulty / "chapters" / "04_density.html"
    text = page.read_text()
    planted = "".join(markup for markup, _ in FAULTS.values())
    assert "<article" in text
    page.write_text(text.replace("<article", planted + "<article", 1))
    # A dead interactive figure: the page of Figure 1 without plotly's drawing call.
    densing_law = faulty / "chapters" / "05_densing_law.html"
    densing_law.write_text(densing_law.read_text().replace("Plotly.newPlot(", "void(", 1))
    with serve(faulty) as base:
        page = reader(browser, base)
        problems = "\n".join(check_page(page, base, "chapters/04_density.html")
                             + check_page(page, base, "chapters/05_densing_law.html"))
        clean = check_page(page, base, "chapters/03_effective_parameters.html")
        page.close()
    for what, (_, expected) in FAULTS.items():
        assert expected in problems, f"the check missed the {what}:\n{problems}"
    assert "interactive figure 1 has no points" in problems, problems
    assert clean == [], clean  # an untouched page of the same copy passes
