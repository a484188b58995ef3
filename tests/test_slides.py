"""The chapters' reveal.js decks (densing.slides): what the generator keeps of a page and what it
leaves out, and every deck of the built site in headless Chromium, offline: reveal.js starts, each
slide fits with its figure shown as wide as on the page, no error, no request outside the site.
Each check of a deck is shown to catch a deliberate fault."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import _VISIBLE_TEXT, RAW_TEX, _broken_links, reader, serve, visit
from densing.plotting import COLUMN_PX
from densing.slides import DECKS, REVEAL, _link_deck, deck, write_decks

CHAPTER = """<html><head><title>Step 9 — the book</title></head><body>
<article class="bd-article"><section id="step-9">
<h1>Step 9: a test chapter<a class="headerlink" href="#step-9">#</a></h1>
<p>The chapter's opening.</p>
<section id="the-idea">
<h2>The idea<a class="headerlink" href="#the-idea">#</a></h2>
<p>Density is <span class="pasted-text">1.31</span> at
<span class="math notranslate nohighlight">\\(D_0\\)</span>, see
<a class="reference internal" href="glossary.html#term-density">density</a> and
<a class="reference internal" href="#fig-curve">Fig. 2</a>;
<a href="https://example.org/paper">the paper</a> agrees.</p>
<p>A second paragraph, not on the slide.</p>
<details class="hide below-input"><div class="cell_output"><figure><img alt="a hidden plot"
 src="../_images/hidden.png"></figure></div></details>
<div class="cell_output"><figure id="fig-curve"><img alt="The curve, with its ceiling."
 src="../_images/curve.png"><figcaption><p><span class="caption-number">Fig. 2 </span>
