"""A reveal.js deck per chapter, written by the build from the built chapter pages (a Sphinx
extension, listed in _config.yml).

Each page ``chapters/0N_*.html`` becomes ``slides/0N_*.html``: a title slide, one slide per
section in view (its title, its first paragraph or list with the glued numbers, its first figure
in view), and last the chapter's "Numbers to remember" box (``div.admonition.remember``) when it
has one. Exercises, solutions and anything collapsed are left out. reveal.js is copied from the
``sphinx-revealjs`` package into ``_static/reveal/`` and MathJax is the site's own, so a deck works
offline. Each chapter page links its deck under its title.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from copy import copy
from html import escape
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from densing._sphinx import FAVICON

DECKS = "slides"
REVEAL = "_static/reveal"
# What a deck loads of reveal.js (paths inside sphinx_revealjs/_static/revealjs/).
REVEAL_FILES = ["LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
                "dist/theme/fonts/source-sans-pro"]
CHAPTER_PAGE = re.compile(r"chapters/\d\d_\w+")
SKIPPED_TITLES = {"exercises", "solutions"}
COLLAPSED_CLASSES = {"dropdown", "toggle", "toggle-hidden", "solution"}
# What the deck never needs from a page: dropping it first keeps parsing fast (the pages carry
# plotly's data, code and tables).
UNUSED_MARKUP = re.compile(r"<(script|style|pre|table)\b.*?</\1>", re.S)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"])")
# Characters of a slide's paragraph: fewer beside a figure, which takes most of the slide.
TEXT_BUDGET = {True: 400, False: 600}
# A slide with a figure, or with more characters of text than this, has smaller type.
LONG_TEXT = 700
# A figure narrower than this (width over height) goes beside the text: under it, it would be
# shown narrower than on the page.
TALL_FIGURE = 1.5


def _collapsed(element: Tag) -> bool:
    """Inside something a reader must open (a dropdown, a toggle, a solution, a hidden cell)."""
    for node in [element, *element.parents]:
        if node.name == "details" or COLLAPSED_CLASSES & set(node.get("class") or []):
            return True
    return False


def _from_deck(href: str, stem: str) -> str | None:
    """A link of the chapter page as seen from the deck (None for a link outside the site)."""
    if re.match(r"[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
        return None
    if href.startswith("#"):
        return f"../chapters/{stem}.html{href}"
    return posixpath.normpath(posixpath.join("../chapters", href))


def _portable(fragment: Tag, stem: str) -> Tag:
    """``fragment`` ready for a slide: links and images that work from the deck, no heading
    anchors, no ids (they would repeat the page's), no link outside the site."""
    for anchor in fragment.select("a.headerlink"):
        anchor.decompose()
    for element in [fragment, *fragment.find_all(True)]:
        element.attrs.pop("id", None)
        for attribute in ("href", "src"):
            if element.get(attribute) is None:
                continue
            target = _from_deck(element[attribute], stem)
            if target is None:
                element.unwrap()
                break
            element[attribute] = target
    return fragment


def _sentence_ends(paragraph: Tag) -> list[tuple[int, int, int]]:
    """Where the sentences of ``paragraph`` end, in its plain text (never inside a glued number,
    a formula or a link): (index of the text among the children, offset in it, offset in the
    paragraph's text)."""
    ends, length = [], 0
    for i, child in enumerate(paragraph.contents):
        if isinstance(child, NavigableString):
            ends += [(i, end.start(), length + end.start())
                     for end in SENTENCE_END.finditer(child)]
        length += len(child.get_text() if isinstance(child, Tag) else child)
    return ends


def _cut(paragraph: Tag, end: tuple[int, int, int]) -> None:
    """Drop what follows the sentence end ``end`` (one of ``_sentence_ends``)."""
    i, offset, _ = end
    rest = paragraph.contents[i + 1:]
    paragraph.contents[i].replace_with(NavigableString(paragraph.contents[i][:offset]))
    for child in rest:
        child.extract()


def _trimmed(paragraph: Tag, budget: int) -> Tag | None:
    """A copy of ``paragraph`` without a last sentence that announces a table or a formula
    ("...:"), cut after the sentence that reaches ``budget`` characters (None if it only
    announces what follows)."""
    paragraph = copy(paragraph)
    ends = _sentence_ends(paragraph)
    if paragraph.get_text().rstrip().endswith(":"):
        if not ends:
            return None
        _cut(paragraph, ends.pop())
    long = next((end for end in ends if end[2] >= budget), None)
    if long is not None:
        _cut(paragraph, long)
    return paragraph


def _lead(section: Tag, budget: int) -> list[Tag]:
    """The text of a section's slide: its first paragraph (or list) that says something and, if
    that has no glued number and leaves room, the section's first paragraph with one, within
    about ``budget`` characters."""
    blocks = section.find_all(["p", "ul", "ol"], recursive=False)
    texts = []
    for i, block in enumerate(blocks):
        text = _trimmed(block, budget) if block.name == "p" else copy(block)
        if text is not None:
            texts.append(text)
            break
    room = budget - len(texts[0].get_text()) if texts else 0
    if texts and texts[0].select_one(".pasted-text") is None and room > 0:
        numbers = next((b for b in blocks[i + 1:]
                        if b.name == "p" and b.select_one(".pasted-text")), None)
        if numbers is not None:
            texts.append(_trimmed(numbers, room))
    return [text for text in texts if text is not None]


def _heading(heading: Tag, stem: str) -> str:
    """A heading's content (formulas included) without its anchor."""
    return _portable(copy(heading), stem).decode_contents().strip()


def _plain(heading: Tag) -> str:
    """A heading's text, as one line without its anchor."""
    return " ".join(heading.get_text().removesuffix("#").split())


def _png_aspect(path: Path) -> float | None:
    """Width over height of a PNG file, from its header (None if it is not a PNG)."""
    try:
        header = path.read_bytes()[:24]
    except OSError:
        return None
    if not header.startswith(b"\x89PNG") or len(header) < 24:
        return None
    return int.from_bytes(header[16:20], "big") / int.from_bytes(header[20:24], "big")


def _figure(image: Tag, stem: str, site: Path | None) -> tuple[str, str, bool]:
    """The figure of a slide: the image, a link to the figure on the page, and whether the figure
    is tall (it goes beside the text rather than under it)."""
    src = _from_deck(image.get("src", ""), stem)
    if src is None:
        return "", "", False
    link = ""
    figure = image.find_parent("figure")
    number = figure.select_one(".caption-number") if figure is not None else None
    if number is not None and figure.get("id"):
        link = (f' · <a href="../chapters/{stem}.html#{figure["id"]}">'
                f"{escape(number.get_text().strip())}</a> in full")
    aspect = _png_aspect(site / posixpath.normpath(posixpath.join(DECKS, src))) if site else None
    return (f'<div class="deck-figure"><img src="{escape(src)}" '
            f'alt="{escape(image.get("alt", ""))}"></div>', link,
            aspect is not None and aspect < TALL_FIGURE)


def _section_slide(section: Tag, stem: str, site: Path | None) -> str | None:
    """The slide of a section at h2 level: its title, its first paragraph or list, its first
    figure in view (None for exercises, solutions and collapsed sections); two slides when the
    text is too long to sit beside a tall figure."""
    heading = section.find("h2", recursive=False)
    if heading is None or _collapsed(section) or _plain(heading).lower() in SKIPPED_TITLES:
        return None
    image = next((img for img in section.find_all("img") if not _collapsed(img)), None)
    figure, figure_link, tall = _figure(image, stem, site) if image else ("", "", False)
    texts = _lead(section, TEXT_BUDGET[bool(figure)])
    source = (f'<p class="deck-source"><a href="../chapters/{stem}.html#{section["id"]}">More in '
              f"the chapter</a>{figure_link}</p>")
    words = f"<h2>{_heading(heading, stem)}</h2>" + "".join(str(_portable(text, stem))
                                                            for text in texts)
    if tall and sum(len(text.get_text()) for text in texts) > TEXT_BUDGET[True]:
        # Too much to read beside a tall figure (a list of steps): the text, then the figure.
        return (f'<section id="{section["id"]}">{words}</section>'
                f'<section id="{section["id"]}-figure" class="deck-beside"><div class="deck-text">'
                f"<h2>{_heading(heading, stem)}</h2>{source}</div>{figure}</section>")
    classes = ["deck-beside"] * tall
    if figure or sum(len(text.get_text()) for text in texts) > LONG_TEXT:
        classes.append("deck-small")
    attributes = f' class="{" ".join(classes)}"' if classes else ""
    if tall:
        return (f'<section id="{section["id"]}"{attributes}><div class="deck-text">{words}'
                f"{source}</div>{figure}</section>")
    return f'<section id="{section["id"]}"{attributes}>{words}{figure}{source}</section>'


def _remember_slide(box: Tag, stem: str) -> str:
    """The chapter's "Numbers to remember" box as a slide."""
    box = copy(box)
    title = box.select_one(".admonition-title")
    heading = _heading(title, stem) if title is not None else "Numbers to remember"
    if title is not None:
        title.decompose()
    size = " deck-small" if len(box.get_text()) > LONG_TEXT else ""
    return (f'<section id="numbers-to-remember" class="deck-remember{size}"><h2>{heading}</h2>'
            f"{_portable(box, stem).decode_contents().strip()}</section>")


def deck(page: str, stem: str, site: Path | None = None) -> str:
    """The reveal.js deck of a built chapter page (``page``, its HTML; ``stem``, its file name
    without .html), as an HTML page for ``slides/``; ``site``, the built site, to lay out each
    figure by its shape."""
    start, end = page.find("<article"), page.find("</article>")
    article = page[start:end] if 0 <= start < end else page
    soup = BeautifulSoup(UNUSED_MARKUP.sub("", article), "html.parser")
    heading = soup.find("h1")
    title = _heading(heading, stem) if heading is not None else escape(stem)
    slides = [f'<section id="title" class="deck-title"><h1>{title}</h1>'
              f'<p><a href="../chapters/{stem}.html">Read the chapter</a></p>'
              '<p class="deck-keys">Space or arrow keys for the next slide, Esc for all of '
              "them.</p></section>"]
    slides += filter(None, (_section_slide(section, stem, site)
                            for section in soup.find_all("section")))
    remember = next((box for box in soup.select("div.admonition.remember")
                     if not _collapsed(box)), None)
    if remember is not None:
        slides.append(_remember_slide(remember, stem))
    body = "\n".join(slides)
    # The site's MathJax, configured as on the pages (it typesets only the formulas).
    mathjax = ('<script>window.MathJax = {"options": {"processHtmlClass": "math"}}</script>\n'
               '<script defer src="../_static/mathjax/tex-chtml.js"></script>\n'
               if 'class="math' in body else "")
    page_title = escape(_plain(heading)) if heading is not None else escape(stem)
    # No transition (a slide shows at once) and no slide number (its "#/title" link and its white
    # on grey fail the site's link and contrast checks); margin 0: the slide's own padding.
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slides: {page_title}</title>
<link rel="icon" href="{FAVICON}">
<link rel="stylesheet" href="../{REVEAL}/dist/reveal.css">
<link rel="stylesheet" href="../{REVEAL}/dist/theme/white.css">
<link rel="stylesheet" href="../{REVEAL}/densing-slides.css">
{mathjax}</head>
<body>
<main class="reveal">
<div class="slides tex2jax_ignore mathjax_ignore">
{body}
</div>
</main>
<script src="../{REVEAL}/dist/reveal.js"></script>
<script>Reveal.initialize({{hash: true, width: 1280, height: 800, margin: 0, center: false,
  display: "flex", transition: "none"}});</script>
</body>
</html>
"""


def write_decks(html: Path) -> list[Path]:
    """Write the deck of every chapter page of the built site ``html``, with the reveal.js files
    they load; returns the decks."""
    import sphinx_revealjs

    reveal = Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs"
    for name in REVEAL_FILES:
        source, target = reveal / name, html / REVEAL / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)
    shutil.copyfile(Path(__file__).with_name("slides.css"), html / REVEAL / "densing-slides.css")
    decks = []
    for page in sorted((html / "chapters").glob("*.html")):
        if CHAPTER_PAGE.fullmatch(f"chapters/{page.stem}"):
            out = html / DECKS / page.name
            out.parent.mkdir(exist_ok=True)
            out.write_text(deck(page.read_text(encoding="utf-8"), page.stem, html),
                           encoding="utf-8")
            decks.append(out)
    return decks


def _write_decks(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_decks(Path(app.outdir))


def _link_deck(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Under a chapter's title, a link to its deck."""
    if "body" not in context or not CHAPTER_PAGE.fullmatch(pagename):
        return
    link = context["pathto"](f"{DECKS}/{pagename.split('/')[-1]}.html", 1)
    slides = (f'<p class="densing-slides"><a href="{link}">Slides for this chapter</a>: one slide '
              "per section, with its figure and its numbers (reveal.js, works offline).</p>")
    context["body"] = re.sub("</h1>", lambda m: m.group(0) + slides, context["body"], count=1)


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _link_deck, priority=950)  # after densing._sphinx's
    app.connect("build-finished", _write_decks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
