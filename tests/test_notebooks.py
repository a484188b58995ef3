"""The notebook export reads glued values as the page prints them and numbers exercises as the
page does (densing._notebooks)."""

from __future__ import annotations

import math

from densing._notebooks import glue_values, readable_notebook


def record(text: str) -> dict:
    return {"data": {"text/plain": text}}


def test_glued_values_are_read_back_as_numbers():
    values = glue_values({"numpy": record("np.float64(9.951534)"), "open": record("inf"),
                          "int": record("np.int64(12)"), "word": record("'shorter'"),
                          "date": record("2024-10-31")})
    assert values["numpy"] == 9.951534 and format(values["numpy"], ".0f") == "10"
    assert math.isinf(values["open"]) and values["int"] == 12
    assert values["word"] == "shorter" and values["date"] == "2024-10-31"


def test_exercises_take_the_page_numbers_and_the_install_line_follows_the_title():
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Title\n\nIntro."},
             {"cell_type": "markdown", "metadata": {},
              "source": "```{exercise}\n:label: ex-a\nDo A.\n```\n\n```{exercise}\nDo B.\n```"}]
    notebook = readable_notebook({"cells": cells, "metadata": {}}, {}, lambda r, t: t,
                                 lambda name: "Fig. 1", install="INSTALL",
                                 exercise_numbers=["7", "8"])
    text = ["".join(c["source"]) for c in notebook["cells"]]
    assert text[:3] == ["# Title", "INSTALL", "Intro."]
    assert "**Exercise 7.** Do A." in text[3] and "**Exercise 8.** Do B." in text[3]


def test_myst_roles_in_a_cells_markdown_output_become_links():
    """The answer page's table links each row's chapter with {ref}; its notebook shows links."""
    table = "| claim | chapter |\n|---|---|\n| doubling | {ref}`The densing law <densing-law>` |"
    cells = [{"cell_type": "code", "metadata": {}, "source": "show(table)", "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": table}}]}]
    notebook = readable_notebook({"cells": cells, "metadata": {}}, {},
                                 lambda role, target: "[The densing law](05_densing_law.ipynb)",
                                 lambda name: "Fig. 1")
    shown = notebook["cells"][0]["outputs"][0]["data"]["text/markdown"]
    assert "{ref}" not in shown and "[The densing law](05_densing_law.ipynb)" in shown


def test_colon_fenced_blocks_open_in_the_notebook_with_their_titles():
    """A collapsed "going deeper" block and the numbers-to-remember box keep their titles."""
    text = ("Before.\n\n::::{dropdown} Going deeper: the bootstrap\nDraws and refits.\n\n"
            ":::{admonition} Inside\n:class: note\nNested.\n:::\n::::\n\n"
            ":::{admonition} Numbers to remember\n:class: remember\n- **84 days**: doubling.\n:::")
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text}]
    notebook = readable_notebook({"cells": cells, "metadata": {}}, {}, lambda r, t: t,
                                 lambda name: "Fig. 1")
    shown = "".join(notebook["cells"][0]["source"])
    assert ":::" not in shown and ":class:" not in shown, shown
    assert "**Going deeper: the bootstrap**\n\nDraws and refits." in shown
    assert "> **Inside**" in shown and "> Nested." in shown
    assert "> **Numbers to remember**" in shown and "> - **84 days**: doubling." in shown