<span class="caption-text">The curve.</span></p></figcaption></figure></div>
<pre>code that is not on a slide</pre>
</section>
<section id="reading-the-table">
<h2>Reading the table<a class="headerlink" href="#reading-the-table">#</a></h2>
<p>One sentence that sets the scene. The table below lists every model:</p>
<table><tr><td>a table</td></tr></table>
</section>
<div class="toggle docutils container"><section id="a-toggled-section">
<h2>A toggled section</h2><p>Collapsed text.</p></section></div>
<section id="exercises">
<h2>Exercises<a class="headerlink" href="#exercises">#</a></h2>
<p>Exercise text.</p>
<div class="solution dropdown admonition"><p>Solution text.</p></div>
</section>
<section id="solutions"><h2>Solutions</h2><p>More solution text.</p></section>
<div class="admonition remember">
<p class="admonition-title">Numbers to remember</p>
<ul><li><p>Doubling time: <span class="pasted-text">84</span> days.</p></li></ul>
</div>
</section></article></body></html>"""
STEM = "09_test"


def slides_of(html: str) -> list[str]:
    """The slides of a deck, as HTML."""
    return re.findall(r"<section\b.*?</section>", html, re.S)


@pytest.fixture(scope="module")
def synthetic() -> str:
    return deck(CHAPTER, STEM)


def test_each_section_in_view_becomes_a_slide_after_the_title(synthetic):
    slides = slides_of(synthetic)
    ids = [re.search(r'id="([^"]+)"', s).group(1) for s in slides]
    assert ids == ["title", "the-idea", "reading-the-table", "numbers-to-remember"]
    assert "<h1>Step 9: a test chapter</h1>" in slides[0]
    assert f'href="../chapters/{STEM}.html"' in slides[0]


def test_a_slide_has_the_first_paragraph_with_its_glued_numbers_and_the_figure_in_view(synthetic):
    idea = slides_of(synthetic)[1]
    assert "<h2>The idea</h2>" in idea
    assert '<span class="pasted-text">1.31</span>' in idea
    assert "A second paragraph" not in idea
    assert '<img src="../_images/curve.png" alt="The curve, with its ceiling.">' in idea
    assert "hidden.png" not in synthetic
    assert f'<a href="../chapters/{STEM}.html#fig-curve">Fig. 2</a>' in idea


def test_links_work_from_the_deck_and_none_leaves_the_site(synthetic):
    idea = slides_of(synthetic)[1]
    assert 'href="../chapters/glossary.html#term-density"' in idea
    assert f'href="../chapters/{STEM}.html#fig-curve"' in idea
    assert "the paper</a>" not in idea and "the paper agrees" in " ".join(idea.split())
    targets = re.findall(r'(?:src|href)="([^"]+)"', synthetic)
    outside = [t for t in targets if re.match(r"[a-z]+:|//", t) and not t.startswith("data:")]
    assert not outside, outside
    assert "@import" not in synthetic and "headerlink" not in synthetic


def test_collapsed_sections_exercises_solutions_and_code_are_left_out(synthetic):
    for text in ("A toggled section", "Collapsed text", "Exercise text", "Solution text",
                 "More solution text", "code that is not", "a table"):
        assert text not in synthetic, text


def test_a_sentence_that_announces_a_table_is_dropped(synthetic):
    table = slides_of(synthetic)[2]
    assert "<p>One sentence that sets the scene.</p>" in table


def test_a_long_paragraph_is_cut_at_a_sentence_end():
    sentences = [f"Sentence {i} says something about density." for i in range(40)]
    page = CHAPTER.replace("A second paragraph, not on the slide.", "").replace(
        "One sentence that sets the scene. The table below lists every model:", " ".join(sentences))
    table = slides_of(deck(page, STEM))[2]
    kept = re.search(r"<p>(.*?)</p>", table, re.S).group(1)
    assert kept.endswith("density.") and 500 <= len(kept) <= 700, kept
    assert sentences[-1] not in kept


def test_the_numbers_to_remember_are_the_last_slide(synthetic):
    last = slides_of(synthetic)[-1]
    assert "<h2>Numbers to remember</h2>" in last
    assert '<span class="pasted-text">84</span> days.' in last
    assert "admonition-title" not in last
    box = CHAPTER.index('<div class="admonition remember">')
    without = deck(CHAPTER[:box] + "</section>", STEM)
    assert "Numbers to remember" not in without


def test_the_deck_loads_reveal_and_mathjax_from_the_site(synthetic):
    assert f'<script src="../{REVEAL}/dist/reveal.js"></script>' in synthetic
    assert "Reveal.initialize({hash: true" in synthetic
    assert '<script defer src="../_static/mathjax/tex-chtml.js"></script>' in synthetic
    no_math = deck(CHAPTER.replace('<span class="math notranslate nohighlight">\\(D_0\\)</span>',
                                   "D0"), STEM)
    assert "mathjax" not in no_math.replace("mathjax_ignore", "")


def test_a_tall_figure_goes_beside_the_text(tmp_path):
    (tmp_path / "_images").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
    (tmp_path / "_images" / "curve.png").write_bytes(png + (800).to_bytes(4, "big")
                                                     + (1000).to_bytes(4, "big"))
    tall = slides_of(deck(CHAPTER, STEM, tmp_path))[1]
    assert 'class="deck-beside deck-small"' in tall
    (tmp_path / "_images" / "curve.png").write_bytes(png + (1600).to_bytes(4, "big")
                                                     + (800).to_bytes(4, "big"))
    assert "deck-beside" not in slides_of(deck(CHAPTER, STEM, tmp_path))[1]


def test_a_chapter_page_links_its_deck_and_other_pages_do_not():
    def context():
        return {"body": "<h1>Title</h1><p>Text.</p>", "pathto": lambda name, _: f"../{name}"}

    chapter, glossary = context(), context()
    _link_deck(None, "chapters/05_densing_law", "page.html", chapter, None)
    _link_deck(None, "chapters/glossary", "page.html", glossary, None)
    assert chapter["body"].startswith('<h1>Title</h1><p class="densing-slides"><a href="../'
                                      f'{DECKS}/05_densing_law.html">Slides for this chapter</a>')
    assert glossary["body"] == "<h1>Title</h1><p>Text.</p>"


# The built site.

@pytest.fixture(scope="module")
def decks(html) -> list[str]:
    found = sorted(p.relative_to(html).as_posix() for p in (html / DECKS).glob("*.html"))
    chapters = sorted((html / "chapters").glob("[0-9][0-9]_*.html"))
    assert [Path(d).name for d in found] == [c.name for c in chapters]
    return found


def test_every_chapter_page_links_its_deck(html, decks):
    for path in decks:
        page = (html / "chapters" / Path(path).name).read_text()
        assert f'<a href="../{path}">Slides for this chapter</a>' in page, path
    teaching = (html / "chapters" / "teaching.html").read_text()
    assert all(f'href="../{path}"' in teaching for path in decks)


def test_the_build_wrote_the_decks_the_generator_writes_quickly(html, decks, tmp_path):
    """Regenerated into a scratch site (chapter pages and images shared), the decks are the
    site's, and writing them all takes well under a second."""
    for shared in ("chapters", "_images"):
        (tmp_path / shared).symlink_to(html / shared)
    start = time.process_time()
    written = write_decks(tmp_path)
    assert time.process_time() - start < 1.0
    assert [w.relative_to(tmp_path).as_posix() for w in written] == decks
    for path in decks:
        assert (tmp_path / path).read_text() == (html / path).read_text(), path
    theme = (html / REVEAL / "dist" / "theme" / "white.css").read_text()
    imports = re.findall(r"@import url\(([^)]*)\)", theme)
    assert imports and all(i.startswith("./") for i in imports), imports


