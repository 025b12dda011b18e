"""``cleaner index`` and the manifest: contents, determinism, --check, the two forms, bad input."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cleaner import clean_text
from cleaner.cli import app
from cleaner.dedup import normalise
from cleaner.errors import ManifestError
from cleaner.manifest import (
    Entry,
    Manifest,
    load_manifest,
    parse_markdown,
    render_json,
    render_markdown,
)
from cleaner.manifest.markdown import escape, split_row, unescape
from cleaner.settings import Settings

from .conftest import RAW_SEEDS, seed_text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The raw seeds, a re-scrape of seed 001 with other junk, and a flattened copy cut short."""
    folder = tmp_path / "corpus"
    (folder / "news").mkdir(parents=True)
    for f in RAW_SEEDS:
        (folder / f.name).write_bytes(f.read_bytes())
    body = seed_text("001")
    rescrape = "Advertisement\n" + body.replace("World Economy\n", "Markets\n") + "\nShare this article\n"
    (folder / "news" / "rescrape.txt").write_text(rescrape, "utf-8")
    words = normalise(clean_text(body)).split()
    (folder / "news" / "flat-copy.txt").write_text(" ".join(words[: int(len(words) * 0.8)]), "utf-8")
    (folder / "news" / "other.txt").write_text(
        "The city council approved a new budget on Tuesday after a long debate about school funding.\n", "utf-8"
    )
    return folder


def index_of(*args: str) -> Manifest:
    code, out, err = run("index", *args, "-o", "-")
    assert code == 0, err
    return parse_markdown(out)


def test_one_row_per_document_sorted_by_path_with_language_hash_and_edits(corpus: Path) -> None:
    manifest = index_of(str(corpus))
    rel = f"{corpus.name}/"  # -o -: paths relative to the current folder's repository root or the folder
    paths = [e.path.split(rel, 1)[-1] for e in manifest.entries]
    assert paths == sorted(paths, key=lambda p: p.split("/"))
    assert len(paths) == 5
    seed = next(e for e in manifest.entries if e.path.endswith("001_6fa379bf55b783b3.txt"))
    cleaned = clean_text(seed_text("001"))
    assert seed.title == "China says US backs ‘economic fugitives’ campaign"
    assert (seed.lang, seed.words) == ("en", len(cleaned.split()))
    assert seed.lang_prob > 0.9
    assert seed.sha256 == hashlib.sha256(cleaned.encode()).hexdigest()
    assert seed.edits == {"BP001": 2, "BP003": 2, "BP006": 1, "BP011": 1}
    totals = manifest.totals()
    assert totals["rules"]["BP001"] == {"slug": "read-more-link", "edits": 4, "documents": 2}


def test_copies_share_a_cluster_and_the_longest_is_kept(corpus: Path) -> None:
    manifest = index_of(str(corpus))
    by_name = {e.path.rsplit("/", 1)[-1]: e for e in manifest.entries}
    seed, rescrape, flat = by_name["001_6fa379bf55b783b3.txt"], by_name["rescrape.txt"], by_name["flat-copy.txt"]
    assert seed.cluster == rescrape.cluster == flat.cluster
    kept = [e for e in (seed, rescrape, flat) if e.kept]
    assert len(kept) == 1
    assert {e.duplicate_of for e in (seed, rescrape, flat) if not e.kept} == {kept[0].path}
    assert by_name["other.txt"].kept and by_name["000_d87d1fe5066b3ba7.txt"].kept
    assert len({by_name["other.txt"].cluster, by_name["000_d87d1fe5066b3ba7.txt"].cluster, seed.cluster}) == 3
    totals = manifest.totals()
    assert (totals["documents"], totals["kept"], totals["duplicates"], totals["duplicate_clusters"]) == (5, 3, 2, 1)
    assert manifest.largest_clusters() == [(seed.cluster, 3, kept[0].path)]


