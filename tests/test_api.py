"""The Python API: strings, records and documents in; the command line's results out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner import Cleaner, Document, InputError, Settings, apply_edits, clean_records, clean_stream, find_duplicates
from cleaner.cli import app

from .conftest import FIXTURES, RAW_SEEDS

ARTICLES = sorted((FIXTURES / "articles").glob("*.txt"))


def near_copies(n: int = 6) -> tuple[list[str], list[str]]:
    """``n`` different stories, then for each a copy with junk around it and its tail cut; the ids."""
    stories = [f.read_text("utf-8") for f in ARTICLES[:n]]
    copies = ["Advertisement\n" + s[: int(len(s) * 0.85)] + "\nShare this story" for s in stories]
    return stories + copies, [f"story{i}" for i in range(n)] + [f"copy{i}" for i in range(n)]


def test_clean_stream_takes_strings_records_and_documents_in_order() -> None:
    raw = RAW_SEEDS[1].read_text("utf-8")
    items = [raw, {"id": 7, "text": raw, "url": "https://example.org/a"}, Document("doc", raw)]
    out = list(clean_stream(items))
    assert [d.id for d in out] == ["0", "7", "doc"]
    # the same cleaning whatever the wrapping, and the edits replay on the input
    assert len({d.text for d in out}) == 1 and out[0].text != raw
    assert all(apply_edits(raw, d.edits) == d.text for d in out)
    assert out[1].record is not None and out[1].record["url"] == "https://example.org/a"


def test_clean_stream_refuses_what_is_not_a_text_or_record() -> None:
    with pytest.raises(InputError, match="item 1: no string field 'text'"):
        list(clean_stream(["fine", {"body": "x"}]))
    with pytest.raises(InputError, match="item 0: a str, a mapping"):
        list(clean_stream([b"bytes"]))  # type: ignore[list-item]


def test_clean_stream_gives_the_same_documents_for_any_jobs() -> None:
    texts = [f.read_text("utf-8") for f in RAW_SEEDS + ARTICLES] * 3
    one = [(d.text, d.edits) for d in clean_stream(texts, jobs=1, batch_docs=4)]
    two = [(d.text, d.edits) for d in clean_stream(texts, jobs=2, batch_docs=4)]
    assert one == two


def test_clean_text_is_the_cleaners_text_and_loads_the_rules_once() -> None:
    raw = RAW_SEEDS[0].read_text("utf-8")
    assert cleaner.clean_text(raw) == Cleaner().clean(Document("x", raw)).text
    assert cleaner.pipeline._default_cleaner() is cleaner.pipeline._default_cleaner()


def test_clean_records_writes_what_the_command_line_writes(tmp_path: Path) -> None:
    records = [
        {"id": i, "text": f.read_text("utf-8"), "meta": {"n": i, "tags": ["a", "é"]}, "x": None}
        for i, f in enumerate(RAW_SEEDS)
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    out = tmp_path / "out.jsonl"
    assert CliRunner().invoke(app, ["clean", str(src), "-o", str(out)]).exit_code == 0
    cli = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    api = list(clean_records(records))
    for a, c in zip(api, cli, strict=True):
        assert a["cleaner"].pop("source") == "item " + str(a["id"])
        c["cleaner"].pop("source")
        assert a == c  # every field, in its order, the findings and edits included
    bare = list(clean_records(records, findings=False))
    assert [list(r) for r in bare] == [["id", "text", "meta", "x"]] * len(records)
    assert [r["text"] for r in bare] == [r["text"] for r in cli]


def test_find_duplicates_puts_each_copy_with_its_story(tmp_path: Path) -> None:
    texts, ids = near_copies()
    verdicts = find_duplicates({"id": i, "text": t} for i, t in zip(ids, texts, strict=True))
    by_id = {v.id: v for v in verdicts}
    assert [v.id for v in verdicts] == ids
    for k in range(6):
        story, copy = by_id[f"story{k}"], by_id[f"copy{k}"]
        assert story.keep and story.cluster == f"story{k}"  # the longer one is kept
        assert not copy.keep and copy.cluster == f"story{k}" and copy.containment >= 0.6
    # what `cleaner dedup -o` says about the same records
    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, texts, strict=True)))
    out = tmp_path / "v.jsonl"
    assert CliRunner().invoke(app, ["dedup", str(src), "-o", str(out)]).exit_code == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == [v.to_dict() for v in verdicts]


def test_find_duplicates_keep_first_and_unique_ids() -> None:
    texts, _ = near_copies(2)
    first = find_duplicates(texts[::-1], Settings(keep="first"))  # the copies come first now
    assert [v.keep for v in first] == [True, True, False, False]
    with pytest.raises(InputError, match="given twice"):
        find_duplicates([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])


def test_importing_cleaner_loads_no_machinery() -> None:
    """``import cleaner`` is cheap (PEP 562 exports): no rules, numpy, ftfy or metadata until asked."""
    heavy = ("numpy", "ftfy", "regex", "cleaner.pipeline", "importlib.metadata")
    code = f"import sys, cleaner; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"


def test_a_record_id_of_any_python_value_is_text() -> None:
    import decimal

    import numpy as np

    from cleaner import as_documents

    records = [
        {"id": np.int64(3), "text": "x"},
        {"id": decimal.Decimal("1.5"), "text": "y"},
        {"id": [1, 2], "text": "z"},
    ]
    assert [d.id for d in as_documents(records)] == ["3", "1.5", "[1,2]"]
