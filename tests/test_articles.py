"""Never damage good text: clean articles (written to be hard for a careless rule) stay unchanged.

The files in ``fixtures/articles`` are whole articles with no boilerplate at all: subheadings,
lists, tables, quotes, live-blog times, reviews, recipes, non-English text.  Every edit the
cleaner makes to them is a false positive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.pipeline import Cleaner

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))
CLEANER = Cleaner()


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_clean_article_is_left_alone(path: Path) -> None:
    text = path.read_text("utf-8").rstrip("\n")
    doc = CLEANER.clean(Document(path.name, text))
    assert [e.describe() for e in doc.edits] == []
