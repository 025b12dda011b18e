"""The formats people already have (issue 13): dolma and datatrove shards, every compression, stdin
as JSONL or text, URLs through fsspec, the output names accepted and refused, and ``--edits``.

Every file here is a real file in its real compression, written with the standard library (or
zstandard) and read back with it; the URL tests use fsspec's own ``memory://`` and ``file://``
file systems.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard
from typer.testing import CliRunner

from cleaner import Edit, apply_edits
from cleaner.cli import app

runner = CliRunner()
ARTICLE = "The council met on Tuesday.\nAdvertisement\nIt voted to keep the harbour open through the winter."
CLEANED = "The council met on Tuesday.\nIt voted to keep the harbour open through the winter."

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "zst": zstandard.ZstdCompressor().compress,
    "xz": lzma.compress,
    "bz2": bz2.compress,
}
DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.decompress,
    "zst": lambda data: zstandard.ZstdDecompressor().decompressobj().decompress(data),
    "xz": lzma.decompress,
    "bz2": bz2.decompress,
}


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, err: str, fragment: str) -> str:
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0], err
    assert "Traceback" not in err
    return errors[0]


def jsonl_bytes(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def read_records(path: Path, compression: str | None = None) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if compression is not None:
        data = DECOMPRESS[compression](data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def dolma_records(shard: int) -> list[dict[str, Any]]:
    """Records as dolma writes them: id, text, source, added, created, a nested metadata, one field of our own."""
    return [
        {
            "id": f"dolma-{shard}-{i}",
            "text": ARTICLE if i % 2 == 0 else f"Clean prose number {i}, with nothing to remove at all.",
            "source": "common-crawl",
            "added": "2024-03-01T00:00:00.000Z",
            "created": "2019-11-05T12:30:00.000Z",
            "version": "v1.7",
            "metadata": {
                "url": f"https://news.example.org/{shard}/{i}",
                "warc": {"offset": 123456789012 + i, "length": 2048.5, "ok": True, "tags": ["a", None, 3]},
                "langs": {"fr": 0.01, "en": 0.99},
                "title": "Zürich – Ünïcödé ✓ 東京",
            },
            "unknown_field": [{"nested": {"deep": i}}, "ß"],
        }
        for i in range(3)
    ]


def datatrove_records(shard: int) -> list[dict[str, Any]]:
    """Records as datatrove's JsonlWriter writes them: text, id, a nested metadata."""
    return [
        {
            "text": ARTICLE if i == 1 else f"Another clean document, number {i} of shard {shard}.",
            "id": f"<urn:uuid:{shard:04d}-{i:04d}>",
            "metadata": {"dump": "CC-MAIN-2024-10", "url": f"https://x.org/{i}", "score": {"edu": 2.75, "n": 10**15}},
        }
        for i in range(2)
    ]


Shards = tuple[Path, dict[str, list[dict[str, Any]]]]


def without_text(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "text"}


@pytest.fixture
def shards(tmp_path: Path) -> Shards:
    """A folder of dolma `.json.gz` shards and datatrove `.jsonl.gz` shards, by relative path."""
    corpus = tmp_path / "corpus"
    made: dict[str, list[dict[str, Any]]] = {}
    for shard in range(2):
        made[f"dolma/documents/cc_en_head-{shard:04d}.json.gz"] = dolma_records(shard)
        made[f"fineweb/{shard:05d}.jsonl.gz"] = datatrove_records(shard)
    for rel, records in made.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_bytes(gzip.compress(jsonl_bytes(records)))
    return corpus, made


def test_dolma_and_datatrove_shards_round_trip_through_a_folder(shards: Shards, tmp_path: Path) -> None:
    corpus, made = shards
    out = tmp_path / "out"
    code, _, err = run("clean", str(corpus), "-o", str(out))
    assert code == 0, err
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(made)
    for rel, records in made.items():
        got = read_records(out / rel, "gz")  # still gzip: it was read as gzip
        assert len(got) == len(records)
        for before, after in zip(records, got, strict=True):
            # every field but the text as it came in: order, types, nesting, unicode, numbers
            assert list(after) == list(before)
            assert without_text(after) == without_text(before)
            assert after["text"] == (CLEANED if before["text"] == ARTICLE else before["text"])


