"""Every source cell in data/ is something a reader can follow (a URL, an arXiv id, a DOI, or a
named document with a table, section, figure or page), and no cell points into the curation
tools."""

from __future__ import annotations

import pandas as pd
import pytest

from densing.data import (DATA_DIR, has_internal_pointer, is_followable_source, load_models,
                          load_prices, source_columns)

TABLES = sorted(DATA_DIR.glob("*.csv"))


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_data_tables_are_found():
    names = {path.name for path in TABLES}
    assert {"models.csv", "api_prices.csv", "early_models.csv", "chip_trends.csv",
            "alternative_scores.csv", "paper_values.csv", "paper_facts.csv", "field_rates.csv",
            "critiques.csv"} <= names


@pytest.mark.parametrize("path", TABLES, ids=lambda path: path.name)
def test_every_source_cell_is_followable(path):
    table = _read(path)
    failures = [(row + 2, column, text) for column in source_columns(table)
                for row, text in table[column].items()
                if text.strip() and not is_followable_source(text)]
    if failures:
        row, column, text = failures[0]
        pytest.fail(f"{path.name}: {len(failures)} source cell(s) a reader cannot follow; first: "
                    f"row {row}, column {column!r}: {text[:160]!r}")


@pytest.mark.parametrize("path", TABLES + [DATA_DIR / "README.md"], ids=lambda path: path.name)
def test_no_cell_points_into_the_curation_tools(path):
    if path.suffix == ".md":
        lines = path.read_text(encoding="utf-8").splitlines()
        bad = [(n + 1, "text", line) for n, line in enumerate(lines) if has_internal_pointer(line)]
    else:
        table = _read(path)
        bad = [(row + 2, column, text) for column in table.columns
               for row, text in table[column].items() if has_internal_pointer(text)]
    assert not bad, (f"{path.name}: {len(bad)} cell(s) cite an internal index; first: row "
                     f"{bad[0][0]}, column {bad[0][1]!r}: {bad[0][2][:160]!r}")


@pytest.mark.parametrize("text", [
    "copy in code index id 123",
    "stored copy",
    "GPT-4 Technical Report Table 2 (text copy in the code index, ids 55305167787 / 34343276991)",
    "https://openai.com/index/hello-gpt-4o (pages-corpus copy)",
    "Simon Willison newsletter copy (index id 54779152125)",
    "read via a stored copy of the card",
    "quoted in a third-party README copy",
    "Llama 4 model card ('17B (Activated) 400B (Total)')",
    "from the model name (OLMo 2 13B)",
    "",
    "   ",
    None,
])
def test_rule_refuses_internal_or_unlocated_pointers(text):
    assert not is_followable_source(text)


@pytest.mark.parametrize("text", [
    "LLaMA paper (arXiv:2302.13971) Table 2",
    "https://huggingface.co/meta-llama/Llama-2-7b",
    "OpenAI API docs 'Deprecations' page (platform.openai.com/docs/deprecations)",
    "arXiv 2412.04315v2, Sec. 3.3",
    "Nature Machine Intelligence 7, 1823-1833 (2025), doi:10.1038/s42256-025-01137-0",
    "Qwen2 technical report, Table 6, column Qwen2-7B",
    "Densing Law paper Sec. 3.4",
    "Claude 2 model card, §4.3",
])
def test_rule_accepts_urls_arxiv_ids_dois_and_located_documents(text):
    assert is_followable_source(text)


def test_internal_pointer_detection():
    assert has_internal_pointer("(copy in code index id 25298984745)")
    assert has_internal_pointer("verbatim copies code index ids 17300629778, 71002933187")
    assert has_internal_pointer("Card read via stored copy (search index id 61845451519)")
    assert not has_internal_pointer("trained on a 2.64 trillion token corpus")
    assert not has_internal_pointer("model id gpt-4.1-nano-2025-04-14")


@pytest.mark.parametrize(("name", "loader", "column"), [
    ("api_prices.csv", load_prices, "price_source"),
    ("models.csv", load_models, "mmlu_source"),
])
def test_loaders_refuse_an_unfollowable_source(tmp_path, name, loader, column):
    table = _read(DATA_DIR / name)
    first = table.index[table[column] != ""][0]
    table.loc[first, column] = "copy in code index id 123"
    table.to_csv(tmp_path / name, index=False)
    with pytest.raises(ValueError, match=f"{column} of .* is not a followable source"):
        loader(tmp_path / name)


def test_gemini_flash_price_cut_is_dated_august_2024():
    """The paper's '$0.075 by August 2024' point: Google cut Gemini 1.5 Flash's input price from
    $0.35 to $0.075 per million tokens in August 2024 (announced 2024-08-08)."""
    prices = load_prices()
    cut = prices[prices["model"].str.startswith("gemini-1.5-flash")
                 & prices["input_usd_per_mtok"].eq(0.075)]
    assert len(cut) == 1
    date = cut["price_date"].iloc[0]
    assert (date.year, date.month) == (2024, 8), date
    before = prices[prices["model"].str.startswith("gemini-1.5-flash")
                    & prices["input_usd_per_mtok"].eq(0.35)]
    assert len(before) == 1 and before["price_date"].iloc[0] < date
    assert "2024-08-08" in cut["price_date_source"].iloc[0] or \
        "Aug/8" in cut["price_date_source"].iloc[0]


def test_the_journal_figures_are_marked_as_read_at_second_hand():
    """The journal's "3.5 months" was read from a forum mirror but tagged as the paper: every
    journal figure we could not read in the journal itself says so in its source."""
    from densing.data import load_paper_values

    journal = load_paper_values().query("version == 'journal (2025)' and value == value")
    assert len(journal) and journal["source"].str.startswith("secondary:").all(), \
        journal.loc[~journal["source"].str.startswith("secondary:"), "quantity"].tolist()
