"""What a run tells on stderr: the progress bar's totals and counts, -q, -v, and the files --in-place names."""

from __future__ import annotations

import gzip
import io
import json
import random
import re
from pathlib import Path

import pytest
import zstandard
from rich.console import Console
from rich.filesize import decimal
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.commands.clean import CleanOptions, WriteMode, run_clean
from cleaner.commands.common import Feedback, Tracker, Verbosity, input_totals
from cleaner.commands.dedup import DedupOptions, run_dedup
from cleaner.commands.index import IndexOptions, run_index
from cleaner.io.discover import ReadReport, plan_inputs
from cleaner.io.readers import read_documents

runner = CliRunner()
ARTICLE = "The talks went on into the night, the minister said.\nAdvertisement\nThey ended at dawn."


def records(n: int, start: int = 0) -> bytes:
    """JSONL records that compress poorly (random hex in each), so that a compressed file is read in many steps."""
    lines = (
        json.dumps({"id": str(i), "text": f"{ARTICLE} {random.Random(i).randbytes(150).hex()}"})
        for i in range(start, start + n)
    )
    return "".join(line + "\n" for line in lines).encode()


def five_files(folder: Path, jsonl: int, gz: int, zst: int) -> Path:
    """Two text files and three JSONL files (plain, gzip, zstd) of the given numbers of records."""
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE + "\n")
    (folder / "b.txt").write_text("Nothing to clean here.\n")
    (folder / "c.jsonl").write_bytes(records(jsonl))
    (folder / "d.jsonl.gz").write_bytes(gzip.compress(records(gz, jsonl)))
    (folder / "e.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(records(zst, jsonl + gz)))
    return folder


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """The five kinds of file, large enough to be read in many steps."""
    return five_files(tmp_path / "big", 2000, 3000, 3000)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The same five kinds of file, small enough to clean in a test."""
    return five_files(tmp_path / "corpus", 20, 10, 10)


def test_totals_are_the_files_and_their_bytes_on_disk(big: Path) -> None:
    files = plan_inputs([str(big)])
    totals = input_totals(files)
    assert totals.files == 5
    assert totals.size == sum(p.stat().st_size for p in big.iterdir())
    assert input_totals(plan_inputs(["-"])).size is None  # stdin: no size known up front


def test_bytes_are_counted_as_the_reader_moves_through_each_file(big: Path) -> None:
    files = plan_inputs([str(big)])
    report = ReadReport()
    tracker = Tracker(files, report)
    total = input_totals(files).size
    assert total is not None
    seen = []
    for doc in tracker.documents(read_documents(tracker.reading(files), report)):
        seen.append((doc.path, tracker.completed()))
    assert tracker.documents_out == 2 + 8000
    done = [n for _, n in seen]
    assert done == sorted(done)  # never goes back
    assert tracker.completed() == total  # and ends at the total
    # within each JSONL file the count moves with the reader, not only at the file's end
    for name in ("c.jsonl", "d.jsonl.gz", "e.jsonl.zst"):
        inside = {n for path, n in seen if path.endswith(name)}
        assert len(inside) > 2, name


def _terminal() -> tuple[io.StringIO, Feedback]:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=240)
    return buf, Feedback(buf, Verbosity.NORMAL, bar=True, console=console)


def _frames(buf: io.StringIO) -> list[str]:
    """The bar's frames as text, escape codes removed."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    return [f.strip() for f in re.split(r"[\r\n]", plain) if f.strip()]


def _last_frame(buf: io.StringIO, label: str) -> str:
    return [f for f in _frames(buf) if f.startswith(label)][-1]


def test_clean_draws_a_bar_with_total_rate_and_time_left(corpus: Path) -> None:
    buf, feedback = _terminal()
    code = run_clean(CleanOptions([str(corpus)], WriteMode.CHECK), out=io.StringIO(), err=buf, feedback=feedback)
    assert code == 1
    size = input_totals(plan_inputs([str(corpus)])).size
    assert size is not None
    last = _last_frame(buf, "cleaning")
    assert "100%" in last and "5/5 files" in last and "42 docs" in last
    number, unit = decimal(size).split()
    assert f"{number}/{number} {unit}" in last  # bytes read of the known total
    assert re.search(r"[\d.]+ [kM]?B/s", last) and "eta" in last  # a rate and the time left
    first = _last_frame(buf, "counting")  # the first pass (corpus evidence) has a bar of its own
    assert "100%" in first
    assert "would clean" in buf.getvalue()  # lines printed while the bar is drawn stay readable


@pytest.mark.parametrize("command", ["dedup", "index"])
def test_dedup_and_index_draw_the_bar_too(corpus: Path, tmp_path: Path, command: str) -> None:
    buf, feedback = _terminal()
    if command == "dedup":
        run_dedup(DedupOptions([str(corpus)], output=str(tmp_path / "v.jsonl")), err=buf, feedback=feedback)
        label = "signing"
    else:
        run_index(IndexOptions([str(corpus)], output=str(tmp_path / "i.md")), err=buf, feedback=feedback)
        label = "indexing"
    assert "100%" in _last_frame(buf, label) and "5/5 files" in _last_frame(buf, label)


def test_no_bar_when_stderr_is_not_a_terminal(corpus: Path) -> None:
    result = runner.invoke(app, ["clean", str(corpus / "a.txt"), "--check"])
    assert result.exit_code == 1
    assert "eta" not in result.stderr and "━" not in result.stderr


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_in_place_names_the_files_it_cleaned(corpus: Path) -> None:
    code, _, err = run("clean", str(corpus), "--in-place", "--no-repeats")
    assert code == 0
    named = [line for line in err.splitlines() if line.startswith(("cleaned ", "unchanged "))]
    assert named == [f"cleaned {corpus}/{n}" for n in ("a.txt", "c.jsonl", "d.jsonl.gz", "e.jsonl.zst")]
    assert "4 files cleaned, 1 unchanged" in err.splitlines()
    code, _, err = run("clean", str(corpus), "--in-place", "--no-repeats")
    assert not [line for line in err.splitlines() if line.startswith("cleaned ")]
    assert "0 files cleaned, 5 unchanged" in err.splitlines()


def test_check_names_the_files_that_would_change(corpus: Path) -> None:
    code, _, err = run("clean", str(corpus / "a.txt"), str(corpus / "b.txt"), "--check")
    assert code == 1
    assert f"would clean {corpus}/a.txt" in err.splitlines()
    assert "b.txt" not in err


def test_verbose_adds_a_line_per_file(corpus: Path) -> None:
    _, _, err = run("clean", str(corpus / "a.txt"), str(corpus / "b.txt"), "--in-place", "-v")
    assert f"cleaned {corpus}/a.txt" in err.splitlines() and f"unchanged {corpus}/b.txt" in err.splitlines()
    _, _, err = run("clean", str(corpus / "c.jsonl"), "-v")
    assert f"{corpus}/c.jsonl: 20 documents, 20 changed" in err.splitlines()
    _, _, err = run("dedup", str(corpus / "c.jsonl"), str(corpus / "b.txt"), "-v")
    assert f"{corpus}/c.jsonl: 20 documents" in err.splitlines() and f"{corpus}/b.txt: 1 document" in err


def test_quiet_prints_only_warnings_and_errors(corpus: Path, tmp_path: Path) -> None:
    (corpus / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out, err = run("clean", str(corpus), "--in-place", "-q")
    assert code == 0 and out == ""
    assert err.splitlines() == [f"warning: {corpus}/bin.txt: binary file, skipped"]
    code, out, err = run("clean", str(corpus), "-q")  # the summary mode says nothing either
    assert (code, out) == (0, "")
    code, _, err = run("dedup", str(corpus), "-o", str(tmp_path / "v.jsonl"), "-q")
    assert code == 0 and err.splitlines() == [f"warning: {corpus}/bin.txt: binary file, skipped"]
    code, _, err = run("clean", str(corpus), "-q", "-v")
    assert code == 2 and "-q and -v cannot be combined" in err
    code, _, err = run("clean", str(corpus / "nope.txt"), "-q")
    assert code == 2 and "no such file" in err  # errors are still printed
