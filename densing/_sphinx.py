"""A Sphinx extension for the book's pages (listed in _config.yml).

- Pages load without console errors: each script once (sphinx-thebe and sphinx-togglebutton are
  registered twice by the Jupyter Book 1 stack, and a script that declares a const twice throws),
  and a light colour mode by default (the figures are drawn for a light background; an empty mode
  logs an error).
- The density calculator of "The density of your model" runs in the browser: the build writes the
  constants of the default reference to ``_static/densing-reference.js`` and copies
  ``densing/calculator.js`` beside it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
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


def reference_constants() -> dict[str, Any]:
    """The default reference of ``densing.calculator`` and its refits, as the browser needs them."""
    from densing.analysis import SCORE
    from densing.calculator import LEVEL, N_DRAWS, PARAMS_RANGE, _analysis, _draws, _spec
    from densing.performance import NEAR_FLOOR

    spec = _spec(None)
    reference = _analysis(spec).references[SCORE]
    law, curve, draws = reference.law, reference.curve, _draws(spec, N_DRAWS)
    return {"benchmarks": list(spec.benchmarks), "D0": spec.D0, "D0_text": f"{spec.D0:.3g}",
            "law": [law.a, law.alpha, law.b, law.beta, law.E],
            "curve": [curve.c, curve.gamma, curve.l, curve.d], "near_floor": NEAR_FLOOR,
            "params_range": list(PARAMS_RANGE),
            "params_range_text": [f"{v:g}" for v in PARAMS_RANGE], "level": LEVEL,
            "draws": {"law": draws.law.tolist(), "curve": draws.curve.tolist()}}


def _write_calculator(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(exist_ok=True)
    constants = json.dumps(reference_constants(), allow_nan=False)
    (static / "densing-reference.js").write_text(f"window.DENSING_REFERENCE = {constants};\n")
    shutil.copyfile(Path(__file__).with_name("calculator.js"), static / "densing-calculator.js")


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _tidy_page, priority=900)  # after the others add scripts
    app.connect("build-finished", _write_calculator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