# What a deck must do in the browser: start, have slides, and show each slide whole, with its
# figure as wide as on the chapter page or, for a figure too tall for that, the slide's height.
_SLIDE_PROBLEMS = """(column) => {
  const slide = Reveal.getCurrentSlide();
  const edge = slide.getBoundingClientRect();
  const problems = [];
  for (const el of slide.querySelectorAll('h1, h2, p, li, img')) {
    const box = el.getBoundingClientRect();
    if (box.bottom > edge.bottom + 1 || box.right > edge.right + 1) {
      const what = (el.textContent || el.getAttribute('alt') || '').trim().slice(0, 40);
      problems.push(`runs off the slide: <${el.tagName.toLowerCase()}> ${JSON.stringify(what)}`);
    }
  }
  const style = getComputedStyle(slide);
  const room = slide.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  for (const img of slide.querySelectorAll('img')) {
    if (!img.naturalWidth) continue;
    const box = img.getBoundingClientRect();
    const aspect = img.naturalWidth / img.naturalHeight;
    const width = Math.min(box.width, box.height * aspect), height = width / aspect;
    const page = Math.min(img.naturalWidth, column);
    if (width < page - 1 && height < 0.9 * room) {
      problems.push(`figure shown ${Math.round(width)} x ${Math.round(height)} px, narrower ` +
                    `than on its page (${page} px) yet not the slide's height: ` +
                    img.getAttribute('src'));
    }
  }
  return problems;
}"""


def check_deck(page, base: str, path: str, screenshots: Path | None = None) -> list[str]:
    """The problems of the deck at ``path`` (empty when it is clean), seen by ``page`` (a
    ``reader``): reveal.js not started, fewer than three slides, a slide whose content runs off it
    or whose figure is shown smaller than the slide allows, an image that did not load, raw TeX, a
    link into the book that does not resolve, console errors, failed requests and requests
    outside the site."""
    visit(page, f"{base}/{path}")
    problems = []
    try:  # reveal.js is loaded by the time the page is (a plain script): wait only for its start
        if page.evaluate("() => window.Reveal === undefined"):
            raise PlaywrightTimeout("reveal.js is not loaded")
        page.wait_for_function("() => Reveal.isReady()", timeout=5000)
    except PlaywrightTimeout:
        problems.append("reveal.js did not start")
    else:
        total = page.evaluate("Reveal.getTotalSlides()")
        if total < 3:
            problems.append(f"fewer than 3 slides: {total}")
        for index in range(total):
            page.evaluate(f"Reveal.slide({index})")
            problems += [f"slide {index + 1}: {p}"
                         for p in page.evaluate(_SLIDE_PROBLEMS, COLUMN_PX)]
            if screenshots is not None:
                screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshots / f"{Path(path).stem}-{index + 1}.png"))
    problems += [f"image did not load: {image}" for image in page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.getAttribute('src'))")]
    raw = RAW_TEX.findall(page.evaluate(_VISIBLE_TEXT))
    if raw:
        problems.append(f"raw TeX on the slides: {len(raw)} spans")
    problems += _broken_links(page, base, path)
    problems = page.problems + problems  # the console and the network, over every slide
    return [f"{path}: {p}" for p in problems]


