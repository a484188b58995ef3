"""Figure text at least as large as the page's captions: the check every notebook figure goes
through (densing.plotting), shown to catch small text and to pass readable figures."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from densing.plotting import CAPTION_PX, COLUMN_PX, FigureTextWarning, small_text  # noqa: E402


def _figure(width_in: float, fontsize: float, dpi: float = 110):
    fig, ax = plt.subplots(figsize=(width_in, 3), dpi=dpi)
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("release date", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    return buffer.getvalue()


def test_a_wide_figure_with_small_text_is_caught():
    fig = _figure(12, 8)  # 12 in at 110 dpi is scaled to the column: 8 pt shows at ~6 px
    problems = small_text(fig, _png(fig))
    plt.close(fig)
    assert any("'release date' shows at" in p for p in problems), problems


def test_a_column_wide_figure_with_caption_sized_text_passes():
    width = COLUMN_PX / 110  # exactly the column at 110 dpi: no scaling
    fig = _figure(width * 0.95, CAPTION_PX * 72 / 110 + 0.2)
    assert small_text(fig, _png(fig)) == []
    plt.close(fig)


def test_the_threshold_is_the_caption_size_after_scaling():
    """A figure wider than the column is scaled down: the text must be larger to pass."""
    fig = _figure(9, 10)
    png = _png(fig)
    scale = COLUMN_PX / int.from_bytes(png[16:20], "big")
    assert scale < 0.9
    threshold = CAPTION_PX * 72 / 110 / scale  # points that show exactly as the captions
    for fontsize, fails in ((threshold - 0.3, True), (threshold + 0.3, False)):
        fig = _figure(9, fontsize)
        assert bool(small_text(fig, _png(fig))) == fails, (fontsize, threshold)
        plt.close(fig)


def test_a_notebook_figure_with_small_text_warns():
    """In an IPython shell, use_style's formatter warns (the book's build fails on it)."""
    from IPython.core.interactiveshell import InteractiveShell

    from densing.plotting import use_style

    shell = InteractiveShell.instance()
    use_style()
    fig = _figure(12, 8)
    with pytest.warns(FigureTextWarning, match="smaller than the page's captions"):
        shell.display_formatter.format(fig)
    readable = _figure(6.0, 11)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FigureTextWarning)
        data, _ = shell.display_formatter.format(readable)
    assert data["image/png"]  # the figure is still shown
    plt.close("all")
