"""Finding the inputs of a run: files named or found in folders, checked and opened before any write.

:func:`discover` lists corpus files (sorted, hidden ones left out; links to folders, dangling
links and link loops reported); :func:`plan_inputs` opens each once, so that an unreadable file
fails a run before its first output, and reads a file named twice once.  Problems are reported,
never swallowed: a folder that cannot be read is an :class:`~cleaner.errors.InputError`.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.errors import InputError

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst")


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
    """One input: the file, its path relative to the argument it came from, its kind, its name for people.

    ``kind`` is ``"text"``, ``"jsonl"`` or ``"stdin"``; ``shown`` is the path as the user gave it
    (the argument joined with ``rel``), always valid Unicode: bytes of a file name that are not
    UTF-8 are shown escaped (``caf\\xe9.txt``), so that ids and messages can be written as JSON.
    """

    path: Path
    rel: str
    kind: str
    shown: str


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


def discover(paths: list[str], report: ReadReport | None = None) -> Iterator[InputFile]:
    """The corpus files named by ``paths`` (files, or directories searched recursively, sorted).

    A named file must exist and be a corpus file; in a directory, files of other kinds are
    ignored, and a directory with none gets a warning (through ``report``).  ``-`` is stdin.
    """
    for arg in paths:
        if arg == "-":
            yield STDIN
            continue
        p = Path(arg)
        try:
            st = p.stat()
        except FileNotFoundError:
            raise InputError(f"{shown_path(arg)}: no such file or directory") from None
        except OSError as exc:
            raise read_error(arg, exc) from None
        if stat.S_ISDIR(st.st_mode):
            found = 0
            for f, rel in _walk(p, report):
                kind = input_kind(f)
                if kind is not None:
                    found += 1
                    yield InputFile(f, rel, kind, shown_path((p / rel).as_posix()))
            if not found and report is not None:
                report.warning(f"{shown_path(arg)}: no corpus files ({', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})")
        elif not stat.S_ISREG(st.st_mode):
            # a FIFO or a device would block the check that opens every input, or never end
            raise InputError(f"{shown_path(arg)}: not a regular file (to read a stream, pipe it to -)")
        else:
            kind = input_kind(p)
            if kind is None:
                raise InputError(
                    f"{shown_path(arg)}: not a corpus file (expected {', '.join(TEXT_SUFFIXES + JSONL_SUFFIXES)})"
                )
            yield InputFile(p, p.name, kind, shown_path(arg))


def plan_inputs(paths: list[str], report: ReadReport | None = None) -> list[InputFile]:
    """Every input of a run, checked before anything is written.

    Each file is opened once now, so that an unreadable file fails the run before its first
    output; a file named twice (directly, through a folder, or by a link) is read once, with a
    warning; stdin may be named once.
    """
    files: list[InputFile] = []
    seen: dict[tuple[int, int], InputFile] = {}
    stdin = False
    for f in discover(paths, report):
        if f.kind == "stdin":
            if stdin:
                raise InputError("- (stdin) is named more than once")
            stdin = True
            files.append(f)
            continue
        try:
            with open(f.path, "rb") as handle:
                st = os.fstat(handle.fileno())
        except OSError as exc:
            raise read_error(f.shown, exc) from None
        key = (st.st_dev, st.st_ino)
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