def test_a_folder_of_shards_to_one_jsonl_keeps_every_field_and_adds_one_key(shards: Shards, tmp_path: Path) -> None:
    corpus, made = shards
    out = tmp_path / "all.jsonl.xz"
    code, _, err = run("clean", str(corpus), "-o", str(out))
    assert code == 0, err
    got = read_records(out, "xz")
    expected = [r for rel in sorted(made, key=lambda r: r.split("/")) for r in made[rel]]
    assert len(got) == len(expected) == 10
    for before, after in zip(expected, got, strict=True):
        assert list(after) == [*before, "cleaner"]
        assert without_text(after) == {**without_text(before), "cleaner": after["cleaner"]}
        edits = [Edit.from_dict(e) for e in after["cleaner"]["edits"]]
        assert apply_edits(before["text"], edits) == after["text"]


def test_datatrove_reads_the_output_shards(shards: Shards, tmp_path: Path) -> None:
    jsonl_reader = pytest.importorskip("datatrove.pipeline.readers").JsonlReader
    corpus, made = shards
    out = tmp_path / "out"
    assert run("clean", str(corpus), "-o", str(out))[0] == 0
    for folder, pattern in (("fineweb", "*.jsonl.gz"), ("dolma/documents", "*.json.gz")):
        docs = list(jsonl_reader(str(out / folder), glob_pattern=pattern)())
        expected = [r for rel in sorted(made) if rel.startswith(folder) for r in made[rel]]
        assert [d.id for d in docs] == [r["id"] for r in expected]
        assert [d.text for d in docs] == [CLEANED if r["text"] == ARTICLE else r["text"] for r in expected]
        for doc, record in zip(docs, expected, strict=True):
            # datatrove puts `metadata` and every other field into its Document's metadata
            for key, value in record["metadata"].items():
                assert doc.metadata[key] == value
            for key in set(record) - {"id", "text", "metadata"}:
                assert doc.metadata[key] == record[key]


@pytest.mark.parametrize("compression", sorted(COMPRESS))
@pytest.mark.parametrize("name", ["in.jsonl.{c}", "in.json.{c}", "in.jsonl"])
def test_each_compression_read_by_name_or_by_content_and_written_by_suffix(
    tmp_path: Path, compression: str, name: str
) -> None:
    records: list[dict[str, Any]] = [{"id": "a", "text": ARTICLE, "n": 1}, {"id": "b", "text": "Nothing to remove."}]
    src = tmp_path / name.format(c=compression)  # "in.jsonl" holds compressed data its name does not announce
    src.write_bytes(COMPRESS[compression](jsonl_bytes(records)))
    out = tmp_path / f"out.jsonl.{compression}"
    code, _, err = run("clean", str(src), "-o", str(out))
    assert code == 0, err
    assert "warning" not in err
    got = read_records(out, compression)
    assert [g["text"] for g in got] == [CLEANED, records[1]["text"]]
    assert [without_text(g) for g in got] == [
        {**without_text(r), "cleaner": g["cleaner"]} for r, g in zip(records, got, strict=True)
    ]


