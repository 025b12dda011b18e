"""``cleaner clean --diff``: a patch that the real ``patch -p0`` and ``git apply -p0`` accept and apply,
giving the same bytes as ``--in-place``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from tests.conftest import RAW_SEEDS, SHARED

runner = CliRunner()
needs_tools = pytest.mark.skipif(
    shutil.which("patch") is None or shutil.which("git") is None, reason="needs GNU patch and git"
)

#: The ways a last line, a line ending or a file name can break a patch; each file changes.
EDGE_CASES: dict[str, bytes] = {
    "last-line-no-newline.txt": b"The talks went on into the night.\nAdvertisement",
    "last-line-newline.txt": b"The talks went on into the night.\nAdvertisement\n",
    "emptied-no-newline.txt": b"Advertisement",
    "emptied.txt": b"Advertisement\n\n",
    "crlf.txt": b"The talks went on.\r\nAdvertisement\r\nMore talks followed.\r\n",
    "crlf-last.txt": b"The talks went on.\r\nAdvertisement",
    "bom.txt": b"\xef\xbb\xbfThe talks went on.\nAdvertisement\nMore talks followed.\n",
    "separators.txt": "Page\u2028one\x0cand two.\nAdvertisement\nThe end\u2029here.".encode(),
    "name with spaces.txt": b"The talks went on.\nAdvertisement\n",
    'quote"and\\back.txt': b"The talks went on.\nAdvertisement\n",
    "café.txt": b"The talks went on.\nAdvertisement\n",
    os.fsdecode(b"caf\xe9-latin1-name.txt"): b"The talks went on.\nAdvertisement\n",
}


def diff_of(folder: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["clean", folder.name, "--diff", *args])
    return result.exit_code, result.stdout_bytes.decode("utf-8")  # .stdout would turn \r\n into \n


def write_corpus(root: Path, files: dict[str, bytes]) -> Path:
    folder = root / "corpus"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def apply(tool: list[str], patch: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(tool, input=patch.encode(), cwd=cwd, capture_output=True, timeout=120)


def split_files(patch: str) -> list[str]:
    """The diff of each file, walked by the line counts of its hunk headers (which must add up)."""
    lines = re.findall(r"[^\n]*\n", patch)
    assert "".join(lines) == patch  # every line of a patch ends with a newline
    files, i = [], 0
    while i < len(lines):
        start = i
        assert lines[i].startswith("--- ") and lines[i + 1].startswith("+++ "), lines[i]
        i += 2
        while i < len(lines) and lines[i].startswith("@@ "):
            m = re.fullmatch(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@\n", lines[i])
            assert m is not None, lines[i]
            old, new = int(m[1] or 1), int(m[2] or 1)
            i += 1
            while old or new:
                tag = lines[i][0]
                assert tag in " -+", lines[i]
                old -= tag in " -"
                new -= tag in " +"
                i += 1
                while i < len(lines) and lines[i] == "\\ No newline at end of file\n":
                    i += 1
            assert old == new == 0
        files.append("".join(lines[start:i]))
    return files


PATCH = ["patch", "-p0", "--batch", "--silent"]
GIT_APPLY = ["git", "apply", "-p0", "-"]


@needs_tools
@pytest.mark.parametrize("tool", [PATCH, GIT_APPLY], ids=["patch", "git-apply"])
def test_the_diff_applied_gives_what_in_place_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: list[str]
) -> None:
    files = {**EDGE_CASES, **{f.name: f.read_bytes() for f in RAW_SEEDS}, "clean.txt": b"Nothing to change.\n"}
    original = write_corpus(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    code, patch = diff_of(original)
    assert code == 1
    assert len(split_files(patch)) == len(files) - 1  # every file but clean.txt
    assert "clean.txt" not in patch
    dry = [*tool[:-1], "--check", "-"] if tool[0] == "git" else [*tool, "--dry-run"]
    assert apply(dry, patch, tmp_path).returncode == 0
    assert apply(tool, patch, tmp_path).returncode == 0
    patched = tree(original)
    shutil.rmtree(original)
    write_corpus(tmp_path, files)
    assert runner.invoke(app, ["clean", "corpus", "--in-place"]).exit_code == 0
    assert patched == tree(original)
    assert diff_of(original) == (0, "")  # nothing left to change


def test_a_changed_last_line_is_marked_not_glued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path, {"a.txt": b"The talks went on.\nAdvertisement"})
    monkeypatch.chdir(tmp_path)
    code, patch = diff_of(tmp_path / "corpus")
    assert code == 1
    assert patch.splitlines() == [
        "--- corpus/a.txt",
        "+++ corpus/a.txt",
        "@@ -1,2 +1 @@",
        " The talks went on.",
        "-Advertisement",
        "\\ No newline at end of file",
    ]


def test_a_record_diff_is_its_text_under_path_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [
        {"id": "a", "text": "Clean."},
        {"id": "b", "text": "The talks went on.\nAdvertisement"},
        {"id": "c", "text": "Advertisement"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["clean", "in.jsonl", "--diff"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "--- in.jsonl:2",
        "+++ in.jsonl:2",
        "@@ -1,2 +1 @@",
        "-The talks went on.",
        "-Advertisement",
        "\\ No newline at end of file",
        "+The talks went on.",
        "\\ No newline at end of file",
        "--- in.jsonl:3",
        "+++ in.jsonl:3",
        "@@ -1 +0,0 @@",
        "-Advertisement",
        "\\ No newline at end of file",
    ]


@needs_tools
@pytest.mark.skipif(not (SHARED / "eval" / "dev" / "inline.jsonl").exists(), reason="needs ../shared/eval/dev")
def test_every_changed_dev_document_is_a_patch_both_tools_accept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (SHARED / "eval" / "dev" / "inline.jsonl").read_text("utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    files = {f"{i:03d}.txt": text.encode("utf-8") for i, text in enumerate(texts)}
    original = write_corpus(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    code, patch = diff_of(original, "--jobs", "2")
    assert code == 1
    diffs = split_files(patch)
    assert len(diffs) > len(files) // 2  # the inline task is full of boilerplate
    for one in diffs:  # each document's diff alone, as the issue asks
        name = one.split("\n", 1)[0]
        assert apply([*PATCH, "--dry-run"], one, tmp_path).returncode == 0, name
        assert apply(["git", "apply", "-p0", "--check", "-"], one, tmp_path).returncode == 0, name
    assert apply(PATCH, patch, tmp_path).returncode == 0
    patched = tree(original)
    shutil.rmtree(original)
    write_corpus(tmp_path, files)
    assert runner.invoke(app, ["clean", "corpus", "--in-place", "--jobs", "2"]).exit_code == 0
    assert patched == tree(original)
