"""Hostile input: nothing lost, nothing half-written, one-line errors (issue 9).

Every case checks what a user sees and what is left on disk: the exit code, a one-line message
and no traceback, inputs byte for byte as they were (unless ``--in-place`` was asked and the run
finished), and no file in an output folder that was not there before or is not complete.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.io import discover, writers
from tests.conftest import RAW_SEEDS

runner = CliRunner()
ARTICLE = "The council met on Tuesday.\nAdvertisement\nIt voted to keep the harbour open through the winter."


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too), by relative path."""
    return {
        os.path.relpath(os.path.join(d, n), folder): Path(d, n).read_bytes()
        for d, _, names in os.walk(folder)
        for n in names
    }


def one_line_error(code: int, err: str, fragment: str) -> None:
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0], err
    assert "Traceback" not in err


def jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


# --- data lost or damaged -------------------------------------------------------------------


@pytest.fixture
def two_same_named(tmp_path: Path) -> tuple[Path, Path]:
    a = jsonl(tmp_path / "A" / "data.jsonl", [{"id": "a1", "text": ARTICLE}])
    b = jsonl(tmp_path / "B" / "data.jsonl", [{"id": "b1", "text": ARTICLE.replace("council", "board")}])
    return a, b


@pytest.mark.parametrize("as_folders", [False, True])
def test_same_named_jsonl_files_in_place_stay_apart(two_same_named: tuple[Path, Path], as_folders: bool) -> None:
    a, b = two_same_named
    args = [str(a.parent), str(b.parent)] if as_folders else [str(a), str(b)]
    code, _, err = run("clean", *args, "--in-place")
    assert code == 0, err
    assert [r["id"] for r in records(a)] == ["a1"] and "council" in str(records(a)[0]["text"])
    assert [r["id"] for r in records(b)] == ["b1"] and "board" in str(records(b)[0]["text"])
    assert "Advertisement" not in a.read_text() + b.read_text()


