"""A Sphinx extension for the book's pages (listed in _config.yml), so they load without console
errors: each script once (sphinx-thebe and sphinx-togglebutton are registered twice by the
Jupyter Book 1 stack, and a script that declares a const twice throws), and a light colour mode
by default (the figures are drawn for a light background; an empty mode logs an error)."""

from __future__ import annotations

from typing import Any


def _tidy_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    context["default_mode"] = "light"
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", str(script)) or "",  # None and "" alike
               getattr(script, "attributes", {}).get("body"))  # whatever its priority
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _tidy_page, priority=900)  # after the others add scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