def test_flags_name_the_documents_whose_last_sentence_is_cut_off(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    told = "Officials met on Monday. The two sides agreed that the talks would resume in the coming"
    (folder / "cut.txt").write_text(told + "\n", "utf-8")
    (folder / "whole.txt").write_text(told + " weeks, a spokesman said.\n", "utf-8")
    # FL001's word list is English: a German text cut off is not looked at (None), so not flagged
    (folder / "de.txt").write_text(
        "Die Regierung hat am Montag beschlossen, dass die Verhandlungen mit den Gewerkschaften in der\n", "utf-8"
    )
    manifest = index_of(str(folder))
    flags = {e.path.rsplit("/", 1)[-1]: (e.lang, e.flags) for e in manifest.entries}
    assert flags == {"cut.txt": ("en", ("FL001",)), "whole.txt": ("en", ()), "de.txt": ("de", ())}
    assert manifest.totals()["flagged"] == 1


def test_same_bytes_for_any_jobs_argument_order_and_location(corpus: Path, tmp_path: Path) -> None:
    one, two, three = tmp_path / "one.md", tmp_path / "two.md", tmp_path / "elsewhere" / "three.md"
    assert run("index", str(corpus), "-o", str(one), "--jobs", "1")[0] == 0
    assert (
        run("index", str(corpus / "news"), *map(str, sorted(corpus.glob("*.txt"))), "-o", str(two), "-j", "2")[0] == 0
    )
    moved = tmp_path / "elsewhere" / "corpus"
    shutil.copytree(corpus, moved)
    assert run("index", str(moved), "-o", str(three))[0] == 0
    assert one.read_bytes() == three.read_bytes()
    four = tmp_path / "four.md"
    files = [str(p) for p in sorted(corpus.rglob("*.txt"), reverse=True)]
    assert run("index", *files, "-o", str(four))[0] == 0
    assert four.read_bytes() == one.read_bytes()  # the order of the arguments does not count
    # the same documents named file by file: the same rows (paths relative to the manifest's folder)
    assert parse_markdown(two.read_text("utf-8")).entries == parse_markdown(one.read_text("utf-8")).entries


def test_json_and_the_parsed_markdown_agree(corpus: Path, tmp_path: Path) -> None:
    md, js = tmp_path / "INDEX.md", tmp_path / "INDEX.json"
    assert run("index", str(corpus), "-o", str(md))[0] == 0
    assert run("index", str(corpus), "-o", str(js), "--format", "json")[0] == 0
    data = json.loads(js.read_text("utf-8"))
    assert load_manifest(md).to_dict() == data
    assert load_manifest(js) == load_manifest(md)
    assert data["totals"]["documents"] == len(data["documents"]) == 5


def test_check_writes_nothing_and_exits_1_when_out_of_date(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "INDEX.md"
    code, _, err = run("index", str(corpus), "-o", str(target), "--check")
    assert code == 1 and not target.exists() and "does not exist" in err
    assert run("index", str(corpus), "-o", str(target))[0] == 0
    before = target.read_bytes()
    assert run("index", str(corpus), "-o", str(target), "--check")[0] == 0
    (corpus / "news" / "other.txt").write_text("A different story about a river and a bridge in the rain.\n", "utf-8")
    code, _, err = run("index", str(corpus), "-o", str(target), "--check")
    assert code == 1 and "out of date" in err and "other.txt" in err
    assert target.read_bytes() == before
    # rewriting it: exit 0, or 1 with --exit-non-zero-on-fix (what a pre-commit hook needs)
    assert run("index", str(corpus), "-o", str(target), "--exit-non-zero-on-fix")[0] == 1
    assert run("index", str(corpus), "-o", str(target), "--exit-non-zero-on-fix")[0] == 0
    assert run("index", str(corpus), "-o", str(target), "--check")[0] == 0


def test_settings_and_rules_are_in_the_header(corpus: Path) -> None:
    default, other = index_of(str(corpus)), index_of(str(corpus), "--ignore", "BP001", "--threshold", "0.7")
    assert other.settings.ignore == ("BP001",) and other.settings.threshold == 0.7
    assert other.rules != default.rules
    assert all("BP001" not in e.edits for e in other.entries)


def test_rule_codes_in_any_order_give_the_same_header(corpus: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    assert run("index", str(corpus), "-o", str(a), "--ignore", "BP011,BP001")[0] == 0
    assert run("index", str(corpus), "-o", str(b), "--ignore", "BP001,BP011,BP001")[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_no_default_output_when_no_place_is_obvious(tmp_path: Path) -> None:
    for repo in ("r1", "r2"):
        (tmp_path / repo / ".git").mkdir(parents=True)
        (tmp_path / repo / "a.txt").write_text("Some text of a document.\n", "utf-8")
    code, _, err = run("index", str(tmp_path / "r1"), str(tmp_path / "r2"))
    assert code == 2 and "different repositories" in err
    result = runner.invoke(app, ["index", "-"], input='{"id": "a", "text": "Hello there."}\n')
    assert result.exit_code == 2 and "needs -o" in result.stderr
    result = runner.invoke(app, ["index", "-", "-o", "-"], input='{"id": "a", "text": "Hello there."}\n')
    assert result.exit_code == 0 and parse_markdown(result.stdout).entries[0].path == "<stdin>:1"
    assert not (tmp_path / "r1" / "INDEX.md").exists() and not (tmp_path / "r2" / "INDEX.md").exists()


def test_tracked_leaves_out_what_git_does_not_hold(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "seeds").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "seeds" / "staged.txt").write_text("A document that is staged for the commit.\n", "utf-8")
    (repo / "seeds" / "draft.txt").write_text("A draft that nobody has added.\n", "utf-8")
    subprocess.run(["git", "add", "seeds/staged.txt"], cwd=repo, check=True)
    target = repo / "INDEX.md"
    assert run("index", str(repo / "seeds"), "--tracked", "-o", str(target))[0] == 0
    assert [e.path for e in load_manifest(target).entries] == ["seeds/staged.txt"]
    code, _, err = run("index", str(tmp_path / "repo" / ".."), "--tracked", "-o", "-")
    assert code == 2 and "--tracked" in err


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    try:
        (folder / os.fsdecode(b"caf\xe9.txt")).write_text("A story from the cafe on the corner.\n", "utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take such names")
    code, out, _ = run("index", str(folder), "-o", "-", "--format", "json")
    assert code == 0
    assert [d["path"].rsplit("/", 1)[-1] for d in json.loads(out)["documents"]] == ["caf\\xe9.txt"]


def test_default_output_is_at_the_repository_root(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(corpus / "news")
    assert run("index", str(corpus))[0] == 0
    manifest = load_manifest(tmp_path / "INDEX.md")
    assert manifest.entries[0].path == "corpus/000_d87d1fe5066b3ba7.txt"


def test_a_manifest_is_not_a_document(corpus: Path) -> None:
    target = corpus / "INDEX.md"
    assert run("index", str(corpus), "-o", str(target))[0] == 0
    code, _, err = run("index", str(corpus), "-o", str(target), "--check")
    assert code == 0 and "manifest written by cleaner index, skipped" in err
    code, out, _ = run("clean", str(corpus))
    assert "5 documents" in out
    assert run("clean", str(target), "--in-place")[0] == 0
    assert run("index", str(corpus), "-o", str(target), "--check")[0] == 0
    # the JSON form too, whatever its file is called
    assert run("index", str(corpus), "-o", str(corpus / "INDEX.txt"), "--format", "json")[0] == 0
    code, _, err = run("index", str(corpus), "-o", str(corpus / "INDEX.txt"), "--format", "json", "--check")
    assert code == 0 and "INDEX.txt: a manifest written by cleaner index, skipped" in err


def test_a_file_that_is_not_a_manifest_is_never_overwritten(corpus: Path, tmp_path: Path) -> None:
    notes = tmp_path / "NOTES.md"
    notes.write_text("# My notes\n", "utf-8")
    code, _, err = run("index", str(corpus), "-o", str(notes))
    assert code == 2 and "not a manifest" in err
    assert notes.read_text("utf-8") == "# My notes\n"


def test_bad_input_is_a_one_line_error(tmp_path: Path) -> None:
    assert run("index", str(tmp_path / "missing"), "-o", "-")[0] == 2
    code, _, err = run("index", str(tmp_path), "-o", "-", "--check")
    assert code == 2 and "--check" in err
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": "Fine."}\n{not json\n', "utf-8")
    code, _, err = run("index", str(broken), "-o", "-")
    assert code == 2 and "broken.jsonl:2" in err
    code, out, err = run("index", str(broken), "-o", "-", "--skip-bad")
    assert code == 0 and len(parse_markdown(out).entries) == 1
    assert run("index", str(broken), "-o", "-", "--keep", "shortest")[0] == 2


def test_jsonl_records_empty_and_binary_files(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    lines = [json.dumps({"id": f"r{i}", "text": f"Record number {i} of the file, a short one."}) for i in range(12)]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "empty.txt").write_text("", "utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\x00\x00\x00")
    code, out, err = run("index", str(folder), "-o", "-")
    assert code == 0 and "binary file, skipped" in err
    entries = parse_markdown(out).entries
    assert [e.path.rsplit("/", 1)[-1] for e in entries] == [f"a.jsonl:{i}" for i in range(1, 13)] + ["empty.txt"]
    empty = entries[-1]
    assert (empty.title, empty.words, empty.lang, empty.kept) == ("", 0, "und", True)


def test_empty_corpus(tmp_path: Path) -> None:
    code, out, _ = run("index", str(tmp_path), "-o", "-")
    assert code == 0
    manifest = parse_markdown(out)
    assert manifest.entries == () and "No documents." in out


def test_hand_edited_or_truncated_manifests_are_refused(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "INDEX.md"
    run("index", str(corpus), "-o", str(target))
    text = target.read_text("utf-8")
    with pytest.raises(ManifestError, match="disagrees"):
        parse_markdown(text.rsplit("\n| ", 1)[0] + "\n")  # the last row cut off
    with pytest.raises(ManifestError, match="not a cleaner manifest"):
        parse_markdown("# Index\n")
    with pytest.raises(ManifestError, match="format"):
        parse_markdown(text.replace("format 2", "format 9", 1))
    kept = next(e for e in load_manifest(target).entries if not e.kept).duplicate_of
    assert kept is not None
    with pytest.raises(ManifestError, match="not kept in its cluster"):
        parse_markdown(text.replace(f"duplicate of {escape(kept)}", "duplicate of elsewhere.txt", 1))


def test_the_repository_index_is_the_current_manifest_of_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, _, err = run("index", "seeds", "--check")
    assert code == 0, err
    assert [e.path for e in load_manifest(ROOT / "INDEX.md").entries] == [f"seeds/{f.name}" for f in RAW_SEEDS]


def test_seeds_are_the_raw_fixtures_cleaned() -> None:
    for raw in RAW_SEEDS:
        cleaned = (ROOT / "seeds" / raw.name).read_text("utf-8")
        assert cleaned == clean_text(raw.read_text("utf-8")) + "\n"


# --- the Markdown form, exactly -------------------------------------------------------------

cell_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(cell_text)
def test_escaped_text_is_one_cell_and_reads_back(text: str) -> None:
    cell = escape(text)
    assert "\n" not in cell and cell == cell.strip()
    assert [unescape(c) for c in split_row(f"| {cell} | x |")] == [text, "x"]


def test_a_reference_to_no_character_stays_text() -> None:
    assert unescape("&#99999999999999; &#55296; &#65;") == "&#99999999999999; &#55296; A"


def _entry(path: str, title: str, cluster: int, duplicate_of: str | None = None) -> Entry:
    return Entry(path, title, "en", 0.9871, 12, "ab" * 32, {"BP001": 2, "WS003": 1}, cluster, duplicate_of)


def test_markdown_round_trip_of_awkward_paths_and_titles() -> None:
    entries = (
        _entry("a|b/_c_.txt", "Pipes | *stars* and `ticks` \\ back", 1),
        _entry("a|b/d.jsonl:3", "  ", 1, "a|b/_c_.txt"),
        _entry("x/ é\t.txt", "Ünïcödé — “quotes” &amp; <b>tags</b> ~~gone~~ [link](u)", 2),
        replace(_entry("y.txt", "", 3), flags=("FL001",)),
    )
    manifest = Manifest("0.1.0", "0123456789abcdef", Settings(select=("BP", "WS001")), entries, {"BP001": "x"})
    assert parse_markdown(render_markdown(manifest)) == manifest
    assert Manifest.from_dict(json.loads(render_json(manifest))) == manifest
