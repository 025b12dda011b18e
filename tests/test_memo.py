"""The caches kept across documents stay within their budget, and never change what the cleaner writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.boilerplate import engine
from cleaner.document import Document
from cleaner.memo import ENTRY_COST, LineTable, line_cache
from cleaner.pipeline import Cleaner
from cleaner.ruleset.registry import SHAPES, RepairContext
from cleaner.settings import Settings
from cleaner.steps import glue, repairs
from cleaner.text import tokens

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))


def test_line_table_empties_when_its_budget_is_spent() -> None:
    table: LineTable[str, int] = LineTable(budget=3 * (10 + ENTRY_COST))
    for k in range(10):
        table.put(f"line {k:05d}", k, 10)
        assert table.used <= table.budget
        assert len(table) <= 3
        assert table[f"line {k:05d}"] == k  # the newest answer is always kept
    table.put("x" * 1000, 1, 1000)  # over the budget alone: not kept, nothing dropped for it
    assert "x" * 1000 not in table
    assert len(table) == 1


def test_line_cache_gives_the_function_answers() -> None:
    calls: list[str] = []

    @line_cache(budget=2 * (5 + ENTRY_COST))
    def upper(line: str) -> str:
        calls.append(line)
        return line.upper()

    assert [upper(w) for w in ("abcde", "abcde", "fghij", "klmno", "abcde")] == [
        "ABCDE",
        "ABCDE",
        "FGHIJ",
        "KLMNO",
        "ABCDE",
    ]
    assert calls == ["abcde", "fghij", "klmno", "abcde"]  # the second "abcde" from the cache; the last after a clear


def _tables() -> Iterator[LineTable]:  # type: ignore[type-arg]
    yield tokens._words.table  # type: ignore[attr-defined]
    yield glue._glue_points.table  # type: ignore[attr-defined]
    yield repairs._fixed_line.table  # type: ignore[attr-defined]
    for shape in SHAPES.values():
        yield shape.table  # type: ignore[attr-defined]
    for _rules, table in engine._TABLES.values():
        yield table


def _clean_all(texts: list[str]) -> list[tuple[str, list[str]]]:
    cleaner = Cleaner(Settings())
    out = []
    for k, text in enumerate(texts):
        doc = cleaner.clean(Document(f"d{k}", text))
        out.append((doc.text, [repr(e) for e in doc.edits]))
        for table in _tables():
            assert table.used <= table.budget
    return out


def test_small_budgets_bound_the_caches_and_change_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """With budgets far smaller than a document, the tables are emptied mid-document, again and again:
    the outputs are those of the default budgets, and no table holds more than its budget."""
    texts = [p.read_text("utf-8") for p in ARTICLES]
    assert len(texts) >= 5
    expected = _clean_all(texts)
    assert any(len(t) for t in _tables())
    small = 4 * (40 + ENTRY_COST)
    monkeypatch.setattr(engine, "LineTable", lambda: LineTable(small))
    engine._TABLES.clear()
    for table in _tables():
        table.clear()
        monkeypatch.setattr(table, "budget", small)
    assert _clean_all(texts) == expected
    engine._TABLES.clear()


def test_glue_points_are_the_callers_own() -> None:
    """The points of a line are kept across calls: a caller that changes its list changes no later answer."""
    line = "Read MoreChina shows reforms resolve in graft crackdown"
    first = glue.glue_points(line)
    first.append(99)
    assert glue.glue_points(line) == [9]


def test_a_line_ftfy_fixed_once_is_fixed_again_where_it_stands() -> None:
    """ftfy's answer for a line is kept: the same line in another text (at another offset) gets its own edits."""
    ctx = RepairContext("EN001", "fix-encoding")
    line = "The Mona Lisa doesnâ€™t have eyebrows."
    first, edits = repairs.fix_encoding(line, ctx)
    second, later = repairs.fix_encoding("Intro line here\n" + line, ctx)
    assert second == "Intro line here\n" + first == "Intro line here\nThe Mona Lisa doesn’t have eyebrows."
    assert [(e.start - 16, e.end - 16, e.inserted, e.note) for e in later] == [
        (e.start, e.end, e.inserted, e.note) for e in edits
    ]
    assert repairs.fix_encoding("Plain “curly” text.", ctx) == ("Plain “curly” text.", [])
