"""A Sphinx extension for the book's pages (listed in _config.yml).

- Pages load without console errors or failed requests: an inline icon, each script once (sphinx-thebe and sphinx-togglebutton are
  registered twice by the Jupyter Book 1 stack, and a script that declares a const twice throws),
  and a light colour mode by default (the figures are drawn for a light background; an empty mode
  logs an error).
- Figures carry their caption as alt text, and the bibliography list no longer claims a list
  role its entries do not fill (an accessibility error).
- Bibliography labels in the author-year style of the in-text citations ("Xiao et al., 2024").
- Each chapter downloadable as a notebook that reads like its page (``densing._notebooks``), linked
  under its title; a glossary term links to the glossary's notebook.
- The density calculator of "The density of your model" runs in the browser: the build writes the
  constants of the default reference to ``_static/densing-reference.js`` and copies
  ``densing/calculator.js`` beside it.
- Tables that fit the page at 1280 px and code that wraps (``densing/book.css``).
- Where to get the package, on every page and in every notebook: the site ships it as a wheel
  (``_static/``, installable offline; densing is not on PyPI), with its install line.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote


# A ρ as the site's icon, inline: no favicon request that could fail.
FAVICON = ("data:image/svg+xml," + quote(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><text x="3" y="13" '
    'font-size="14" font-family="serif" fill="#c03030">ρ</text></svg>'))


def _tidy_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    context["default_mode"] = "light"
    context["favicon_url"] = FAVICON
    if "body" in context and _executed(app, pagename).exists():
        link = context["pathto"](f"{NOTEBOOKS}/{pagename}.ipynb", 1)
        wheel = context["pathto"](f"_static/{wheel_name()}", 1)
        download = (f'<p class="densing-notebook"><a href="{link}" download>Download this chapter '
                    "as a notebook (.ipynb)</a>: the page's numbers filled in, solutions at the "
                    f'end. It runs in any Jupyter with the densing package: download <a '
                    f'href="{wheel}" download>{wheel_name()}</a> and run <code>pip install '
                    f"{wheel_name()}</code> (in a clone of the book's repository: <code>pip "
                    "install .</code>).</p>")
        context["body"] = re.sub("</h1>", lambda m: m.group(0) + download, context["body"],
                                 count=1)
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", str(script)) or "",  # None and "" alike
               getattr(script, "attributes", {}).get("body"))  # whatever its priority
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    if "body" in context:
        context["body"] = _accessible(context["body"])


_FIGURE = re.compile(r'(<figure[^>]*>\s*<img alt=")[^"]*("[^>]*>.*?<span class="caption-text">)'
                     r'(.*?)(</span>)', re.S)


def _accessible(body: str) -> str:
    """Each figure's caption as its image's alt text; no list role on the bibliography."""
    def caption_as_alt(match: re.Match) -> str:
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(3))).split())
        return match.group(1) + html.escape(text, quote=True) + match.group(2) + \
            match.group(3) + match.group(4)

    body = _FIGURE.sub(caption_as_alt, body)
    return body.replace('<div role="list" class="citation-list">', '<div class="citation-list">')


def _author_year_labels() -> None:
    """Register the pybtex style ``authoryear``: labels "Xiao et al., 2024", as cited in the text."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                people = entry.persons.get("author", [])
                names = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people
                         if str(p) != "others"]
                if len(names) >= 3:
                    who = f"{names[0]} et al."
                elif len(names) == 1 and len(people) > 1:  # "Bhagia and others", as in the text
                    who = f"{names[0]} and others"
                elif len(names) == 2:
                    who = f"{names[0]} and {names[1]}"
                else:
                    who = names[0] if names else entry.key
                yield f"{who}, {entry.fields.get('year', 'n.d.')}"

    class AuthorYearStyle(Style):
        default_label_style = "authoryear"

    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def reference_constants() -> dict[str, Any]:
    """The default reference of ``densing.calculator`` and its refits, as the browser needs them."""
    from densing._checks import PARAMS_RANGE
    from densing.analysis import ALL_FLOORS, SCORE
    from densing.calculator import LEVEL, N_DRAWS, _analysis, _draws, _spec
    from densing.performance import NEAR_FLOOR
    from densing.reference import NEAR_TOP

    spec = _spec(None)
    reference = _analysis(spec).references[SCORE]
    law, curve, draws = reference.law, reference.curve, _draws(spec, N_DRAWS)
    return {"benchmarks": list(spec.benchmarks), "D0": spec.D0, "D0_text": f"{spec.D0:.3g}",
            "law": [law.a, law.alpha, law.b, law.beta, law.E],
            "curve": [curve.c, curve.gamma, curve.l, curve.d], "near_floor": NEAR_FLOOR,
            "near_top": NEAR_TOP, "params_range": list(PARAMS_RANGE),
            "params_range_text": [f"{v:g}" for v in PARAMS_RANGE], "level": LEVEL,
            "guessing": {b: ALL_FLOORS[b] or 0.0 for b in spec.benchmarks},
            "draws": {"law": draws.law.tolist(), "curve": draws.curve.tolist()}}


NOTEBOOKS = "_static/notebooks"


def wheel_name() -> str:
    """The file name of the package's wheel that the site ships."""
    from importlib.metadata import version

    return f"densing-{version('densing')}-py3-none-any.whl"


