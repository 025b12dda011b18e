"""Reading documents: text files, JSONL (plain, gzip, zstd) and standard input, as a stream.

Every reader yields :class:`~cleaner.document.Document` records one at a time, so a corpus larger
than memory streams through.  Problems are reported, never silently swallowed:

* a path that does not exist or cannot be read raises :class:`InputError`;
* a broken JSONL line raises :class:`InputError` naming the file and line, unless ``skip_bad``,
  in which case it is counted in :class:`ReadReport` and skipped;
* a binary file is skipped with a warning; a file that is not UTF-8 is decoded with the codec
  charset-normalizer finds (else cp1252) and the warning says so.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import orjson
import zstandard
from charset_normalizer import from_bytes

from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.manifest import is_manifest

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst")
#: How much of a file is looked at to decide that it is binary.
SNIFF_BYTES = 8192


@dataclass
class ReadReport:
    """What the readers met besides documents: warnings and skipped records."""

    warnings: list[str] = field(default_factory=list)
    skipped_lines: int = 0
    skipped_files: int = 0
    warn: Callable[[str], None] | None = None

    def warning(self, message: str) -> None:
        """Record a warning (and pass it on at once, if a callback is set)."""
        self.warnings.append(message)
        if self.warn is not None:
            self.warn(message)


def input_kind(path: Path) -> str | None:
    """``"text"``, ``"jsonl"`` or ``None`` (not a corpus file) from the file name.

    >>> input_kind(Path("a/b.jsonl.zst")), input_kind(Path("x.md")), input_kind(Path("x.png"))
    ('jsonl', 'text', None)
    """
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


@dataclass(frozen=True)
class InputFile:
    """One input file: its path, its path relative to the argument it came from, its kind."""

    path: Path
    rel: str
    kind: str


def discover(paths: list[str]) -> Iterator[InputFile]:
    """The corpus files named by ``paths`` (files, or directories searched recursively, sorted).

    A named file must exist and be readable; in a directory, files of other kinds are ignored.
    """
    for arg in paths:
        p = Path(arg)
        if not p.exists():
            raise InputError(f"{arg}: no such file or directory")
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue  # hidden files and folders (.git, editor swap files)
                kind = input_kind(f)
                if kind is not None:
                    yield InputFile(f, f.relative_to(p).as_posix(), kind)
        else:
            kind = input_kind(p)
            if kind is None:
                raise InputError(f"{arg}: not a corpus file (expected {', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})")
            yield InputFile(p, p.name, kind)


def tracked(paths: list[str]) -> list[str]:
    """The corpus files of ``paths`` (as :func:`discover` finds them) that git tracks or has staged.

    What a commit will hold: untracked and ignored files are left out (pre-commit stashes unstaged
    changes of tracked files, but leaves untracked files where they are).  The files come as
    paths to name one by one.  ``InputError`` when a path is not in a git repository.
    """
    known: set[Path] = set()
    for arg in paths:
        if arg == "-":
            raise InputError("--tracked reads files that git tracks; it cannot read stdin")
        p = Path(arg)
        if not p.exists():
            raise InputError(f"{arg}: no such file or directory")
        folder = p if p.is_dir() else p.parent
        try:
            listed = subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--", p.name if p.is_file() else "."],
                cwd=folder,
                capture_output=True,
                check=True,
            ).stdout
        except FileNotFoundError:
            raise InputError("--tracked needs git, which is not installed") from None
        except subprocess.CalledProcessError as exc:
            raise InputError(f"{arg}: --tracked: {exc.stderr.decode(errors='replace').strip()}") from None
        known.update((folder / os.fsdecode(n)).absolute() for n in listed.split(b"\0") if n)
    return [str(f.path) for f in discover(paths) if f.path.absolute() in known]


def check_paths(paths: list[str]) -> None:
    """Fail on a missing or unreadable path now, before any output is started (``-`` is stdin)."""
    for arg in paths:
        if arg != "-":
            next(iter(discover([arg])), None)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def looks_binary(data: bytes) -> bool:
    """A NUL byte near the start means binary (what git and grep decide on), unless UTF-16 with BOM.

    >>> looks_binary(b"PK\\x03\\x04\\x00\\x00"), looks_binary("héllo".encode())
    (True, False)
    """
    head = data[:SNIFF_BYTES]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


#: Codecs of the Latin-alphabet family: between them, a guess on a short text is a coin toss, so
#: we use windows-1252, which is what browsers use for such pages (the HTML standard maps
#: ISO-8859-1 to it).
_LATIN_FAMILY = ("cp125", "latin", "iso8859", "mac_", "ascii", "cp437", "cp850")


def decode(data: bytes, where: str, report: ReadReport) -> str:
    """Decode ``data`` as UTF-8 (BOM allowed); otherwise guess the codec and say so.

    charset-normalizer picks the codec; when it picks one of the Latin family, windows-1252 is
    used instead (see :data:`_LATIN_FAMILY`).  Bytes that no codec explains become U+FFFD.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    best = from_bytes(data).best()
    codec = best.encoding if best is not None else "cp1252"
    if codec.startswith(_LATIN_FAMILY):
        codec = "cp1252"
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        codec = "cp1252"
        text = data.decode(codec, errors="replace")
    report.warning(f"{where}: not UTF-8 (first bad byte at offset {first_bad}); decoded as {codec}")
    return text


