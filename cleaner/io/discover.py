"""Finding the inputs of a run: files named or found in folders, checked and opened before any write.

:func:`discover` lists corpus files (sorted, hidden ones left out; links to folders, dangling
links and link loops reported); :func:`plan_inputs` opens each once, so that an unreadable file
fails a run before its first output, and reads a file named twice once.  Problems are reported,
never swallowed: a folder that cannot be read is an :class:`~cleaner.errors.InputError`.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cleaner.errors import InputError

TEXT_SUFFIXES = (".txt", ".text", ".md")
#: The compressions a JSONL file may have, by the suffix that names them: the standard library's
#: gzip, lzma (xz) and bz2, and zstandard.  A file whose name does not say is recognised by its
#: first bytes (:func:`cleaner.io.readers.sniff_compression`).
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".xz": "xz", ".bz2": "bz2"}
#: JSON Lines, one record a line: ``.jsonl``, and ``.json`` as dolma names its shards (``.json.gz``).
JSONL_SUFFIXES = tuple(base + c for base in (".jsonl", ".json") for c in ("", *COMPRESSIONS))


@dataclass
class ReadReport:
    """What the readers met besides documents: warnings and skipped records."""

    warnings: list[str] = field(default_factory=list)
    skipped_lines: int = 0
    skipped_files: int = 0
    warn: Callable[[str], None] | None = None
    #: how many bytes of the file being read have been read (set by a reader that streams one)
    position: Callable[[], int] | None = None

    def warning(self, message: str) -> None:
        """Record a warning (and pass it on at once, if a callback is set)."""
        self.warnings.append(message)
        if self.warn is not None:
            self.warn(message)


def name_compression(name: str) -> str | None:
    """The compression a file name announces (``"gzip"``, ``"zstd"``, ``"xz"``, ``"bz2"``), or ``None``.

    >>> name_compression("shard-0001.json.gz"), name_compression("a.jsonl.XZ"), name_compression("a.jsonl")
    ('gzip', 'xz', None)
    """
    return COMPRESSIONS.get(os.path.splitext(name.lower())[1])


#: How many first bytes tell a compression (bzip2's: "BZh", the block size, a block's magic number).
MAGIC_BYTES = 10


def sniff_compression(head: bytes) -> str | None:
    """The compression of a stream from its first bytes (``"gzip"``, ``"zstd"``, ``"xz"``, ``"bz2"``), or ``None``.

    JSON and text start with none of these (a JSON record with ``{``, bzip2's ``BZh`` is checked
    with its block magic number after it).

    >>> import bz2, gzip, lzma, zstandard
    >>> sniff_compression(gzip.compress(b"{}")), sniff_compression(lzma.compress(b"{}"))
    ('gzip', 'xz')
    >>> sniff_compression(bz2.compress(b"{}")), sniff_compression(zstandard.compress(b"{}"))
    ('bz2', 'zstd')
    >>> sniff_compression(b'{"text": "BZh9"}'), sniff_compression(b"BZh91 is a plate number")
    (None, None)
    """
    if head.startswith(b"\x1f\x8b\x08"):
        return "gzip"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head[:3] == b"BZh" and head[3:4] in b"123456789" and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bz2"
    return None


def input_kind(path: Path, in_folder: bool = False) -> str | None:
    """``"text"``, ``"jsonl"`` or ``None`` (not a corpus file) from the file name.

    A plain ``.json`` file is read when it is named, not when a folder holds it (``in_folder``):
    a folder's ``.json`` files are mostly settings and metadata, and dolma's shards are compressed
    (``.json.gz``).

    >>> input_kind(Path("a/b.jsonl.zst")), input_kind(Path("c/d.json.gz")), input_kind(Path("x.md"))
    ('jsonl', 'jsonl', 'text')
    >>> input_kind(Path("x.png")), input_kind(Path("x.csv.gz"))
    (None, None)
    >>> input_kind(Path("m.json")), input_kind(Path("m.json"), in_folder=True)
    ('jsonl', None)
    """
    name = path.name.lower()
    if in_folder and name.endswith(".json"):
        return None
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


@dataclass(frozen=True)
class InputFile:
    """One input: the file, its path relative to the argument it came from, its kind, its name for people.

    ``kind`` is ``"text"``, ``"jsonl"`` or ``"stdin"``; ``shown`` is the path as the user gave it
    (the argument joined with ``rel``), always valid Unicode: bytes of a file name that are not
    UTF-8 are shown escaped (``caf\\xe9.txt``), so that ids and messages can be written as JSON.
    ``fs`` is the fsspec file system of an input named by URL (``s3://``, ``memory://``, ...):
    ``path`` is then its path in that file system, never a local file, and ``shown`` its URL.
    """

    path: Path
    rel: str
    kind: str
    shown: str
    fs: Any = field(default=None, compare=False)

    @property
    def location(self) -> str:
        """The input as a document records it (:attr:`Document.path`): its local path, or its URL."""
        return os.fspath(self.path) if self.fs is None else self.shown

    def open(self) -> IO[bytes]:
        """The file, opened for reading bytes (locally or through its file system); ``OSError`` if it cannot be."""
        if self.fs is None:
            return open(self.path, "rb")
        try:
            return self.fs.open(self.path.as_posix(), "rb")  # type: ignore[no-any-return]
        except OSError:
            raise
        except Exception as exc:  # a remote file system reports with its own errors (botocore's, aiohttp's)
            raise OSError(str(exc)) from exc


STDIN = InputFile(Path("-"), "-", "stdin", "<stdin>")


def shown_path(path: str | Path) -> str:
    """``path`` as valid Unicode text: undecodable bytes of a file name escaped.

    >>> shown_path(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


#: Paths longer than this are shortened in messages (a 5,000-deep folder would fill a screen).
_MESSAGE_PATH_CHARS = 160


def short_path(path: str | Path) -> str:
    """``path`` for a message: shown whole up to :data:`_MESSAGE_PATH_CHARS`, else its two ends.

    >>> short_path("a/" * 100 + "x.txt").endswith("a/a/x.txt (205 characters)")
    True
    """
    text = shown_path(path)
    if len(text) <= _MESSAGE_PATH_CHARS:
        return text
    half = _MESSAGE_PATH_CHARS // 2
    return f"{text[:half]}…{text[-half:]} ({len(text)} characters)"


def read_error(where: str | Path, exc: OSError, what: str = "cannot read") -> InputError:
    """The one-line error for a failed read of ``where``."""
    return InputError(f"{short_path(where)}: {what}: {exc.strerror or exc}")


def _walk(root: Path, report: ReadReport | None) -> Iterator[tuple[Path, str]]:
    """Every regular file under ``root`` with its relative path, in sorted path order.

    Iterative (a 5,000-deep tree needs no recursion, and no more open folders than one), hidden
    files and folders left out.  A folder that cannot be read is an error: its files would be
    missing from the output without a word.  Symbolic links to files are followed; links to
    folders are not (as git and ripgrep do), and dangling links and link loops are skipped: each
    of these with a warning.
    """
    stack: list[tuple[Path, str, list[os.DirEntry[str]]]] = []

    def listing(folder: Path) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as it:
                return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            raise read_error(folder, exc, "cannot read folder") from None

    stack.append((root, "", listing(root)))
    while stack:
        folder, prefix, entries = stack[-1]
        if not entries:
            stack.pop()
            continue
        entry = entries.pop()
        path = folder / entry.name
        rel = prefix + entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.append((path, rel + "/", listing(path)))
                continue
            if entry.is_symlink():
                try:
                    target = path.stat()
                except OSError as exc:
                    if report is not None:
                        why = "a symbolic link loop" if exc.errno == errno.ELOOP else "a dangling symbolic link"
                        report.warning(f"{shown_path(path)}: {why}, skipped")
                    continue
                if stat.S_ISDIR(target.st_mode):
                    if report is not None:
                        report.warning(f"{shown_path(path)}: a symbolic link to a folder, not followed")
                    continue
            elif not entry.is_file(follow_symlinks=False):
                if report is not None and input_kind(path) is not None:
                    report.warning(f"{shown_path(path)}: not a regular file, skipped")
                continue
        except OSError as exc:
            raise read_error(path, exc) from None
        yield path, rel


#: An argument that names a file system by its protocol: ``s3://bucket/shards``, ``memory://c``,
#: ``simplecache::s3://...`` (fsspec's chained form).
#: A protocol, or a chain of them (``simplecache::s3://...``), then ``://``: a file named
#: ``notes::v2.jsonl`` is a local file.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(?:::[A-Za-z][A-Za-z0-9+.-]*)*://")


def is_url(arg: str) -> bool:
    """Whether a path argument is a URL, read through fsspec.

    >>> is_url("s3://bucket/shards"), is_url("hf://datasets/x"), is_url("corpus/a.txt"), is_url("-")
    (True, True, False, False)
    >>> is_url("simplecache::s3://bucket/a.jsonl"), is_url("notes::v2.jsonl")
    (True, False)
    """
    return _URL.match(arg) is not None


def url_fs(arg: str) -> tuple[Any, str]:
    """The fsspec file system of a URL and the path in it; a clear error without fsspec or the protocol's package."""
    try:
        import fsspec.core  # an optional dependency: only a URL needs it
    except ImportError:
        raise InputError(
            f"{shown_path(arg)}: a URL is read through fsspec, which is not installed: pip install 'cleaner[remote]'"
        ) from None
    try:
        fs, root = fsspec.core.url_to_fs(arg)
    except (ImportError, ValueError) as exc:  # the protocol's own package (s3fs, gcsfs) is missing, or unknown
        raise InputError(f"{shown_path(arg)}: {exc}") from None
    return fs, str(root)


def _is_local(fs: Any) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


def _discover_url(arg: str, fs: Any, root: str, report: ReadReport | None) -> Iterator[InputFile]:
    """The corpus files of a URL on a remote file system: one file, or a folder's, in the order :func:`_walk` gives."""
    base = arg.rstrip("/")
    try:
        info = fs.info(root)
        if info.get("type") != "directory":
            kind = input_kind(Path(root))
            if kind is None:
                raise InputError(f"{shown_path(arg)}: not a corpus file (expected {', '.join(_ALL_SUFFIXES)})")
            yield InputFile(Path(root), root.rsplit("/", 1)[-1], kind, arg, fs)
            return
        listed = fs.find(root, detail=True)
    except FileNotFoundError:
        raise InputError(f"{shown_path(arg)}: no such file or directory") from None
    except (InputError, KeyboardInterrupt):
        raise
    except Exception as exc:  # each file system reports with its own errors
        raise InputError(f"{shown_path(arg)}: cannot read: {exc}") from None
    prefix = root.rstrip("/") + "/"
    found = []
    for name, entry in listed.items():
        rel = name[len(prefix) :] if name.startswith(prefix) else name.rsplit("/", 1)[-1]
        if entry.get("type") == "directory" or any(part.startswith(".") for part in rel.split("/")):
            continue
        kind = input_kind(Path(rel), in_folder=True)
        if kind is not None:
            found.append((tuple(rel.split("/")), InputFile(Path(name), rel, kind, f"{base}/{rel}", fs)))
    for _, f in sorted(found, key=lambda pair: pair[0]):
        yield f
    if not found and report is not None:
        report.warning(f"{shown_path(arg)}: no corpus files ({', '.join(_ALL_SUFFIXES)})")


_ALL_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES


def discover(paths: list[str], report: ReadReport | None = None) -> Iterator[InputFile]:
    """The corpus files named by ``paths`` (files, or directories searched recursively, sorted).

    A named file must exist and be a corpus file; in a directory, files of other kinds are
    ignored, and a directory with none gets a warning (through ``report``).  ``-`` is stdin.  A
    URL (``s3://``, ``gs://``, ``hf://``, ``memory://``, ...) is read through fsspec; a
    ``file://`` URL is a local path.
    """
    for arg in paths:
        if arg == "-":
            yield STDIN
            continue
        if is_url(arg):
            fs, root = url_fs(arg)
            if not _is_local(fs):
                yield from _discover_url(arg, fs, root, report)
                continue
            p, url = Path(root), arg.rstrip("/")
        else:
            p, url = Path(arg), None
        try:
            st = p.stat()
        except FileNotFoundError:
            raise InputError(f"{shown_path(arg)}: no such file or directory") from None
        except OSError as exc:
            raise read_error(arg, exc) from None
        if stat.S_ISDIR(st.st_mode):
            found = 0
            for f, rel in _walk(p, report):
                kind = input_kind(f, in_folder=True)
                if kind is not None:
                    found += 1
                    shown = shown_path(f"{url}/{rel}" if url else (p / rel).as_posix())
                    yield InputFile(f, rel, kind, shown)
            if not found and report is not None:
                report.warning(f"{shown_path(arg)}: no corpus files ({', '.join(_ALL_SUFFIXES)})")
        elif not stat.S_ISREG(st.st_mode):
            # a FIFO or a device would block the check that opens every input, or never end
            raise InputError(f"{shown_path(arg)}: not a regular file (to read a stream, pipe it to -)")
        else:
            kind = input_kind(p)
            if kind is None:
                raise InputError(f"{shown_path(arg)}: not a corpus file (expected {', '.join(_ALL_SUFFIXES)})")
            yield InputFile(p, p.name, kind, shown_path(arg))


def plan_inputs(paths: list[str], report: ReadReport | None = None) -> list[InputFile]:
    """Every input of a run, checked before anything is written.

    Each file is opened once now, so that an unreadable file fails the run before its first
    output; a file named twice (directly, through a folder, or by a link) is read once, with a
    warning; stdin may be named once.
    """
    files: list[InputFile] = []
    seen: dict[tuple[Any, ...], InputFile] = {}
    stdin = False
    for f in discover(paths, report):
        if f.kind == "stdin":
            if stdin:
                raise InputError("- (stdin) is named more than once")
            stdin = True
            files.append(f)
            continue
        key: tuple[Any, ...]
        try:
            with f.open() as handle:
                if f.fs is None:
                    st = os.fstat(handle.fileno())
                    key = (st.st_dev, st.st_ino)
                else:
                    key = (str(f.fs.protocol), f.path.as_posix())
        except OSError as exc:
            raise read_error(f.shown, exc) from None
        if key in seen:
            if report is not None:
                report.warning(f"{f.shown}: the same file as {seen[key].shown}, read once")
            continue
        seen[key] = f
        files.append(f)
    return files


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