def test_every_deck_runs_offline_and_each_slide_fits(browser, html, decks):
    """`make screenshots` saves every slide to _build/screenshots/slides/ (look at them)."""
    from test_browser import SCREENSHOTS

    with serve(html) as base:
        page = reader(browser, base)
        problems = [p for path in decks for p in check_deck(
            page, base, path, SCREENSHOTS / "slides" if SCREENSHOTS else None)]
        page.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def scratch(browser, html, tmp_path_factory):
    """A scratch site that shares the built site's pages and files, with decks of its own; served,
    and a ``reader`` page on it."""
    folder = tmp_path_factory.mktemp("scratch")
    for shared in ("chapters", "_images", "_static"):
        (folder / shared).symlink_to(html / shared)
    (folder / DECKS).mkdir()
    with serve(folder) as base:
        page = reader(browser, base)
        yield folder, base, page
        page.close()


def test_every_chapter_s_numbers_to_remember_close_its_deck(html):
    """The last slide of each chapter's deck is the chapter's box, bullet for bullet."""
    for page in sorted((html / "chapters").glob("0[1-9]_*.html")):
        box = BeautifulSoup(page.read_text(), "html.parser").select_one("div.admonition.remember")
        assert box is not None, f"{page.stem} has no numbers to remember"
        last = BeautifulSoup(slides_of((html / DECKS / page.name).read_text())[-1], "html.parser")
        assert last.section["id"] == "numbers-to-remember", page.stem
        assert [li.get_text(" ", strip=True) for li in last.select("li")] == [
            li.get_text(" ", strip=True) for li in box.select("li")], page.stem


FAULTS = {
    "reveal.js not loaded": (lambda d: d.replace("dist/reveal.js", "dist/no-reveal.js"),
                             "reveal.js did not start"),
    "missing image": (lambda d: d.replace('src="../_images/', 'src="../_images/missing-', 1),
                      "image did not load: ../_images/missing-"),
    "too few slides": (lambda d: re.sub(r'<section id="(?!title").*?</section>\n?', "", d,
                                        flags=re.S), "fewer than 3 slides: 1"),
    "text off the slide": (lambda d: d.replace("<h2>", "<h2>" + "A long title. " * 60, 1),
                           "runs off the slide"),
    "figure too small": (lambda d: d.replace("</head>", "<style>.reveal img {max-height: "
                                             "150px !important}</style></head>"),
                         "narrower than on its page"),
    "request outside the site": (lambda d: d.replace(
        "</head>", '<link rel="stylesheet" href="https://fonts.example.org/a.css"></head>'),
        "request outside the site: https://fonts.example.org/a.css"),
    "raw TeX": (lambda d: d.replace("<h2>", r"<h2>\(\hat N\) ", 1), "raw TeX on the slides"),
    "console error": (lambda d: d.replace("</body>", '<script>console.error("a deliberate '
                                          'fault")</script></body>'),
                      "console error: a deliberate fault"),
    "broken link": (lambda d: d.replace(
        '<p class="deck-source"><a href="../chapters/', '<p class="deck-source"><a href="../'
        'chapters/no-such-', 1), "internal link does not resolve"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_the_deck_check_catches_a_deliberate_fault(html, scratch, fault):
    plant, expected = FAULTS[fault]
    source = (html / DECKS / "05_densing_law.html").read_text()
    faulty = plant(source)
    assert faulty != source, f"the {fault} was not planted"
    folder, base, page = scratch
    slug = re.sub(r"\W+", "-", fault)
    path = f"{DECKS}/05-with-{slug}.html"  # beside the site's decks, so its links still resolve
    (folder / path).write_text(faulty)
    problems = "\n".join(check_deck(page, base, path))
    assert expected in problems, f"the check missed the {fault}:\n{problems}"
