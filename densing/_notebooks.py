"""Each chapter as a notebook that reads like its page (written by the book build).

MyST-NB executes every chapter into ``_build/jupyter_execute``; those notebooks still hold the
book's markup. ``readable_notebook`` rewrites one so that Jupyter shows what the page shows:
glued numbers filled in, cross-references, glossary terms and citations as text or links,
admonitions as quotes, the glossary as a list of bold terms, exercises numbered, solutions moved
to a "Solutions" section at the end, figure captions under their figures, and outputs only the
reader can see (glue records dropped). Its code runs in a plain kernel: without MyST-NB,
``glue`` becomes a function that does nothing.
"""

from __future__ import annotations

import ast
import copy
import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

GLUE_FALLBACK = """try:
    from myst_nb import glue
except ImportError:  # a plain kernel: the page's numbers are already in the text
    def glue(name, value, display=True):
        return None"""

_ROLE = re.compile(r"\{(glue:text|glue|ref|numref|cite|term)\}`([^`]*)`")
_DIRECTIVE = re.compile(r"```\{(\w[\w-]*)\}([^\n]*)\n(.*?)```", re.S)
# The same in a colon fence (:::{dropdown} Going deeper ... :::), closed by a fence as long.
_COLON_DIRECTIVE = re.compile(r"^(:{3,})\{(\w[\w-]*)\}([^\n]*)\n(.*?)^\1[ \t]*$", re.S | re.M)
_LABEL_LINE = re.compile(r"^\([\w-]+\)=\s*$", re.M)
_NUMPY_SCALAR = re.compile(r"^np\.(?:float|int|bool_)\w*\((.*)\)$")


def readable_notebook(notebook: dict, glued: dict[str, Any], resolve: Callable[[str, str], str],
                      figure_number: Callable[[str], str], install: str = "",
                      exercise_numbers: Sequence[str] = ()) -> dict:
    """A copy of the executed ``notebook`` that reads like the page.

    ``glued``: the chapter's glue values by name; ``resolve(role, target)``: the text (or Markdown
    link) for a ``ref``, ``numref``, ``cite`` or ``term`` role; ``figure_number(name)``: e.g.
    "Fig. 3" for a named figure; ``install``: where to get the package, placed under the title;
    ``exercise_numbers``: the page's number of each exercise, in order (default 1, 2, ...).
    """
    notebook = copy.deepcopy(notebook)
    cells, solutions, exercise = [], [], 0
    in_solution: list | None = None
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = _LABEL_LINE.sub("", "".join(cell["source"]))
            while text:
                marker = "```{solution-start}" if in_solution is None else "```{solution-end}"
                before, found, rest = text.partition(marker)
                before, exercise, inline = _directives(before, exercise, exercise_numbers)
                solutions += [_markdown(_roles(s, glued, resolve)) for s in inline]
                _append_markdown(cells if in_solution is None else in_solution, before, glued,
                                 resolve)
                if not found:
                    break
                if in_solution is None:
                    label = rest.split("\n", 1)[0].strip()
                    in_solution = [_markdown(f"### Solution to exercise "
                                             f"{_number(exercise, exercise_numbers)} ({label})")]
                else:
                    solutions += in_solution
                    in_solution = None
                text = rest.split("```", 1)[1] if "```" in rest else ""
        elif cell["cell_type"] == "code":
            cell["source"] = "".join(cell["source"]).replace("from myst_nb import glue",
                                                             GLUE_FALLBACK)
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if "scrapbook" not in o.get("metadata", {})]
            for output in cell["outputs"]:  # MyST shown by a cell (a table linking chapters)
                markdown = output.get("data", {}).get("text/markdown")
                if markdown is not None:
                    output["data"]["text/markdown"] = _roles("".join(markdown), glued, resolve)
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            target = in_solution if in_solution is not None else cells
            target.append(cell)
            if figure:
                number = figure_number(figure["name"]) if "name" in figure else "Figure"
                caption = " ".join(figure.get("caption", "").split())
                target.append(_markdown(f"*{number}: {_roles(caption, glued, resolve)}*"))
        else:
            cells.append(cell)
    if solutions:
        cells.append(_markdown("## Solutions"))
        cells += solutions
    if install:  # under the title, before anything else
        first = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), 0)
        title, _, rest = "".join(cells[first]["source"]).partition("\n") if cells else ("", "", "")
        if title.startswith("# "):
            cells[first:first + 1] = [_markdown(title), _markdown(install)] + (
                [_markdown(rest.strip())] if rest.strip() else [])
        else:
            cells.insert(0, _markdown(install))
    for number, cell in enumerate(cells):  # nbformat 4.5: every cell has a unique id
        if "id" not in cell:
            cell["id"] = f"densing-{number}"
    notebook["cells"] = cells
    notebook["metadata"].pop("source_map", None)
    return notebook