def test_same_named_files_into_one_output_folder_are_refused(two_same_named: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = two_same_named
    before = snapshot(tmp_path)
    for command in (["clean", str(a), str(b), "-o"], ["dedup", str(a), str(b), "--write-kept"]):
        code, _, err = run(*command, str(tmp_path / "out"))
        one_line_error(code, err, "would both be written to")
        assert snapshot(tmp_path) == before and not (tmp_path / "out").exists()


def test_a_file_named_twice_is_read_once(two_same_named: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = two_same_named
    out = tmp_path / "out.jsonl"
    code, _, err = run("clean", str(a), str(a.parent), str(a), "-o", str(out))
    assert code == 0 and "read once" in err
    assert [r["id"] for r in records(out)] == ["a1"]


@pytest.mark.parametrize(
    "command",
    [
        ["clean", "{corpus}/a.txt", "-o", "{corpus}"],
        ["dedup", "{corpus}/a.txt", "{corpus}/g.jsonl", "--write-kept", "{corpus}"],
        ["clean", "{corpus}/g.jsonl", "-o", "{corpus}/g.jsonl"],
        ["dedup", "{corpus}/g.jsonl", "-o", "{corpus}/g.jsonl"],
        ["dedup", "{corpus}/g.jsonl", "--store", "{corpus}/g.jsonl"],
        ["dedup", "{corpus}/g.jsonl", "--index", "{corpus}/g.jsonl"],  # the old name of --store
    ],
)
def test_an_input_is_never_overwritten_without_in_place(tmp_path: Path, command: list[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE + "\n", "utf-8")
    jsonl(corpus / "g.jsonl", [{"id": "g", "text": ARTICLE}])
    before = snapshot(tmp_path)
    code, _, err = run(*(c.format(corpus=corpus) for c in command))
    one_line_error(code, err, "input")
    assert snapshot(tmp_path) == before


def test_a_truncated_zstd_file_is_an_error_even_with_skip_bad(tmp_path: Path) -> None:
    for n, words in ((90, 1), (40, 2000)):  # one block, and several
        data = "".join(json.dumps({"id": i, "text": f"Record {i} says something. " * words}) + "\n" for i in range(n))
        packed = zstandard.ZstdCompressor().compress(data.encode())
        src = tmp_path / f"cut{words}.jsonl.zst"
        src.write_bytes(packed[: len(packed) * 3 // 4])
        out = tmp_path / "out.jsonl"
        for extra in ([], ["--skip-bad"]):
            code, _, err = run("clean", str(src), "-o", str(out), *extra)
            one_line_error(code, err, "truncated zstd stream")
            assert not out.exists()
    whole = tmp_path / "whole.jsonl.zst"  # two frames, complete: read whole
    whole.write_bytes(
        b"".join(zstandard.ZstdCompressor().compress(json.dumps({"text": t}).encode() + b"\n") for t in "ab")
    )
    code, out_text, _ = run("clean", str(whole))
    assert code == 0 and out_text.startswith("2 documents")


def test_a_truncated_gzip_file_is_an_error(tmp_path: Path) -> None:
    data = gzip.compress("".join(json.dumps({"text": f"Record {i}."}) + "\n" for i in range(500)).encode())
    src = tmp_path / "cut.jsonl.gz"
    src.write_bytes(data[: len(data) // 2])
    code, _, err = run("clean", str(src), "--skip-bad")
    one_line_error(code, err, "cannot read")


def test_records_keep_their_shape_in_place(tmp_path: Path) -> None:
    src = tmp_path / "r.jsonl"
    rows: list[dict[str, object]] = [
        {"id": 1, "text": ARTICLE, "lang": "fr", "lang_prob": "mine", "edits": [7]},
        {"id": [1, 2], "text": "Clean text, nothing to do."},
        {"id": True, "text": ARTICLE},
        {"text": ARTICLE, "meta": {"k": None}},
    ]
    jsonl(src, rows)
    code, _, err = run("clean", str(src), "--in-place")
    assert code == 0, err
    got = records(src)
    assert [{k: v for k, v in g.items() if k != "text"} for g in got] == [
        {k: v for k, v in r.items() if k != "text"} for r in rows
    ]
    assert [list(g) for g in got] == [list(r) for r in rows]  # same fields, same order
    assert all("Advertisement" not in str(g["text"]) for g in got)


def test_full_records_put_the_cleaners_findings_under_one_key(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "r.jsonl", [{"id": 1, "text": ARTICLE, "lang": "fr", "edits": "theirs"}])
    out = tmp_path / "out.jsonl"
    assert run("clean", str(src), "-o", str(out))[0] == 0
    (rec,) = records(out)
    assert rec["id"] == 1 and rec["lang"] == "fr" and rec["edits"] == "theirs"
    found = rec["cleaner"]
    assert isinstance(found, dict) and found["source"] == f"{src}:1"
    assert [e["code"] for e in found["edits"]] == ["BP004"]
    # cleaning the output again replaces the cleaner's key, and keeps the record's own fields
    again = tmp_path / "again.jsonl"
    assert run("clean", str(out), "-o", str(again))[0] == 0
    (rec2,) = records(again)
    assert rec2["lang"] == "fr" and rec2["cleaner"]["edits"] == []  # type: ignore[index]


def test_dedup_ids_of_same_named_files_do_not_collide(two_same_named: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = (
        jsonl(tmp_path / "A" / "data.jsonl", [{"text": ARTICLE}]),
        jsonl(tmp_path / "B" / "data.jsonl", [{"text": "A different story about bridges, told at length."}]),
    )
    index = tmp_path / "i.npz"
    assert run("dedup", str(a), "--store", str(index))[0] == 0
    code, _, err = run("dedup", str(b), "--store", str(index), "-o", str(tmp_path / "v.jsonl"))
    assert code == 0 and "1 from the store, 1 new" in err and "already in the store" not in err
    assert {r["id"] for r in records(tmp_path / "v.jsonl")} == {f"{a}:1", f"{b}:1"}
    # the same file again is known (same id, same text) and skipped
    code, _, err = run("dedup", str(b), "--store", str(index))
    assert code == 0 and "skipped 1 documents already in the store" in err


def test_dedup_refuses_an_id_the_index_holds_for_another_text(tmp_path: Path) -> None:
    a = jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": ARTICLE}])
    b = jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": "Another story entirely, about trains."}])
    index = tmp_path / "i.npz"
    assert run("dedup", str(a), "--store", str(index))[0] == 0
    before = index.read_bytes()
    code, _, err = run("dedup", str(b), "--store", str(index))
    one_line_error(code, err, "is in the store")
    assert index.read_bytes() == before
    code, _, err = run("dedup", str(a), str(b))  # and within one run
    one_line_error(code, err, "ids must be unique")


def _corpus_with_a_bad_file(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    for name in ("a.txt", "b.txt"):
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text(ARTICLE + "\n", "utf-8")
    jsonl(corpus / "c.jsonl", [{"id": "1", "text": ARTICLE}])
    (corpus / "z.jsonl").write_text('{"id": "ok", "text": "Fine."}\n{"id": "broken", "te\n', "utf-8")
    return corpus


@pytest.mark.parametrize("mode", ["-o", "--in-place"])
def test_a_broken_line_late_in_a_folder_leaves_every_output_as_it_was(tmp_path: Path, mode: str) -> None:
    corpus = _corpus_with_a_bad_file(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("an older output\n", "utf-8")
    before = snapshot(tmp_path)
    args = ["-o", str(out)] if mode == "-o" else ["--in-place"]
    code, _, err = run("clean", str(corpus), *args)
    one_line_error(code, err, "z.jsonl:2: broken JSONL line")
    assert snapshot(tmp_path) == before  # no input rewritten, no output written, no temporary file


def test_an_unreadable_file_fails_before_the_first_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _corpus_with_a_bad_file(tmp_path)
    (corpus / "z.jsonl").unlink()
    real_open = open

    def deny(path: object, *args: object, **kwargs: object) -> object:
        # root reads a file of mode 000: the permission error is what a user meets
        if str(path).endswith("c.jsonl"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(discover, "open", deny, raising=False)
    before = snapshot(tmp_path)
    code, _, err = run("clean", str(corpus), "--in-place")
    one_line_error(code, err, "c.jsonl: cannot read: Permission denied")
    assert snapshot(tmp_path) == before


def test_an_unreadable_folder_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "d"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "locked" / "a.txt").write_text(ARTICLE, "utf-8")
    real_scandir = os.scandir

    def deny(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(discover.os, "scandir", deny)
    code, _, err = run("clean", str(corpus))
    one_line_error(code, err, "locked: cannot read folder: Permission denied")


def test_links_and_empty_folders_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (tmp_path / "real.txt").write_text(ARTICLE, "utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "real.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "up").symlink_to(tmp_path)
    code, out, err = run("clean", str(folder))
    assert code == 0 and out.startswith("1 documents")
    assert "dangling.txt: a dangling symbolic link, skipped" in err
    assert "loop.txt: a symbolic link loop, skipped" in err
    assert "up: a symbolic link to a folder, not followed" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "photo.png").write_bytes(b"\x89PNG")
    code, _, err = run("clean", str(empty))
    assert code == 0 and "empty: no corpus files" in err


def test_in_place_writes_through_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text(ARTICLE + "\n", "utf-8")
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "link.txt").symlink_to(real)
    assert run("clean", str(folder), "--in-place")[0] == 0
    assert (folder / "link.txt").is_symlink() and "Advertisement" not in real.read_text("utf-8")


# --- one-line errors, not tracebacks ---------------------------------------------------------


def test_damaged_utf16_is_an_error_and_utf32_is_read(tmp_path: Path) -> None:
    rng = random.Random(9)
    bad = tmp_path / "u16.txt"
    bad.write_bytes(b"\xff\xfe" + bytes(rng.randrange(256) for _ in range(101)))
    code, _, err = run("clean", str(bad))
    one_line_error(code, err, "UTF-16 byte-order mark, but not UTF-16 text")
    code, _, err = run("clean", str(bad), "--skip-bad")
    assert code == 0 and "skipped" in err
    u32 = tmp_path / "u32.txt"
    u32.write_text(ARTICLE, "utf-32")
    out = tmp_path / "out.jsonl"
    code, _, err = run("clean", str(u32), "-o", str(out))
    assert code == 0 and "decoded as UTF-32" in err
    assert records(out)[0]["text"] == ARTICLE.replace("Advertisement\n", "")


def test_a_jsonl_file_may_start_with_a_bom(tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": ARTICLE}).encode() + b"\n")
    code, out, _ = run("clean", str(src))
    assert code == 0 and out.startswith("1 documents, 1 changed")


def test_a_stray_nul_is_removed_and_explained_binary_is_skipped(tmp_path: Path) -> None:
    text = tmp_path / "nul.txt"
    text.write_bytes(b"The council met on Tuesday.\x00 It voted to keep the harbour open.\n")
    code, out, _ = run("clean", str(text), "--explain")
    assert code == 0 and "EN001 fix-encoding: removed '\\x00'" in out
    late = tmp_path / "late.txt"  # the same wherever the NUL stands
    late.write_bytes(b"The council met. " * 1000 + b"\x00 It voted.\n")
    code, out, _ = run("clean", str(late), "--explain")
    assert code == 0 and "EN001 fix-encoding: removed '\\x00'" in out
    image = tmp_path / "image.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    code, _, err = run("clean", str(image))
    assert code == 0 and "image.txt: binary file, skipped" in err


def test_non_utf8_file_names_go_to_json_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(ARTICLE, "utf-8")
    out = tmp_path / "out.jsonl"
    assert run("clean", str(folder), "-o", str(out))[0] == 0
    assert records(out)[0]["id"] == f"{folder}/caf\\xe9.txt"
    code, _, err = run("dedup", str(folder), "-o", str(tmp_path / "v.jsonl"), "--store", str(tmp_path / "i.npz"))
    assert code == 0, err
    assert records(tmp_path / "v.jsonl")[0]["id"] == f"{folder}/caf\\xe9.txt"


def test_a_255_byte_file_name(tmp_path: Path) -> None:
    name = "n" * 251 + ".txt"
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / name).write_text(ARTICLE + "\n", "utf-8")
    assert run("clean", str(folder), "-o", str(tmp_path / "out"))[0] == 0
    assert "Advertisement" not in (tmp_path / "out" / name).read_text("utf-8")
    assert run("clean", str(folder), "--in-place")[0] == 0
    assert os.listdir(folder) == [name]


def test_a_path_too_long_is_one_line(tmp_path: Path) -> None:
    # folders of 200-character names, 25 deep: paths past PATH_MAX (4096), through relative steps
    name = "d" * 200
    fd = os.open(tmp_path, os.O_RDONLY)
    os.mkdir("deep", dir_fd=fd)
    for step in ["deep"] + [name] * 24:
        nfd = os.open(step, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
        os.mkdir(name, dir_fd=fd)
    os.close(fd)
    code, _, err = run("clean", str(tmp_path / "deep"))
    one_line_error(code, err, "File name too long")
    assert len(err) < 500  # the path is shortened in the message


def test_a_5000_deep_folder_is_one_line(tmp_path: Path) -> None:
    fd = os.open(tmp_path, os.O_RDONLY)
    for step in ["deep"] + ["d"] * 5000:
        os.mkdir(step, dir_fd=fd)
        nfd = os.open(step, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
    try:
        code, _, err = run("clean", str(tmp_path / "deep"))
        one_line_error(code, err, "File name too long")
    finally:
        # pytest's own clean-up recurses once per level and would fail on this tree
        subprocess.run(["rm", "-rf", str(tmp_path / "deep")], check=True)


@pytest.mark.parametrize("content", [b"", b"garbage", b"PK\x03\x04" + b"\x00" * 40, "npz-object", "npz-cut"])
def test_a_bad_index_file_is_one_line(tmp_path: Path, content: bytes | str) -> None:
    import numpy as np

    src = jsonl(tmp_path / "a.jsonl", [{"text": ARTICLE}])
    index = tmp_path / "i.npz"
    if content == "npz-object":
        np.savez(index, params=np.array([{"format": 2}], dtype=object))
    elif content == "npz-cut":
        assert run("dedup", str(src), "--store", str(index))[0] == 0
        index.write_bytes(index.read_bytes()[:200])
    else:
        assert isinstance(content, bytes)
        index.write_bytes(content)
    before = index.read_bytes()
    code, _, err = run("dedup", str(src), "--store", str(index))
    one_line_error(code, err, "not a signature store")
    assert "allow_pickle" not in err and index.read_bytes() == before


def test_output_places_that_cannot_work_fail_before_the_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"text": ARTICLE}])
    (tmp_path / "file").write_text("x", "utf-8")
    (tmp_path / "x.jsonl").mkdir()
    cleaned: list[object] = []
    monkeypatch.setattr("cleaner.pipeline.Cleaner.clean", lambda self, doc: cleaned.append(doc) or doc)
    for target, fragment in (
        (tmp_path / "file" / "out", "is not a folder"),
        (tmp_path / "file" / "out.jsonl", "is not a folder"),
        (tmp_path / "x.jsonl", "is a folder, not a file"),
        (tmp_path / "file", "exists and is not a folder"),
    ):
        code, _, err = run("clean", str(src), "-o", str(target))
        one_line_error(code, err, fragment)
    code, _, err = run("dedup", "-", "-o", str(tmp_path / "v.jsonl"), "--write-kept", str(tmp_path / "kept"))
    one_line_error(code, err, "stdin cannot be written to a directory")
    assert cleaned == []  # found before any document was cleaned
    assert not (tmp_path / "v.jsonl").exists() and not (tmp_path / "kept").exists()


def test_a_folder_that_refuses_files_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # root writes in a folder of mode 555, so the refusal is what the file system says to a user
    src = jsonl(tmp_path / "a.jsonl", [{"text": ARTICLE}])

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writers.tempfile, "mkstemp", refuse)
    for target in ("out.jsonl", "out"):
        code, _, err = run("clean", str(src), "-o", str(tmp_path / "ro" / target))
        one_line_error(code, err, "Permission denied")


def _cleaner(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args], capture_output=True, text=True, timeout=300, **kwargs
    )  # type: ignore[call-overload,no-any-return]


def test_a_file_size_limit_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text((ARTICLE + "\n") * 400, "utf-8")  # ~40 kB
    out = tmp_path / "out"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))  # ulimit -f 16

    done = _cleaner("clean", str(corpus), "-o", str(out), preexec_fn=limit)
    one_line_error(done.returncode, done.stderr, "File too large")
    assert not out.exists()
    done = _cleaner("clean", str(corpus), "--in-place", preexec_fn=limit)
    one_line_error(done.returncode, done.stderr, "File too large")
    assert os.listdir(corpus) == ["big.txt"]


def test_ctrl_c_while_langdetect_loads_is_exit_130(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, "utf-8")
    # Ctrl-C arrives while langdetect reads its profiles: its bare except turns it into its own
    # "Profile format error"; the run must still end as an interruption
    script = (
        "import os, signal, langdetect.utils.lang_profile as lp\n"
        "real = lp.LangProfile.__init__\n"
        "def init(self, *a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    real(self, *a, **k)\n"
        "lp.LangProfile.__init__ = init\n"
        "import sys; sys.argv = ['cleaner', 'clean', sys.argv[1]]\n"
        "from cleaner.cli import main; main()\n"
    )
    # an empty cache folder: the profiles are read from langdetect's files (once per machine)
    env = {**os.environ, "CLEANER_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(src)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "interrupted" in done.stderr


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads worker processes from /proc")
@pytest.mark.parametrize("mode", ["-o", "--in-place"])
def test_sigterm_stops_a_two_worker_run_cleanly(tmp_path: Path, mode: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [f.read_text("utf-8") for f in RAW_SEEDS]
    # large enough that the run is still going when it is stopped, however fast the cleaner gets
    for i in range(3000):
        (corpus / f"{i:04d}.txt").write_text(texts[i % len(texts)], "utf-8")
    jsonl(corpus / "zz.jsonl", [{"id": str(i), "text": texts[i % len(texts)]} for i in range(3000)])
    before = snapshot(tmp_path)
    out = tmp_path / "out"
    args = ["-o", str(out)] if mode == "-o" else ["--in-place"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "clean", str(corpus), *args, "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the workers never started"
    time.sleep(1.0)  # let them work and the outputs be staged
    assert proc.poll() is None, "the run ended before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "terminated" in err
    time.sleep(0.2)
    assert not [w for w in workers if _alive(w)], "worker processes outlived the run"
    assert snapshot(tmp_path) == before  # no temporary file, no output, inputs unchanged


def test_unicode_line_separators_are_line_breaks(tmp_path: Path) -> None:
    src = tmp_path / "ls.txt"
    src.write_text("The council met.\u2028Advertisement\u2029It voted.\n", "utf-8")
    code, out, _ = run("clean", str(src), "--explain")
    assert code == 0 and "WS001 line-endings" in out and "BP004 advertisement" in out
    assert run("clean", str(src), "--in-place")[0] == 0
    assert src.read_text("utf-8") == "The council met.\nIt voted.\n"


def test_dedup_outputs_land_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": ARTICLE}, {"id": "2", "text": ARTICLE}])
    verdicts, kept, index = tmp_path / "v.jsonl", tmp_path / "kept", tmp_path / "i.npz"

    real_replace = os.replace

    def refuse_kept(src: str, dst: str) -> None:
        if "kept" in str(dst):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(writers.os, "replace", refuse_kept)
    before = snapshot(tmp_path)
    code, _, err = run("dedup", str(src), "-o", str(verdicts), "--write-kept", str(kept), "--store", str(index))
    one_line_error(code, err, "No space left on device")
    assert snapshot(tmp_path) == before  # no verdicts, no index, no kept documents
    monkeypatch.undo()
    code, _, err = run("dedup", str(src), "-o", str(verdicts), "--write-kept", str(kept), "--store", str(index))
    assert code == 0, err
    assert [r["keep"] for r in records(verdicts)] == [True, False] and len(records(kept / "a.jsonl")) == 1
    assert index.exists()


def test_a_named_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    code, _, err = run("clean", str(fifo))
    one_line_error(code, err, "not a regular file")


def test_an_output_that_is_a_device_or_pipe_is_refused(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"text": ARTICLE}])
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    code, _, err = run("clean", str(src), "-o", str(fifo))
    one_line_error(code, err, "not a regular file")
    assert fifo.is_fifo()  # not replaced by a file
    code, _, err = run("index", str(src), "-o", "/dev/full")
    one_line_error(code, err, "not a regular file")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["clean", "-o", "-"], ["clean", "--explain"], ["dedup", "-o", "-"]])
def test_a_full_stdout_is_one_line(tmp_path: Path, args: list[str]) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"text": ARTICLE}])
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cleaner", args[0], str(src), *args[1:]],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "error: cannot write the output: No space left on device"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_integers_past_64_bits_come_out_exactly(tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    text = json.dumps(ARTICLE)
    src.write_text(f'{{"id":123456789012345678901234567890,"text":{text},"n":[1.5,2e3,-98765432109876543210]}}\n')
    assert run("clean", str(src), "--in-place")[0] == 0
    assert src.read_text("utf-8").startswith('{"id":123456789012345678901234567890,"text":"The council')
    assert src.read_text("utf-8").endswith('"n":[1.5,2000.0,-98765432109876543210]}\n')


def test_a_stop_that_comes_while_a_temporary_file_is_made_waits_for_it_to_be_recorded() -> None:
    from cleaner.io.writers import stop_later, stops_held

    ran: list[str] = []

    def stop() -> None:
        ran.append("stop")
        raise KeyboardInterrupt

    def make_files() -> None:
        with stops_held():
            with stops_held():
                assert stop_later(stop) is True  # the signal came here: deferred
                ran.append("inner")
            ran.append("outer")  # still held: the stop waits for the outermost block
        ran.append("after")  # never reached: the stop took effect as the block ended

    assert stop_later(stop) is False  # outside a held block: not deferred
    with pytest.raises(KeyboardInterrupt):
        make_files()
    assert ran == ["inner", "outer", "stop"]