def read_text_file(f: InputFile, report: ReadReport) -> Iterator[Document]:
    """One document per text file; its id is the path relative to the argument."""
    data = _read_bytes(f.path)
    if looks_binary(data):
        report.skipped_files += 1
        report.warning(f"{f.path}: binary file, skipped")
        return
    text = decode(data, str(f.path), report)
    if is_manifest(text):
        # INDEX.md describes the corpus; it is not a document of it (and cleaning it would break it)
        report.skipped_files += 1
        report.warning(f"{f.path}: a manifest written by cleaner index, skipped")
        return
    if text.endswith("\n"):
        # the final newline belongs to the file format, not to the document; writers put it back
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    if not text.strip():
        report.warning(f"{f.path}: empty document")
    yield Document(f.rel, text, source=str(f.path), unit=f.rel, fmt="text")


def open_jsonl(path: Path) -> IO[bytes]:
    """Open a JSONL file for binary reading, decompressing ``.gz`` and ``.zst``."""
    try:
        raw: IO[bytes] = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    name = path.name.lower()
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw))
    if name.endswith(".zst"):
        # the zstd reader has no readline: buffer it so that lines can be iterated
        return cast(IO[bytes], io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)))
    return raw


def parse_jsonl(
    lines: IO[bytes],
    where: str,
    unit: str,
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
) -> Iterator[Document]:
    """Documents from JSONL lines; a record needs a string ``text_key``; ``id_key`` defaults to ``unit:line``."""
    try:
        for lineno, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                text = record.get(text_key)
                if not isinstance(text, str):
                    raise ValueError(f"no string field {text_key!r}")
            except (orjson.JSONDecodeError, ValueError) as exc:
                message = f"{where}:{lineno}: broken JSONL line: {exc}"
                if not skip_bad:
                    raise InputError(message + " (use --skip-bad to skip such lines)") from None
                report.skipped_lines += 1
                report.warning(message + "; skipped")
                continue
            doc_id = record.get(id_key)
            extra: dict[str, Any] = {k: v for k, v in record.items() if k not in (text_key, id_key)}
            yield Document(
                str(doc_id) if doc_id is not None else f"{unit}:{lineno}",
                text,
                source=f"{where}:{lineno}",
                unit=unit,
                fmt="jsonl",
                extra=extra,
            )
    except (OSError, EOFError, zstandard.ZstdError) as exc:
        raise InputError(f"{where}: cannot read: {exc}") from None


def read_documents(
    paths: list[str],
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
) -> Iterator[Document]:
    """Every document of every input, in order: files as :func:`discover` lists them, ``-`` as stdin JSONL."""
    for arg in paths:
        if arg == "-":
            yield from parse_jsonl(sys.stdin.buffer, "<stdin>", "-", report, text_key, id_key, skip_bad)
            continue
        for f in discover([arg]):
            if f.kind == "text":
                yield from read_text_file(f, report)
            else:
                with open_jsonl(f.path) as stream:
                    yield from parse_jsonl(stream, str(f.path), f.rel, report, text_key, id_key, skip_bad)