def _append_markdown(cells: list, text: str, glued: dict, resolve: Callable) -> None:
    text = text.strip()
    if text:
        cells.append(_markdown(_roles(text, glued, resolve)))


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _number(exercise: int, numbers: Sequence[str]) -> str:
    """The page's number of the ``exercise``-th exercise (1-based)."""
    return numbers[exercise - 1] if exercise <= len(numbers) else str(exercise)


def _directives(text: str, exercise: int, numbers: Sequence[str] = ()
                ) -> tuple[str, int, list[str]]:
    """Admonitions as quotes, exercises numbered as on the page (``numbers``), inline solutions
    taken out (returned), raw HTML replaced by a note."""
    inline: list[str] = []

    def render(name: str, argument: str, options: str) -> str:
        nonlocal exercise
        argument = argument.strip()
        body = "\n".join(line for line in options.splitlines()
                         if not re.match(r":\w[\w-]*:", line)).strip()
        if name == "dropdown":  # open in a notebook: its title, then what it holds
            return f"**{argument}**\n\n{body}"
        if name == "admonition":
            return "\n".join(["> **" + argument + "**", ">"] + [f"> {line}".rstrip()
                                                                for line in body.splitlines()])
        if name == "exercise":
            exercise += 1
            return f"**Exercise {_number(exercise, numbers)}.** {body}"
        if name == "solution":
            inline.append(f"### Solution to exercise {_number(exercise, numbers)} ({argument})"
                          f"\n\n{body}")
            return ""
        if name == "raw":
            return ("*The interactive calculator runs on the book's web page; in a notebook, use "
                    "`density_of` as above.*")
        if name == "bibliography":
            return ""
        if name == "glossary":
            return _glossary(body, sort=":sorted:" in options.splitlines())
        return body

    def backticks(match: re.Match) -> str:
        return render(*match.group(1, 2, 3))

    def colons(match: re.Match) -> str:
        return _DIRECTIVE.sub(backticks, render(*match.group(2, 3, 4)))

    while (unfenced := _COLON_DIRECTIVE.sub(colons, text)) != text:  # outer fences first
        text = unfenced
    return _DIRECTIVE.sub(backticks, text), exercise, inline


def _glossary(body: str, sort: bool = False) -> str:
    """A glossary directive's body (terms flush left, each definition indented under its terms)
    as Markdown paragraphs, "**term** / **other name**: definition"; ``sort``: in the order of the
    first terms, as the page shows them with ``:sorted:``."""
    entries: list[tuple[list[str], list[str]]] = []
    for line in body.splitlines():
        if line.strip() and not line[0].isspace():  # a term
            if not entries or entries[-1][1]:
                entries.append(([], []))
            entries[-1][0].append(line.strip())
        elif entries:  # a line of the current definition (or a blank line inside it)
            entries[-1][1].append(line)
    if sort:
        entries.sort(key=lambda entry: entry[0][0].lower())
    return "\n\n".join(" / ".join(f"**{term}**" for term in terms) + ": "
                        + textwrap.dedent("\n".join(definition)).strip()
                        for terms, definition in entries)


def _roles(text: str, glued: dict[str, Any], resolve: Callable[[str, str], str]) -> str:
    def replace(match: re.Match) -> str:
        role, target = match.group(1), match.group(2)
        if role.startswith("glue"):
            name, _, spec = target.partition(":")
            return format(glued[name], spec) if spec else str(glued[name])
        return resolve(role, target)

    return _ROLE.sub(replace, text)


def glue_values(records: dict[str, dict]) -> dict[str, Any]:
    """The values of a chapter's ``.glue.json`` (their ``text/plain`` representation, read back as
    Python literals where they are)."""
    values = {}
    for name, record in records.items():
        text = record.get("data", {}).get("text/plain", "")
        text = _NUMPY_SCALAR.sub(r"\1", text)  # np.float64(9.95) is printed as 9.95 on the page
        try:
            values[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            try:
                values[name] = float(text)  # 'inf' and 'nan', which are not literals
            except ValueError:
                values[name] = text
    return values
