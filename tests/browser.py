"""What a reader's browser sees: serve the built site on 127.0.0.1 and check a page in headless
Chromium (Debian's /usr/bin/chromium, driven by playwright; no browser is downloaded).

``check_page`` returns the problems of one page, each a line naming what is wrong: console
errors, failed or outside requests (the site must work offline), images that did not load or
lack a meaningful alt text, output tables in view wider than the text column at 1280 px, figures
shown smaller than ``densing.plotting`` assumes when it checks their text against the captions,
internal links that do not resolve, raw TeX left in the text, a plotly figure that shows no model
on hover, and serious accessibility violations (axe-core).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERIOUS = ("serious", "critical")
# TeX that MathJax did not typeset: delimiters, or a macro the book uses, in visible text.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\(frac|hat|ln|rho|alpha|beta|gamma|text)\b")

_VISIBLE_TEXT = """() => {
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('pre, code, script, style, mjx-container, .MathJax')) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""

_IMAGES = """() => Array.from(document.images).map(img => ({
  src: img.getAttribute('src'), alt: img.getAttribute('alt'),
  loaded: img.complete && img.naturalWidth > 0}))"""


# Output tables in view (not inside a collapsed block) wider than the text column: a reader would
# have to scroll sideways to see their last columns.
_WIDE_TABLES = """() => {
  const column = document.querySelector('article.bd-article') || document.querySelector('main');
  const room = column.getBoundingClientRect().width;
  return Array.from(document.querySelectorAll('div.cell_output table'))
    .filter(t => t.checkVisibility() && !t.closest('details:not([open])')
                 && t.getBoundingClientRect().width > room + 1)
    .map(t => ({width: Math.round(t.getBoundingClientRect().width), room: Math.round(room),
                head: (t.querySelector('th, td') || {}).textContent || ''}));
}"""


