"""cleaner's steps inside a real datatrove pipeline (local executor, real readers and writers)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cleaner import Edit, Settings, apply_edits, clean_text

from .conftest import RAW_SEEDS
from .test_api import near_copies

pytest.importorskip("datatrove")

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from cleaner.integrations.datatrove import CleanerStep, NearDuplicateFilter


def run(steps: list[object], tmp_path: Path) -> list[dict[str, object]]:
    """Run ``steps`` in one local task; the records datatrove's writer wrote."""
    out = tmp_path / "out"
    LocalPipelineExecutor([*steps, JsonlWriter(str(out))], tasks=1, logging_dir=str(tmp_path / "logs")).run()
    records = []
    for shard in sorted(out.glob("*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as f:
            records += [json.loads(line) for line in f]
    return records


def write_corpus(folder: Path, records: list[dict[str, object]]) -> Path:
    folder.mkdir()
    (folder / "part.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return folder


def test_the_cleaning_step_cleans_as_the_cleaner_does_and_records_its_edits(tmp_path: Path) -> None:
    raw = [f.read_text("utf-8") for f in RAW_SEEDS]
    records = [{"id": f"d{i}", "text": t, "url": f"https://example.org/{i}"} for i, t in enumerate(raw)]
    records.append({"id": "empty", "text": "Advertisement\nShare this story"})
    src = write_corpus(tmp_path / "in", records)
    full = run([JsonlReader(str(src)), CleanerStep(edits="full")], tmp_path / "a")
    assert [r["id"] for r in full] == ["d0", "d1"]  # the document left empty is dropped
    for r, text in zip(full, raw, strict=True):
        assert r["text"] == clean_text(text)
        found = r["metadata"]["cleaner"]
        assert found["lang"] == "en" and r["metadata"]["url"].startswith("https://")
        # the edits replay on the input text
        assert apply_edits(text, [Edit.from_dict(e) for e in found["edits"]]) == r["text"]
    codes = run([JsonlReader(str(src)), CleanerStep()], tmp_path / "b")
    edits = codes[1]["metadata"]["cleaner"]["edit_counts"]
    assert edits == {c: sum(e["code"] == c for e in full[1]["metadata"]["cleaner"]["edits"]) for c in edits}
    kept_all = run([JsonlReader(str(src)), CleanerStep(edits="none", drop_empty=False)], tmp_path / "c")
    assert len(kept_all) == 3 and "edits" not in kept_all[0]["metadata"]["cleaner"]


def test_the_near_duplicate_filter_keeps_the_first_of_each_story(tmp_path: Path) -> None:
    texts, ids = near_copies()
    order = [5, 6, 0, 11, 1, 7, 2, 8, 3, 9, 4, 10]  # a copy (6) before its story (0), the rest after
    src = write_corpus(tmp_path / "in", [{"id": ids[k], "text": texts[k]} for k in order])
    excluded = tmp_path / "excluded"
    kept = run([JsonlReader(str(src)), NearDuplicateFilter(exclusion_writer=JsonlWriter(str(excluded)))], tmp_path)
    assert [r["id"] for r in kept] == ["story5", "copy0", "story1", "story2", "story3", "story4"]
    with gzip.open(next(excluded.glob("*.jsonl.gz")), "rt") as f:
        dropped = {r["id"]: r["metadata"] for r in map(json.loads, f)}
    assert set(dropped) == {"story0", "copy5", "copy1", "copy2", "copy3", "copy4"}
    assert dropped["story0"]["cleaner"]["duplicate_of"] == "copy0"
    assert dropped["copy3"]["cleaner"]["duplicate_of"] == "story3"
    assert dropped["story0"]["filter_reason"] == "near_duplicate"


def test_the_steps_refuse_a_wrong_edits_mode() -> None:
    with pytest.raises(ValueError, match="edits must be one of"):
        CleanerStep(edits="some")
    assert CleanerStep(Settings(select=("BP",))).settings.select == ("BP",)