def install_line() -> str:
    """Where a notebook reader gets the package (Markdown), as each page says it."""
    return (f"*This notebook needs the `densing` package. Download `{wheel_name()}` from the "
            f"book's site (`_static/{wheel_name()}`, linked under every chapter's title) and run "
            f"`pip install {wheel_name()}`; in a clone of the book's repository, `pip install "
            ".`.*")


def _write_wheel(app: Any, exception: Exception | None) -> None:
    """Build the package's wheel into ``_static`` from a copy of its sources (the checkout gets
    no build folders)."""
    if exception is not None or app.builder.format != "html":
        return
    import contextlib
    import io
    import tempfile

    from setuptools import build_meta

    root, static = Path(app.srcdir), Path(app.outdir) / "_static"
    static.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        for name in ("pyproject.toml", "README.md"):
            (source / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(root / name, source / name)
        shutil.copytree(root / "densing", source / "densing",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(root / "data", source / "data",
                        ignore=shutil.ignore_patterns("__pycache__"))
        with contextlib.chdir(source), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):  # setuptools' log, not the build's
            built = build_meta.build_wheel(str(static))
    if built != wheel_name():
        raise RuntimeError(f"the wheel is {built}, not {wheel_name()}")


def _executed(app: Any, docname: str) -> Path:
    """The notebook MyST-NB executed for ``docname``."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def _write_notebooks(app: Any, exception: Exception | None) -> None:
    """Every executed chapter as a notebook that reads like its page."""
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    from densing._notebooks import glue_values, readable_notebook

    env = app.env
    labels = env.domaindata["std"]["labels"]
    terms = env.domaindata["std"].get("terms", {})  # glossary terms, lower case: (doc, anchor)
    citations = _citation_labels(Path(app.srcdir) / "references.bib")
    figures = {name: (doc, numbers) for doc, kinds in env.toc_fignumbers.items()
               for name, numbers in kinds.get("figure", {}).items()}

    for docname in sorted(env.found_docs):
        executed = _executed(app, docname)
        if not executed.exists():
            continue

        def resolve(role: str, target: str, here: str = docname) -> str:
            text, _, label = target.rpartition("<")
            label = (label.rstrip(">") if text else target).strip()
            if role == "cite":
                return "(" + "; ".join(citations[key.strip()] for key in label.split(",")) + ")"
            if role == "numref":
                return "Fig. " + ".".join(str(n) for n in figures[label][1])
            if role == "term":  # the term's text, linked to the glossary's notebook
                doc, _ = terms[" ".join(label.split()).lower()]
                shown = " ".join((text or target).split())
                return shown if doc == here else f"[{shown}]({Path(doc).name}.ipynb)"
            doc, _, title = labels[label]
            shown = text.strip() or title
            return shown if doc == here else f"[{shown}]({Path(doc).name}.ipynb)"

        def figure_number(name: str) -> str:
            return "Fig. " + ".".join(str(n) for n in figures[name][1]) if name in figures \
                else "Figure"

        glue_file = executed.with_suffix(".glue.json")
        glued = glue_values(json.loads(glue_file.read_text())) if glue_file.exists() else {}
        exercises = env.toc_fignumbers.get(docname, {}).get("exercise", {})
        numbers = [".".join(map(str, n)) for n in sorted(exercises.values())]
        notebook = readable_notebook(json.loads(executed.read_text()), glued, resolve,
                                     figure_number, install_line(), numbers)
        out = Path(app.outdir) / NOTEBOOKS / f"{docname}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.from_dict(notebook), str(out))


def _citation_labels(bib: Path) -> dict[str, str]:
    """Each bibliography key's author-year label, as the pages print it."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    entries = parse_file(str(bib)).entries
    labels = find_plugin("pybtex.style.labels", "authoryear")().format_labels(entries.values())
    return dict(zip(entries.keys(), labels, strict=True))


def _write_static(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(exist_ok=True)
    constants = json.dumps(reference_constants(), allow_nan=False)
    (static / "densing-reference.js").write_text(f"window.DENSING_REFERENCE = {constants};\n")
    shutil.copyfile(Path(__file__).with_name("calculator.js"), static / "densing-calculator.js")
    shutil.copyfile(Path(__file__).with_name("explorer.js"), static / "densing-explorer.js")
    shutil.copyfile(Path(__file__).with_name("book.css"), static / "densing-book.css")


# Extensions that do not say whether pages can be read in parallel, so Sphinx would read (and
# execute) one page at a time. Each acts only in the main process: mathjax-offline copies files
# when the build finishes, jupyterbook-latex only for the LaTeX builder, multitoc-numbering when
# sections are numbered after reading (densing/_book.py runs the parallel read).
READ_SAFE = ("sphinx-mathjax-offline", "sphinx_jupyterbook_latex", "sphinx_multitoc_numbering")


def _declare_read_safe(app: Any, config: Any) -> None:
    for name in READ_SAFE:
        if name in app.extensions and app.extensions[name].parallel_read_safe is None:
            app.extensions[name].parallel_read_safe = True


def setup(app: Any) -> dict[str, Any]:
    _author_year_labels()
    app.connect("config-inited", _declare_read_safe)  # once every extension is loaded
    app.connect("html-page-context", _tidy_page, priority=900)  # after the others add scripts
    app.add_css_file("densing-book.css", priority=900)  # after the theme's (densing/book.css)
    app.connect("build-finished", _write_static)
    app.connect("build-finished", _write_notebooks)
    app.connect("build-finished", _write_wheel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