@pytest.mark.parametrize("compression", sorted(COMPRESS))
def test_a_truncated_stream_of_any_compression_is_an_error(tmp_path: Path, compression: str) -> None:
    data = jsonl_bytes([{"id": i, "text": f"Record {i} says something new. " * 40} for i in range(300)])
    packed = COMPRESS[compression](data)
    src = tmp_path / f"cut.jsonl.{compression}"
    src.write_bytes(packed[: len(packed) * 2 // 3])
    out = tmp_path / "out.jsonl"
    code, _, err = run("clean", str(src), "-o", str(out), "--skip-bad")
    one_line_error(code, err, str(src))
    assert not out.exists()


def test_a_name_that_announces_a_compression_the_data_lacks_is_an_error(tmp_path: Path) -> None:
    src = tmp_path / "plain.jsonl.gz"
    src.write_bytes(jsonl_bytes([{"text": ARTICLE}]))
    code, _, err = run("clean", str(src))
    one_line_error(code, err, "the name says gzip, but the data is not gzip")


def test_a_jsonl_that_is_really_gzip_is_rewritten_as_gzip(tmp_path: Path) -> None:
    src = tmp_path / "data.jsonl"
    src.write_bytes(gzip.compress(jsonl_bytes([{"id": "a", "text": ARTICLE}])))
    assert run("clean", str(src), "--in-place")[0] == 0
    assert read_records(src, "gz") == [{"id": "a", "text": CLEANED}]


def test_a_folder_gives_its_compressed_json_shards_and_leaves_its_plain_json_files_alone(tmp_path: Path) -> None:
    """dolma's shards are ``.json.gz``; a folder's plain ``.json`` files are settings and metadata, read
    only when named (a one-line object with a ``text`` field would otherwise be cleaned, even in place)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "shard.json.gz").write_bytes(gzip.compress(jsonl_bytes([{"id": "a", "text": ARTICLE}]), mtime=0))
    (corpus / "meta.json").write_bytes(jsonl_bytes([{"id": "m", "text": ARTICLE}]))  # one line, with a text
    (corpus / "config.json").write_text(json.dumps({"name": "x", "list": [1, 2]}, indent=2), "utf-8")
    code, _, err = run("index", str(corpus), "-o", str(corpus / "INDEX.json"), "--format", "json")
    assert code == 0, err
    before = {f.name: f.read_bytes() for f in corpus.iterdir()}
    code, out, err = run("clean", str(corpus), "--in-place")
    assert code == 0, err
    assert {f.name: f.read_bytes() for f in corpus.iterdir()}.keys() == before.keys()
    assert (corpus / "meta.json").read_bytes() == before["meta.json"]
    assert (corpus / "config.json").read_bytes() == before["config.json"]
    assert (corpus / "shard.json.gz").read_bytes() != before["shard.json.gz"]  # the shard was cleaned
    # named, a .json file is read: one JSON document is skipped with a warning, a manifest is not read
    code, out, err = run("clean", str(corpus / "meta.json"), str(corpus / "config.json"), str(corpus / "INDEX.json"))
    assert code == 0, err
    assert out.startswith("1 documents")
    assert "config.json: one JSON document, not JSON Lines; skipped" in err
    assert "INDEX.json: a manifest written by cleaner index, not JSON Lines; skipped" in err


def test_a_json_array_is_an_error_that_says_how_to_convert_it(tmp_path: Path) -> None:
    one_line = tmp_path / "arr.json"
    one_line.write_text(json.dumps([{"id": 1, "text": ARTICLE}]) + "\n", "utf-8")
    pretty = tmp_path / "arr2.json"
    pretty.write_text(json.dumps([{"id": 1, "text": ARTICLE}], indent=2), "utf-8")
    for f in (one_line, pretty):
        for extra in ([], ["--skip-bad"]):
            code, _, err = run("clean", str(f), "-o", "-", *extra)
            assert code == 2
            assert "a JSON array, not JSON Lines" in err and "jq -c" in err and err.count("\n") == 1


# --- standard input -------------------------------------------------------------------------


def test_plain_text_on_stdin_is_one_document() -> None:
    code, out, err = run("clean", "-", "-o", "-", input=ARTICLE + "\n")
    assert code == 0, err
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["text"] == CLEANED
    assert [e["code"] for e in record["cleaner"]["edits"]] == ["BP004"]
    # a JSON record read as text is one line of text (which BP009 removes as markup, not prose)
    line = json.dumps({"id": "s", "text": ARTICLE})
    code, out, _ = run("clean", "-", "-o", "-", "--stdin-format", "text", input=line + "\n")
    assert code == 0
    assert [e["removed"] for e in json.loads(out)["cleaner"]["edits"]] == [line]


def test_plain_text_on_stdin_under_jsonl_is_an_error_without_skip_bad_advice() -> None:
    for extra in ([], ["--skip-bad"]):
        code, out, err = run("clean", "-", "-o", "-", "--stdin-format", "jsonl", *extra, input=ARTICLE + "\n")
        line = one_line_error(code, err, "<stdin>:1: not JSON Lines: the first line is plain text")
        assert "--skip-bad" not in line and "--stdin-format text" in line
        assert out == ""
    # a broken record is still a broken line, which --skip-bad is for
    code, _, err = run("clean", "-", "--stdin-format", "jsonl", input='{"text": "a"}\n{"text": \n')
    assert "use --skip-bad" in one_line_error(code, err, "<stdin>:2: broken JSONL line")


@pytest.mark.parametrize("compression", sorted(COMPRESS))
def test_compressed_stdin_as_jsonl_or_text(compression: str) -> None:
    records = [{"id": "a", "text": ARTICLE, "meta": {"k": [1, 2]}}]
    code, out, err = run("clean", "-", "-o", "-", input=COMPRESS[compression](jsonl_bytes(records)))
    assert code == 0, err
    (got,) = [json.loads(line) for line in out.splitlines()]
    assert got["text"] == CLEANED and got["meta"] == {"k": [1, 2]}
    code, out, err = run("clean", "-", "-o", "-", input=COMPRESS[compression](ARTICLE.encode()))
    assert code == 0, err
    assert json.loads(out)["text"] == CLEANED


def test_a_pipe_on_stdin_is_sniffed_without_losing_a_byte() -> None:
    # a real pipe cannot seek back: the bytes read to tell the compression are handed on
    records = [{"id": f"r{i}", "text": ARTICLE if i == 0 else f"Record {i}, clean."} for i in range(200)]
    for data in (jsonl_bytes(records), gzip.compress(jsonl_bytes(records)), bz2.compress(jsonl_bytes(records))):
        done = subprocess.run(
            [sys.executable, "-m", "cleaner", "clean", "-", "-o", "-", "--edits", "none"],
            input=data,
            capture_output=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        got = [json.loads(line) for line in done.stdout.splitlines()]
        assert [g["id"] for g in got] == [r["id"] for r in records]
        assert got[0]["text"] == CLEANED and got[1]["text"] == "Record 1, clean."


# --- URLs through fsspec --------------------------------------------------------------------


@pytest.fixture
def memory_corpus() -> Any:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    root = f"/corpus-{os.getpid()}-{id(fs)}"
    fs.pipe(f"{root}/shards/a.json.gz", gzip.compress(jsonl_bytes(dolma_records(0))))
    fs.pipe(f"{root}/shards/b.jsonl.zst", COMPRESS["zst"](jsonl_bytes(datatrove_records(1))))
    fs.pipe(f"{root}/page.txt", ARTICLE.encode())
    fs.pipe(f"{root}/.hidden/x.jsonl", b"not read")
    fs.pipe(f"{root}/notes.csv", b"not a corpus file")
    yield f"memory://{root}"
    fs.rm(root, recursive=True)


def test_a_memory_url_folder_is_read_like_a_local_one(memory_corpus: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run("clean", memory_corpus, "-o", str(out))
    assert code == 0, err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "page.txt",
        "shards/a.json.gz",
        "shards/b.jsonl.zst",
    ]
    assert (out / "page.txt").read_text("utf-8") == CLEANED + "\n"
    got = read_records(out / "shards/a.json.gz", "gz")
    assert [without_text(g) for g in got] == [without_text(r) for r in dolma_records(0)]
    code, out_text, _ = run("clean", f"{memory_corpus}/shards/b.jsonl.zst", "-o", "-")
    assert code == 0
    assert [json.loads(line)["cleaner"]["source"] for line in out_text.splitlines()] == [
        f"{memory_corpus}/shards/b.jsonl.zst:1",
        f"{memory_corpus}/shards/b.jsonl.zst:2",
    ]


def test_urls_that_cannot_work_are_one_line_errors(memory_corpus: str, tmp_path: Path) -> None:
    one_line_error(*run("clean", f"{memory_corpus}/nope.jsonl")[::2], "no such file or directory")
    one_line_error(*run("clean", f"{memory_corpus}/notes.csv")[::2], "not a corpus file")
    one_line_error(*run("clean", memory_corpus, "--in-place")[::2], "cannot be rewritten in place")
    one_line_error(*run("clean", memory_corpus, "-o", "memory://elsewhere/out.jsonl")[::2], "local files")
    one_line_error(*run("clean", "nosuchprotocol://x/a.jsonl")[::2], "nosuchprotocol")


def test_a_file_url_is_the_local_path(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    src = tmp_path / "in" / "a.jsonl.bz2"
    src.parent.mkdir()
    src.write_bytes(bz2.compress(jsonl_bytes([{"id": "a", "text": ARTICLE}])))
    out = tmp_path / "out.jsonl"
    code, _, err = run("clean", f"file://{src.parent}", "-o", str(out))
    assert code == 0, err
    (got,) = read_records(out)
    assert got["text"] == CLEANED and got["cleaner"]["source"] == f"file://{src.parent}/a.jsonl.bz2:1"
    # a local input: it is protected as one
    one_line_error(*run("clean", f"file://{src}", "-o", str(src))[::2], "would overwrite the input")


def test_without_fsspec_a_url_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "fsspec", None)  # what `import fsspec` meets when not installed
    monkeypatch.setitem(__import__("sys").modules, "fsspec.core", None)
    one_line_error(*run("clean", "s3://bucket/shards")[::2], "pip install 'cleaner[remote]'")


# --- outputs --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["out.csv", "out.txt", "clean.v2"])
def test_an_output_name_of_no_known_kind_is_refused(tmp_path: Path, target: str) -> None:
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, "utf-8")
    line = one_line_error(*run("clean", str(src), "-o", str(tmp_path / target))[::2], "not a kind of output")
    assert ".jsonl" in line and ".bz2" in line and "/dev/null" in line and "folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # nothing made, no folder
    assert run("clean", str(src), "-o", str(tmp_path / target) + "/")[0] == 0  # a folder, when it says so
    assert (tmp_path / target / "a.txt").read_text("utf-8") == CLEANED + "\n"


def test_dev_null_discards_the_output_and_still_reports_errors(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_bytes(jsonl_bytes([{"id": "a", "text": ARTICLE}]))
    code, out, err = run("clean", str(src), "-o", os.devnull)
    assert code == 0, err
    assert out == "" and "1 documents, 1 changed" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]
    src.write_bytes(jsonl_bytes([{"id": "a", "text": ARTICLE}]) + b'{"text": \n')
    one_line_error(*run("clean", str(src), "-o", os.devnull)[::2], f"{src}:2: broken JSONL line")
    assert run("dedup", str(src), "-o", os.devnull, "--write-kept", os.devnull, "--skip-bad")[0] == 0


# --- how much of the edits the output carries ------------------------------------------------


def test_edits_modes(raw_seeds: Path, tmp_path: Path) -> None:
    outputs = {}
    for mode in ("full", "codes", "none"):
        out = tmp_path / f"{mode}.jsonl"
        code, _, err = run("clean", str(raw_seeds), "-o", str(out), "--edits", mode)
        assert code == 0, err
        outputs[mode] = read_records(out)
    full, codes, none = outputs["full"], outputs["codes"], outputs["none"]
    assert [r["text"] for r in codes] == [r["text"] for r in none] == [r["text"] for r in full]
    for f, c, n in zip(full, codes, none, strict=True):
        edits = f["cleaner"].pop("edits")
        assert edits, "the raw seeds have edits"
        assert c["cleaner"].pop("edit_counts") == dict(Counter(e["code"] for e in edits))
        assert f["cleaner"] == c["cleaner"] == n["cleaner"]  # source, lang, lang_prob, truncated_tail
        assert "edits" not in n["cleaner"] and "edit_counts" not in n["cleaner"]
    sizes = {mode: (tmp_path / f"{mode}.jsonl").stat().st_size for mode in outputs}
    assert sizes["none"] < sizes["codes"] < sizes["full"]
    code, _, err = run("clean", str(raw_seeds), "-o", str(tmp_path / "x.jsonl"), "--edits", "some")
    assert code == 2 and "some" in err


# --- what a review found (each failed before its fix) ------------------------------------------


def test_a_damaged_first_record_on_stdin_is_jsonl_not_one_text_document() -> None:
    good = json.dumps({"id": "g", "text": ARTICLE})
    cut = 'ory went on.", "id": 0}'  # a stream cut in the middle of its first record
    code, out, err = run("clean", "-", "-o", "-", "--skip-bad", input=f"{cut}\n{good}\n")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["g"] and "skipped" in err
    code, _, err = run("clean", "-", "-o", "-", input=f"{cut}\n{good}\n")
    assert code == 2 and "broken JSONL line" in err
    pretty = json.dumps({"id": 1, "text": ARTICLE}, indent=1)
    code, _, err = run("clean", "-", "-o", "-", input=pretty + "\n")
    assert code == 2 and "broken JSONL line" in err  # not a text document made of JSON


def test_an_empty_compressed_shard_has_no_documents(tmp_path: Path) -> None:
    for name in ("z.jsonl.gz", "z.jsonl.zst", "z.json.xz"):
        (tmp_path / name).write_bytes(b"")
        code, out, err = run("clean", str(tmp_path / name))
        assert code == 0, err
        assert out.startswith("0 documents")


def test_corrupt_compressed_data_is_a_one_line_error(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(jsonl_bytes([{"id": i, "text": ARTICLE * 20} for i in range(20)]), mtime=0))
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.jsonl.gz").write_bytes(bytes(data))
    code, _, err = run("clean", str(tmp_path / "bad.jsonl.gz"), "-o", str(tmp_path / "out.jsonl"), "--skip-bad")
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()


def test_a_folder_output_is_compressed_as_its_name_says(tmp_path: Path) -> None:
    corpus, out = tmp_path / "c", tmp_path / "o"
    corpus.mkdir()
    (corpus / "x.jsonl.gz").write_bytes(zstandard.compress(jsonl_bytes([{"id": 1, "text": ARTICLE}])))
    code, _, err = run("clean", str(corpus), "-o", str(out) + "/")
    assert code == 0, err
    with gzip.open(out / "x.jsonl.gz") as f:  # gzip, as the name says: readers go by the name
        assert json.loads(f.readline())["text"] == CLEANED


def test_edits_other_than_full_need_a_jsonl_output(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_bytes(jsonl_bytes([{"id": 1, "text": ARTICLE}]))
    before = f.read_bytes()
    for args in (["--in-place"], ["-o", str(tmp_path / "dir") + "/"], ["--check"], []):
        code, _, err = run("clean", str(f), "--edits", "codes", *args)
        assert code == 2 and "only JSONL output" in err
    assert f.read_bytes() == before


def test_a_colon_pair_in_a_file_name_is_not_a_url(tmp_path: Path) -> None:
    f = tmp_path / "notes::v2.jsonl"
    f.write_bytes(jsonl_bytes([{"id": 1, "text": ARTICLE}]))
    code, out, err = run("clean", str(f), "-o", "-")
    assert code == 0, err
    assert json.loads(out)["text"] == CLEANED
