"""The command line through typer's runner: modes, exit codes, outputs, bad input."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from cleaner.cli import app

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_summary_writes_nothing(raw_seeds: Path) -> None:
    before = {p.name: p.read_bytes() for p in raw_seeds.iterdir()}
    code, out, _ = run("clean", str(raw_seeds))
    assert code == 0
    assert "2 documents" in out and "BP001 read-more-link" in out
    assert {p.name: p.read_bytes() for p in raw_seeds.iterdir()} == before


def test_explain_names_rule_document_and_line(raw_seeds: Path) -> None:
    code, out, _ = run("clean", str(raw_seeds), "--explain")
    assert code == 0
    assert f"{raw_seeds}/001_6fa379bf55b783b3.txt:1: BP006 section-label: removed 'World Economy" in out
    assert "6fa379bf55b783b3.txt:28: BP001 read-more-link: removed 'Read MoreChina shows" in out


def test_check_and_diff_exit_1_when_changes_are_needed(raw_seeds: Path) -> None:
    assert run("clean", str(raw_seeds), "--check")[0] == 1
    code, out, _ = run("clean", str(raw_seeds), "--diff")
    assert code == 1
    assert "-Read More Will China's slowdown derail reforms?" in out
    assert out.startswith(f"--- {raw_seeds}/000_d87d1fe5066b3ba7.txt\n+++ {raw_seeds}/000_d87d1fe5066b3ba7.txt\n")


def test_output_dir_is_clean_and_idempotent(raw_seeds: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("clean", str(raw_seeds), "-o", str(out_dir))[0] == 0
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(p.name for p in raw_seeds.iterdir())
    assert run("clean", str(out_dir), "--check")[0] == 0
    code, out, _ = run("clean", str(out_dir), "--diff")
    assert (code, out) == (0, "")


def test_jsonl_output_records(raw_seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run("clean", str(raw_seeds), "-o", str(out))[0] == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    # a text file's id is its path as given (the folder named and the file in it)
    assert [r["id"] for r in records] == [f"{raw_seeds}/{p.name}" for p in sorted(raw_seeds.iterdir())]
    rec = records[1]
    assert set(rec) == {"id", "text", "cleaner"}  # what the cleaner adds is under one key
    found = rec["cleaner"]
    assert found["lang"] == "en" and 0 < found["lang_prob"] <= 1
    assert found["source"] == rec["id"]
    assert {e["code"] for e in found["edits"]} >= {"BP001", "BP003", "BP006"}
    assert "World Economy" not in rec["text"]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_formats_round_trip_with_passthrough_fields(tmp_path: Path, suffix: str) -> None:
    records = [
        {"id": "a", "text": "Fact one.\nAdvertisement\nFact two.", "url": "http://x/1"},
        {"id": "b", "text": "Clean text.", "meta": {"k": 1}},
    ]
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    src = tmp_path / f"in{suffix}"
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    elif suffix.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    src.write_bytes(data)
    out = tmp_path / f"out{suffix}"
    assert run("clean", str(src), "-o", str(out))[0] == 0
    raw = out.read_bytes()
    if suffix.endswith(".gz"):
        raw = gzip.decompress(raw)
    elif suffix.endswith(".zst"):
        raw = zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    got = [json.loads(line) for line in raw.decode().splitlines()]
    assert got[0]["text"] == "Fact one.\nFact two." and got[0]["url"] == "http://x/1"
    assert got[1]["meta"] == {"k": 1} and got[1]["cleaner"]["edits"] == []
    # the input's own fields, in their order, then the cleaner's key
    assert [list(g) for g in got] == [[*r, "cleaner"] for r in records]


def test_output_is_identical_for_any_jobs(raw_seeds: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "many.jsonl"
    texts = [p.read_text("utf-8") for p in sorted(raw_seeds.iterdir())]
    corpus.write_text("".join(json.dumps({"id": str(i), "text": texts[i % 2]}) + "\n" for i in range(150)))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("clean", str(corpus), "-o", str(one), "--jobs", "1")[0] == 0
    assert run("clean", str(corpus), "-o", str(two), "--jobs", "2")[0] == 0
    assert one.read_bytes() == two.read_bytes()


def test_in_place_rewrites_only_when_asked(raw_seeds: Path) -> None:
    target = raw_seeds / "001_6fa379bf55b783b3.txt"
    before = target.read_bytes()
    run("clean", str(raw_seeds), "--check")
    assert target.read_bytes() == before
    assert run("clean", str(raw_seeds), "--in-place")[0] == 0
    assert b"World Economy" not in target.read_bytes()
    assert run("clean", str(raw_seeds), "--check")[0] == 0


def test_output_over_an_input_is_refused(raw_seeds: Path) -> None:
    code, _, err = run("clean", str(raw_seeds), "-o", str(raw_seeds))
    assert code == 2 and "--in-place" in err


def test_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    code, _, err = run("clean", str(tmp_path / "nope.txt"))
    assert code == 2
    assert err.strip() == f"error: {tmp_path / 'nope.txt'}: no such file or directory"


def test_unknown_rule_code_is_an_error(raw_seeds: Path) -> None:
    code, _, err = run("clean", str(raw_seeds), "--select", "XX1")
    assert code == 2 and "no rule matches 'XX1'" in err


def test_conflicting_modes_are_a_usage_error(raw_seeds: Path) -> None:
    code, _, err = run("clean", str(raw_seeds), "--in-place", "--diff")
    assert code == 2 and "--in-place and --diff cannot be combined" in err


def test_broken_jsonl_line_names_file_and_line_and_leaves_no_output(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "text": "Fine."}\n{"id": "2", "text": \n{"id": "3", "text": "Also fine."}\n')
    out = tmp_path / "out.jsonl"
    code, _, err = run("clean", str(src), "-o", str(out))
    assert code == 2
    assert f"{src}:2: broken JSONL line" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left behind
    code, _, err = run("clean", str(src), "-o", str(out), "--skip-bad")
    assert code == 0 and "skipped 1 broken JSONL lines" in err
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["1", "3"]


def test_record_without_text_is_a_broken_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "body": "x"}\n')
    code, _, err = run("clean", str(src))
    assert code == 2 and "no string field 'text'" in err
    src.write_text('{"doc": "1", "body": "Advertisement\\nKept."}\n')
    code, out, _ = run("clean", str(src), "--text-key", "body", "--id-key", "doc", "--explain")
    assert code == 0 and "BP004" in out


def test_binary_empty_and_non_utf8_files(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "latin.txt").write_bytes("Caf\xe9 cr\xe8me, na\xefve r\xe9sum\xe9 d\xe9j\xe0 vu.".encode("latin-1"))
    out = tmp_path / "out"
    code, _, err = run("clean", str(corpus), "-o", str(out))
    assert code == 0
    assert "bin.txt: binary file, skipped" in err
    assert "empty.txt: empty document" in err
    assert "latin.txt: not UTF-8" in err
    assert (out / "latin.txt").read_text("utf-8") == "Café crème, naïve résumé déjà vu.\n"
    assert not (out / "bin.txt").exists()
    assert (out / "empty.txt").read_bytes() == b""


def test_unreadable_file_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "a.txt"
    src.write_text("text")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    code, _, err = run("clean", str(src))
    assert code == 2 and err.strip() == f"error: {src}: cannot read: Permission denied"


def test_stdin_to_stdout() -> None:
    line = json.dumps({"id": "s", "text": "Advertisement\nThe story."}) + "\n"
    code, out, _ = run("clean", "-", "-o", "-", input=line)
    assert code == 0
    assert json.loads(out)["text"] == "The story."


def test_rules_listing_and_page() -> None:
    code, out, _ = run("rules")
    assert code == 0 and "BP001  read-more-link" in out
    code, out, _ = run("rules", "BP003")
    assert code == 0 and "Why:" in out and "Example:" in out
    assert run("rules", "ZZ999")[0] == 2


def test_camel_case_names_pass_check(tmp_path: Path) -> None:
    names = (
        "iPhone YouTube McDonald's LinkedIn PhD eBay JavaScript PlayStation DeSantis OpenAI GitHub "
        "WordPress iOS MacBook FedEx PowerPoint"
    )
    src = tmp_path / "names.txt"
    src.write_text(f"The brands {names.replace(' ', ', ')} were all named in the report.\n{names}\n")
    code, _, _ = run("clean", str(src), "--check")
    assert code == 0


def test_exit_non_zero_on_fix_reports_rewritten_files(raw_seeds: Path) -> None:
    assert run("clean", str(raw_seeds), "--in-place", "--exit-non-zero-on-fix")[0] == 1
    assert run("clean", str(raw_seeds), "--in-place", "--exit-non-zero-on-fix")[0] == 0


def test_rewritten_files_keep_their_permissions(raw_seeds: Path, tmp_path: Path) -> None:
    target = raw_seeds / "001_6fa379bf55b783b3.txt"
    target.chmod(0o640)
    assert run("clean", str(raw_seeds), "--in-place")[0] == 0
    assert target.stat().st_mode & 0o777 == 0o640
    out_dir = tmp_path / "out"
    assert run("clean", str(raw_seeds), "-o", str(out_dir))[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (out_dir / target.name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_check_with_diff_prints_the_diff_and_exits_1(raw_seeds: Path) -> None:
    code, out, _ = run("clean", str(raw_seeds), "--check", "--diff")
    assert code == 1
    assert (code, out) == run("clean", str(raw_seeds), "--diff")[:2]
    assert run("clean", str(raw_seeds), "--check", "--in-place")[0] == 2


def _closed_pipe_run(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the command line with stdout a pipe whose reading end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write (or flush) meets EPIPE
    try:
        return subprocess.run(
            [sys.executable, "-m", "cleaner", *args], stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [["clean", "{corpus}", "--diff"], ["clean", "{corpus}", "--explain"], ["clean", "{corpus}"], ["--help"]],
    ids=["diff", "explain", "summary", "help"],
)
def test_a_closed_stdout_is_exit_141_without_a_traceback(raw_seeds: Path, args: list[str]) -> None:
    done = _closed_pipe_run([a.format(corpus=raw_seeds) for a in args])
    assert done.returncode == 141, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_diff_piped_to_head_is_not_a_success(raw_seeds: Path) -> None:
    # head reads one line and exits; the cleaner's exit is 141 if it was still writing, else 1
    # (it had written the whole diff into the pipe): either way not 0, and no traceback
    script = f'set -o pipefail; "{sys.executable}" -m cleaner clean "{raw_seeds}" --diff | head -1'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith(f"--- {raw_seeds}/")
    assert done.returncode in (1, 141), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["clean", "dedup", "index", "rules"])
def test_help_shows_plain_placeholders_and_examples(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Examples:" in out and f"  cleaner {command}" in out.split("Examples:")[1]
    assert "<" not in out.split("Examples:")[0]  # no <list[str]>, <str>, <int>, <float>
    usage = out.splitlines()[0]
    assert usage == f"Usage: cleaner {command} [OPTIONS] " + ("[CODE]" if command == "rules" else "PATH...")
    if command != "rules":
        assert "-j, --jobs N " in out and "--select CODES " in out and "  PATH...  " in out


def test_completion_is_on_and_completes_commands_and_options() -> None:
    _, out, _ = run("--help")
    assert "--install-completion" in out and "--show-completion" in out
    env = {**os.environ, "_CLEANER_COMPLETE": "complete_bash", "COMP_WORDS": "cleaner clean --ch", "COMP_CWORD": "2"}
    done = subprocess.run([sys.executable, "-m", "cleaner"], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["--check"]


#: Modules a start-up must not load to print the version or the help: the engine and its libraries.
HEAVY = ("numpy", "regex", "ftfy", "langdetect", "datasketch", "rich", "orjson", "zstandard", "wordfreq")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["clean", "--help"]])
def test_version_and_help_load_no_heavy_module(args: list[str]) -> None:
    # `cleaner COMMAND --help` loads pydantic: typer converts its own --help option's value with it
    heavy = HEAVY + ("cleaner.pipeline", "cleaner.settings") + (("pydantic",) if len(args) == 1 else ())
    script = (
        "import sys\nfrom cleaner import cli\ntry:\n    cli.main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout
    if args == ["--version"]:
        assert done.stdout.startswith("cleaner ")


def test_the_command_lines_defaults_are_the_settings_defaults() -> None:
    # cli.py writes them out so that --help need not import numpy; they must stay the library's
    from typer.main import get_command

    from cleaner.commands.index import ManifestFormat
    from cleaner.settings import Settings

    group = get_command(app)
    defaults = Settings()
    for name in ("dedup", "index"):
        params = {p.name: p for p in group.commands[name].params}  # type: ignore[attr-defined]
        for field in ("threshold", "containment", "num_perm", "ngram", "keep"):
            assert params[field].default == getattr(defaults, field), (name, field)
    fmt = {p.name: p for p in group.commands["index"].params}["fmt"]  # type: ignore[attr-defined]
    assert fmt.default == ManifestFormat.MD.value
    assert list(fmt.type_descriptor.choices) == [f.value for f in ManifestFormat]
    assert run("index", ".", "--format", "xml")[0] == 2