# Figures and captions as densing.plotting.small_text assumes them: a figure is shown at its own
# width or the column's (COLUMN_PX), never squeezed narrower; captions are at most CAPTION_PX.
_FIGURE_SIZES = """() => ({
  captions: Array.from(document.querySelectorAll('figcaption'))
    .map(c => parseFloat(getComputedStyle(c.querySelector('.caption-text') || c).fontSize)),
  figures: Array.from(document.querySelectorAll('div.cell_output img, figure img'))
    .filter(img => img.checkVisibility() && img.naturalWidth > 0)
    .map(img => ({src: img.getAttribute('src'), natural: img.naturalWidth,
                  shown: img.getBoundingClientRect().width}))})"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pages(html: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (the slide decks have their own check,
    tests/test_slides.py)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not {"_static", "_sources", "_images", "slides"} & set(p.parts))


def reader(browser, base: str):
    """A page that records console errors and failed or outside requests, and is cut off from
    everything but ``base`` (as a reader offline would be). ``visit`` takes it from page to page:
    one tab for many pages costs a third of the CPU of a new tab for each (measured: 15 against
    47 CPU-seconds for the site's 17 chapter pages)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems, page.fetched = [], {}  # fetched: the site's pages, by URL (see _broken_links)
    page.on("console", lambda m: page.problems.append(f"console error: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: page.problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)

    def offline(route) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            page.problems.append(f"request outside the site: {url}")
            route.abort()

    page.route("**/*", offline)
    return page


def visit(page, url: str):
    """``page`` (from ``reader``) at ``url``, typeset, with the problems of this visit only."""
    page.problems.clear()
    forwards = re.search(r'http-equiv="refresh"', page.request.get(url).text(), re.I)
    page.goto(url, wait_until="load")  # MathJax, which loads more, is awaited next
    if forwards:  # index.html forwards to the first chapter
        page.wait_for_url(lambda now: now != url, wait_until="load")
    page.wait_for_function("() => window.MathJax === undefined || "
                           "(MathJax.startup !== undefined && MathJax.startup.promise !== undefined)")
    page.evaluate("() => window.MathJax === undefined || MathJax.startup.promise")  # typeset done
    return page


def open_page(browser, url: str, base: str):
    """A new ``reader`` page at ``url``."""
    return visit(reader(browser, base), url)


def check_page(page, base: str, path: str, screenshot: Path | None = None) -> list[str]:
    """The problems of the page at ``path`` (empty when it is clean), seen by ``page``, a
    ``reader``."""
    visit(page, f"{base}/{path}")
    problems = []
    raw = [m.group(0) for m in RAW_TEX.finditer(page.evaluate(_VISIBLE_TEXT))]
    if raw:
        problems.append(f"raw TeX in the text: {len(raw)} spans, e.g. {raw[0]!r}")
    for image in page.evaluate(_IMAGES):
        if not image["loaded"]:
            problems.append(f"image did not load: {image['src']}")
        alt = (image["alt"] or "").strip()
        if not alt or alt.endswith(".png") or "_images/" in alt:
            problems.append(f"image without a meaningful alt text: {image['src']} (alt {alt!r})")
    for table in page.evaluate(_WIDE_TABLES):
        problems.append(f"table wider than the text column ({table['width']} px > "
                        f"{table['room']} px), starting {table['head'].strip()[:30]!r}")
    problems += _figure_sizes(page)
    problems += _broken_links(page, base, path)
    if page.locator(".plotly-graph-div").count():
        problems += _dead_plotly(page)
    # The console and the network until now; not axe's own requests after it (it fetches the
    # theme's @import relative to the page, not to the stylesheet, where no reader's browser goes).
    problems = page.problems + problems
    problems += _accessibility(page, full=path == FULL_PAGE)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return [f"{path}: {p}" for p in problems]


def _figure_sizes(page) -> list[str]:
    """Figures shown narrower, or captions larger, than the figure-text check assumes."""
    from densing.plotting import CAPTION_PX, COLUMN_PX

    sizes = page.evaluate(_FIGURE_SIZES)
    problems = [f"caption text at {size:.1f} px, larger than the {CAPTION_PX} px figures are "
                "checked against" for size in sizes["captions"] if size > CAPTION_PX + 0.05]
    problems += [f"figure shown at {figure['shown']:.0f} px, narrower than the "
                 f"{min(figure['natural'], COLUMN_PX)} px its text was checked at: "
                 f"{figure['src'][:60]}" for figure in sizes["figures"]
                 if figure["shown"] < min(figure["natural"], COLUMN_PX) - 1]
    return problems


def _broken_links(page, base: str, path: str) -> list[str]:
    """Internal links whose page does not exist or whose anchor is not on it (each page fetched
    once per ``reader``: every page links to every chapter)."""
    problems, fetched = [], page.fetched
    here = page.url  # after any redirect (index.html forwards to the first chapter)
    for href in set(page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")):
        url = urljoin(here, href)
        if urlparse(url).netloc != urlparse(base).netloc:
            continue
        target, fragment = urldefrag(url)
        if target not in fetched:
            response = page.request.get(target)
            fetched[target] = response.text() if response.ok else None
        text = fetched[target]
        if text is None:
            problems.append(f"internal link does not resolve: {href}")
        elif fragment and f'id="{fragment}"' not in text:
            problems.append(f"internal link to a missing anchor: {href}")
    return problems


def _dead_plotly(page) -> list[str]:
    """Hover the first plotted point of each interactive figure: a label naming a model must
    appear."""
    problems = []
    for i in range(page.locator(".plotly-graph-div").count()):
        figure = page.locator(".plotly-graph-div").nth(i)
        figure.scroll_into_view_if_needed()
        points = figure.locator("g.points path")
        if points.count() == 0:
            problems.append(f"interactive figure {i + 1} has no points (plotly did not draw)")
            continue
        points.last.hover(force=True)
        page.wait_for_timeout(300)
        label = figure.locator(".hoverlayer").first.text_content() or ""
        if not label.strip():
            problems.append(f"interactive figure {i + 1}: hovering a point shows no model")
    return problems


# Axe's rules on highlighted code, output tables and text, and formulas (colour contrast, its
# slowest, on every span of code) find the same on every page, since they share the theme and the
# table style: they are checked on one page (FULL_PAGE), everything else on every page.
FULL_PAGE = "chapters/04_density.html"
_SHARED = [[".highlight"], [".cell_output table"], [".cell_output pre"], ["mjx-container"]]


def _accessibility(page, full: bool = False) -> list[str]:
    """Serious accessibility violations (axe-core) on the page, outside the parts every page
    shares (everywhere when ``full``)."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, context=None if full else {"exclude": _SHARED})
    return [f"accessibility ({v['impact']}): {v['id']}: {v['help']} "
            f"({len(v['nodes'])} elements)"
            for v in result.response["violations"] if v["impact"] in SERIOUS]
