"""Writing cleaned documents atomically: a JSONL file, a directory tree, or the inputs in place.

Every file is written to a temporary file beside its destination and renamed over it only when
complete, so a run that fails or is stopped half-way never leaves a half-written file.  A tree
of outputs (``-o DIR``, ``--in-place``) is staged whole and renamed into place only when the run
has read and cleaned every input: a run that fails leaves every output as it was.  A failure to
write (no space, no permission, a path too long) is an :class:`OutputError`, one line.

What the cleaner adds to a JSONL record goes under one key, :data:`NAMESPACE` (``"cleaner"``),
so that it never clashes with the record's own fields (datatrove and dolma keep theirs under
``metadata``); the record's own fields come out as they came in.  How much of the edits goes
there is :data:`EDITS_MODES`' choice.

An output is named by its path (:func:`output_kind`): ``-`` (stdout), ``/dev/null`` (written and
thrown away), a JSONL file (compressed as its suffix says), or a folder; any other name is refused
before the run starts, so that ``-o out.csv`` never quietly becomes a folder.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import lzma
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

import orjson
import zstandard

from cleaner.document import Document
from cleaner.errors import InputError, OutputError
from cleaner.io.discover import (
    JSONL_SUFFIXES,
    MAGIC_BYTES,
    InputFile,
    is_url,
    name_compression,
    short_path,
    shown_path,
    sniff_compression,
)
from cleaner.io.modes import EditsMode

#: The key of a JSONL record under which the cleaner writes what it found and did.
NAMESPACE = "cleaner"


EDITS_MODES = tuple(m.value for m in EditsMode)
#: The JSONL file names an output may have, for messages.
JSONL_OUTPUTS = ".jsonl or .json, plain or with .gz, .zst, .xz or .bz2"
#: How much of a file name the temporary file beside it repeats (a 255-byte name plus a prefix
#: and a suffix would be too long for the file system).
_TEMP_NAME_CHARS = 40


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_error(path: str | Path, exc: OSError) -> OutputError:
    """The one-line error for a failed write to ``path``."""
    return OutputError(f"{short_path(path)}: cannot write: {exc.strerror or exc}")


#: How deep the program is in blocks where a stop must wait (:func:`stops_held`), and the stop that waits.
_held = 0
_waiting: Callable[[], None] | None = None


@contextmanager
def stops_held() -> Iterator[None]:
    """A stop (Ctrl-C, SIGTERM) that comes in this block takes effect when the block ends.

    A temporary file made and recorded in the block is then always known to the clean-up that the
    stop runs: between ``mkstemp`` and the line that records the file, a stop raised where the
    program is would leave it behind.  The signal handler asks :func:`stop_later` first.
    """
    global _held, _waiting
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _waiting is not None:
            stop, _waiting = _waiting, None
            stop()


def stop_later(stop: Callable[[], None]) -> bool:
    """Whether ``stop`` waits for the end of a :func:`stops_held` block (then it runs there)."""
    global _waiting
    if not _held:
        return False
    _waiting = stop
    return True


def temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (made if missing), to be renamed over ``path``.

    It gets the permissions ``path`` has, or those a new file gets (``0o666`` less the umask):
    ``mkstemp`` alone would make every rewritten file readable by its owner only.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:_TEMP_NAME_CHARS]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    os.fchmod(fd, mode)
    return fd, tmp


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only if the ``with`` block completes."""
    tmp = ""
    try:
        with stops_held():
            fd, tmp = temp_beside(path)
        with os.fdopen(fd, "wb") as f:
            try:
                yield f
                f.flush()
                os.fsync(f.fileno())
            except OSError as exc:
                raise write_error(path, exc) from None
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise write_error(path, exc) from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


def _compressed(raw: IO[bytes], compression: str | None) -> IO[bytes]:
    """``raw`` behind a compressor (``"gzip"``, ``"zstd"``, ``"xz"``, ``"bz2"``): same input, same bytes."""
    if compression == "gzip":
        # mtime=0: the same input gives the same bytes
        return cast(IO[bytes], gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0))
    if compression == "zstd":
        return cast(IO[bytes], zstandard.ZstdCompressor().stream_writer(raw, closefd=False))
    if compression == "xz":
        return cast(IO[bytes], lzma.LZMAFile(raw, "wb"))
    if compression == "bz2":
        return cast(IO[bytes], bz2.BZ2File(raw, "wb"))
    return raw


def findings(doc: Document, edits: str = "full") -> dict[str, Any]:
    """What the cleaner found and did for one document: the value of :data:`NAMESPACE`.

    ``source`` (file, and line for a JSONL record), the steps' findings (``lang``, ``lang_prob``,
    ``truncated_tail``) and, as ``edits`` (one of :data:`EDITS_MODES`) says, the ``edits``, which
    replay on the input text, or ``edit_counts``, the number of edits of each rule code.

    >>> from cleaner.document import Edit
    >>> doc = Document("1", "b", source="a.txt", edits=[Edit("BP004", "advertisement", 1, 0, 2, "x\\n", "")])
    >>> findings(doc, "codes"), findings(doc, "none")
    ({'source': 'a.txt', 'edit_counts': {'BP004': 1}}, {'source': 'a.txt'})
    """
    found: dict[str, Any] = {"source": doc.source}
    found.update(doc.metadata)
    if edits == "full":
        found["edits"] = [e.to_dict() for e in doc.edits]
    elif edits == "codes":
        found["edit_counts"] = dict(sorted(Counter(e.code for e in doc.edits).items()))
    elif edits != "none":
        raise ValueError(f"edits: expected one of {', '.join(EDITS_MODES)}, not {edits!r}")
    return found


def same_shape_record(doc: Document, text_key: str = "text", id_key: str = "id") -> dict[str, Any]:
    """The input record with its text cleaned: every other field as it came, in its order.

    A text file becomes ``{id_key: path, text_key: text}``.
    """
    if doc.record is None:
        return {id_key: doc.id, text_key: doc.text}
    record = dict(doc.record)
    record[text_key] = doc.text
    return record


def output_record(doc: Document, text_key: str = "text", id_key: str = "id", edits: str = "full") -> dict[str, Any]:
    """The JSONL record of a cleaned document: the input record, with the cleaner's findings under :data:`NAMESPACE`.

    A record that already has the key (an output of an earlier run, cleaned again) gets it replaced.
    """
    record = same_shape_record(doc, text_key, id_key)
    record[NAMESPACE] = findings(doc, edits)
    return record


def dumps(record: dict[str, Any]) -> bytes:
    """One JSONL line.

    >>> dumps({"id": 2**70, "text": "é"})
    b'{"id":1180591620717411303424,"text":"\\xc3\\xa9"}\\n'
    """
    try:
        return orjson.dumps(record) + b"\n"
    except TypeError:
        # orjson holds integers to 64 bits; the standard library writes any (read the same way)
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class JsonlSink:
    """Writes records to a JSONL file atomically (compressed as its name says), to stdout (``-``) or to ``/dev/null``.

    The file appears when :meth:`close` commits; on an error, or ``close(commit=False)``, the
    temporary file is removed and whatever was at the path before stays.  :meth:`finish` leaves
    the complete temporary file for the caller to rename (a tree of outputs commits together).
    ``compression`` overrides the name's (a file rewritten in the compression it was read in).
    """

    def __init__(self, path: str, compression: str | None = None) -> None:
        self.path = path
        self._tmp: Path | None = None
        self._raw: IO[bytes] | None = None
        self._out: IO[bytes]
        if path == "-":
            self._out = sys.stdout.buffer
            return
        if is_discard(path):
            # nothing to replace atomically: the records are made and written, and thrown away
            self._out = open(os.devnull, "wb")  # noqa: SIM115 - closed in finish
            return
        with stops_held():  # known as this sink's file before a stop takes effect
            fd, tmp = temp_beside(Path(path))
            self._tmp = Path(tmp)
        self._raw = os.fdopen(fd, "wb")
        self._out = _compressed(self._raw, compression or name_compression(path))

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        try:
            self._out.write(dumps(record))
        except OSError as exc:
            if self._tmp is None:
                raise  # stdout: a closed pipe is the reader's choice, not our error
            raise write_error(self.path, exc) from None

    def finish(self) -> Path | None:
        """Complete the temporary file (flushed, synced, closed) and return its path; ``None`` for stdout."""
        if self._tmp is None:
            if self._out is sys.stdout.buffer:
                self._out.flush()
            else:
                self._out.close()
            return None
        assert self._raw is not None
        try:
            if self._out is not self._raw:
                self._out.close()  # flush the compressor's last frame into the raw file
            self._raw.flush()
            os.fsync(self._raw.fileno())
        except OSError as exc:
            self.discard()
            raise write_error(self.path, exc) from None
        self._raw.close()
        tmp, self._tmp = self._tmp, None
        return tmp

    def discard(self) -> None:
        """Throw the temporary file away."""
        if self._tmp is None and self._out is not sys.stdout.buffer and not self._out.closed:
            self._out.close()  # the handle on /dev/null
        if self._raw is not None and not self._raw.closed:
            with contextlib.suppress(OSError):  # a failed flush of a file we are removing
                self._raw.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def close(self, commit: bool = True) -> None:
        """Finish: rename the complete file into place (``commit``) or throw it away."""
        if not commit:
            self.discard()
            return
        tmp = self.finish()
        if tmp is not None:
            try:
                os.replace(tmp, self.path)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise write_error(self.path, exc) from None

    def __enter__(self) -> JsonlSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(commit=exc_type is None)


def input_compression(path: str) -> str | None:
    """The compression of a local input file by its first bytes (``None`` for plain data or a file not local).

    A JSONL input rewritten in place keeps the compression it was read in (a ``.jsonl`` that holds
    gzip stays gzip); under ``-o DIR`` a file is written as its name says, which is what the tools
    that read it next (datatrove, dolma) go by.
    """
    if not path or is_url(path):
        return None
    try:
        with open(path, "rb") as f:
            return sniff_compression(f.read(MAGIC_BYTES))
    except OSError:
        return None


def document_bytes(doc: Document) -> bytes:
    """A text document as its file holds it: the text and a final newline (none if empty)."""
    return (doc.text + "\n").encode("utf-8") if doc.text else b""


def tree_target(doc: Document, root: Path | None) -> Path:
    """Where a document's file goes: ``root`` / its relative path, or (in place) the input file itself.

    In place, a symbolic link is written through (the file it points to is rewritten, the link stays).
    """
    if root is None:
        if not doc.path:
            raise InputError("records read from stdin cannot be written in place; use -o FILE.jsonl")
        return Path(os.path.realpath(doc.path))
    return root / doc.unit


def replace_all(staged: list[tuple[Path, Path]], done: list[Path]) -> None:
    """Rename each complete staged file onto its target, in order, appending each target to ``done``.

    If one rename fails, the error says exactly which outputs were written before it (``done``
    tells the caller too, which removes what is left of the staging).
    """
    for tmp, target in staged:
        try:
            os.replace(tmp, target)
        except OSError as exc:
            written = ", ".join(shown_path(p) for p in done) or "none"
            raise OutputError(
                f"{shown_path(target)}: cannot write: {exc.strerror or exc}; "
                f"{len(done)} of {len(staged)} outputs were written before it: {written}"
            ) from None
        done.append(target)


class TreeSink:
    """Writes each document back in the layout of its input: one file per input file, all or none.

    With ``root``, under that directory at the input's relative path; without (in place), over
    the input file itself.  Text files are written only when they change (in place) or always
    (to ``root``); a JSONL input is rewritten whole, records in their input shape.  Files are
    staged beside their destinations and renamed into place together when the ``with`` block
    completes; on an error or an interruption the staged files are removed and every
    destination stays as it was.
    """

    def __init__(self, root: Path | None, text_key: str = "text", id_key: str = "id") -> None:
        self.root = root
        self.text_key, self.id_key = text_key, id_key
        self._file: str | None = None
        self._sink: JsonlSink | None = None
        self._target: Path | None = None
        self._unit_changed = False
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, destination)
        self._targets: set[Path] = set()
        self._made: list[Path] = []  # folders this sink made, removed again if the run fails
        self.files_written = 0

    def _folder_for(self, target: Path) -> None:
        """Make the folders ``target`` needs, remembering them (a failed run leaves no empty folder behind)."""
        missing = [d for d in (target.parent, *target.parent.parents) if not os.path.lexists(d)]
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as exc:
                raise write_error(folder, exc) from None
            self._made.append(folder)

    def _claim(self, target: Path, doc: Document) -> None:
        if target in self._targets:
            raise OutputError(f"{shown_path(target)}: two inputs would be written to this one file ({doc.source})")
        self._targets.add(target)

    def write(self, doc: Document) -> None:
        """Stage one cleaned document (a text file at once; a JSONL record into its file's output)."""
        if doc.fmt == "text":
            self._close_unit(commit=True)
            if self.root is None and not doc.edits:
                return
            target = tree_target(doc, self.root)
            self._claim(target, doc)
            self._folder_for(target)
            with stops_held():  # staged (removed if the run stops) before a stop takes effect
                fd, tmp = temp_beside(target)
                self._staged.append((Path(tmp), target))
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(document_bytes(doc))
            except OSError as exc:
                raise write_error(target, exc) from None
            return
        if doc.path != self._file or self._sink is None:
            self._close_unit(commit=True)
            target = tree_target(doc, self.root)
            if doc.unit == "-":
                raise InputError("records read from stdin cannot be written to a directory; use -o FILE.jsonl")
            self._claim(target, doc)
            self._folder_for(target)
            self._file, self._target, self._unit_changed = doc.path, target, False
            # in place, the input's own compression; in a new folder, the name's (see input_compression)
            kept = input_compression(doc.path) if self.root is None else None
            self._sink = JsonlSink(str(target), kept or name_compression(target.name))
        self._unit_changed = self._unit_changed or bool(doc.edits)
        self._sink.write(same_shape_record(doc, self.text_key, self.id_key))

    def _close_unit(self, commit: bool) -> None:
        if self._sink is None:
            return
        sink, target = self._sink, self._target
        self._sink, self._file, self._target = None, None, None
        # in place, a file none of whose records changed is left exactly as it was
        if commit and (self.root is not None or self._unit_changed):
            tmp = sink.finish()
            assert tmp is not None and target is not None
            self._staged.append((tmp, target))
        else:
            sink.discard()

    def discard(self) -> None:
        """Remove every staged file: the destinations stay as they were."""
        if self._sink is not None:
            self._sink.discard()
            self._sink = None
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):  # not empty: something else was put there meanwhile
                folder.rmdir()
        self._made.clear()

    def commit(self) -> None:
        """Rename every staged file into place; if one rename fails, say exactly which were written."""
        self._close_unit(commit=True)
        done: list[Path] = []
        try:
            replace_all(self._staged, done)
        finally:
            self.files_written += len(done)
            for tmp, _ in self._staged[len(done) :]:
                tmp.unlink(missing_ok=True)
            self._staged.clear()

    def __enter__(self) -> TreeSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def is_discard(path: str) -> bool:
    """Whether an output path is the null device: the output is made and thrown away (to time a run, or check it).

    >>> is_discard(os.devnull), is_discard("out.jsonl")
    (True, False)
    """
    return path == os.devnull or (path.startswith("/dev/") and os.path.realpath(path) == os.devnull)


def output_kind(path: str, option: str = "-o") -> str:
    """What an output path names: ``"stdout"`` (``-``), ``"discard"`` (``/dev/null``), ``"jsonl"`` or ``"folder"``.

    A folder is a path that is one, ends with ``/``, or has no suffix; any other name (``out.csv``,
    ``out.txt``) is an :class:`OutputError`: it would become a folder without a word.  A URL is
    refused too: outputs are written atomically, in local files.

    >>> [output_kind(p) for p in ("-", "/dev/null", "out.json.gz", "clean/", "clean", "v1.0/")]
    ['stdout', 'discard', 'jsonl', 'folder', 'folder', 'folder']
    >>> output_kind("out.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cleaner.errors.OutputError: -o out.csv: not a kind of output cleaner writes: name a folder (ending in / ...
    """
    if path == "-":
        return "stdout"
    if is_discard(path):
        return "discard"
    if is_url(path):
        raise OutputError(f"{option} {shown_path(path)}: outputs are written to local files; write here and copy it")
    if path.lower().endswith(JSONL_SUFFIXES):
        return "jsonl"
    if path.endswith(("/", os.sep)) or os.path.isdir(path) or not Path(path).suffix:
        return "folder"
    raise OutputError(
        f"{option} {shown_path(path)}: not a kind of output cleaner writes: name a folder (ending in / if its "
        f"name has a dot), a JSONL file ({JSONL_OUTPUTS}), - for stdout, or /dev/null to discard"
    )


def is_jsonl_target(path: str) -> bool:
    """Whether an output path names a JSONL stream (``-``, ``/dev/null``, or a JSONL file of any compression).

    >>> is_jsonl_target("out.jsonl.zst"), is_jsonl_target("-"), is_jsonl_target("clean/")
    (True, True, False)
    """
    return output_kind(path) != "folder"


class CorpusSink:
    """Cleaned documents to an output as ``cleaner clean`` writes them: full records to a JSONL
    target, the input's layout to a directory, or (``target`` None) the inputs rewritten in place.

    ``edits`` (one of :data:`EDITS_MODES`) says how much of the edits full records carry."""

    def __init__(self, target: str | None, text_key: str = "text", id_key: str = "id", edits: str = "full") -> None:
        self.text_key, self.id_key, self.edits = text_key, id_key, edits
        self._jsonl = JsonlSink(target) if target is not None and is_jsonl_target(target) else None
        self._tree = None if self._jsonl else TreeSink(Path(target) if target is not None else None, text_key, id_key)

    def write(self, doc: Document) -> None:
        """Write one cleaned document."""
        if self._jsonl is not None:
            self._jsonl.write(output_record(doc, self.text_key, self.id_key, self.edits))
        else:
            assert self._tree is not None
            self._tree.write(doc)

    def __enter__(self) -> CorpusSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._jsonl is not None:
            self._jsonl.__exit__(exc_type, exc, tb)
        elif self._tree is not None:
            self._tree.__exit__(exc_type, exc, tb)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _nearest_existing(path: Path) -> Path:
    for folder in (path, *path.parents):
        if os.path.lexists(folder):
            return folder
    return Path(".")


def check_writable_folder(folder: Path, what: str) -> None:
    """Fail now if files cannot be made in ``folder`` (or in the folders to be made for it).

    A temporary file is made and removed in the nearest folder that exists: that asks the file
    system itself (permissions, a read-only mount, a path through a file), as ``os.access`` cannot
    for root.
    """
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise OutputError(f"{what}: {shown_path(base)} is not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".cleaner-probe.", dir=base)
    except OSError as exc:
        raise OutputError(f"{what}: cannot write in {shown_path(base)}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(tmp)


def check_output_file(files: list[InputFile], out: Path, option: str) -> None:
    """Refuse, before anything is written, an output file that is a folder, is an input, or cannot be made.

    An existing output that is not a regular file (``/dev/null``, a FIFO) is refused too: the
    atomic rename would replace the device or pipe by a file.
    """
    if out.is_dir():
        raise OutputError(f"{option} {shown_path(out)}: is a folder, not a file")
    if os.path.lexists(out) and not out.is_file():
        raise OutputError(
            f"{option} {shown_path(out)}: not a regular file; to write a stream, use {option} - and redirect"
        )
    for f in files:
        if f.kind != "stdin" and f.fs is None and _same_file(out, f.path):
            raise OutputError(f"{option} {shown_path(out)}: would overwrite the input {f.shown}")
    check_writable_folder(out.parent, f"{option} {shown_path(out)}")


def check_outputs(files: list[InputFile], target: str | None, option: str = "-o") -> None:
    """Refuse, before anything is written, an output that cannot be written or would harm an input.

    ``target`` is a JSONL file, ``-``, a directory, or ``None`` (the inputs rewritten in place).
    Checked: the output is not an input (only ``--in-place`` rewrites inputs); no two inputs go to
    one output file; stdin is not written to a tree; the folder can be written in.
    """
    kind = "in place" if target is None else output_kind(target, option)
    if kind in ("stdout", "discard"):
        return
    inputs = [f for f in files if f.kind != "stdin"]
    if target is not None and kind == "jsonl":
        check_output_file(files, Path(target), option)
        return
    if any(f.kind == "stdin" for f in files):
        where = "in place" if target is None else "to a directory"
        raise OutputError(f"records read from stdin cannot be written {where}; use {option} FILE.jsonl")
    remote = next((f for f in inputs if f.fs is not None), None)
    if target is None and remote is not None:
        raise OutputError(f"{remote.shown}: a remote input cannot be rewritten in place; use -o FOLDER or FILE.jsonl")
    root = Path(target) if target is not None else None
    if root is not None:
        if os.path.lexists(root) and not root.is_dir():
            raise OutputError(f"{option} {shown_path(target or '')}: exists and is not a folder")
        check_writable_folder(root, f"{option} {shown_path(target or '')}")
    identities: dict[tuple[int, int], InputFile] = {}
    for f in inputs:
        if f.fs is not None:
            continue
        try:
            st = os.stat(f.path)
            identities[(st.st_dev, st.st_ino)] = f
        except OSError:
            continue
    seen: dict[Path, InputFile] = {}
    for f in inputs:
        out = tree_target(Document("", "", unit=f.rel, path=f.location), root)
        if out in seen:
            raise OutputError(
                f"{f.shown} and {seen[out].shown} would both be written to {shown_path(out)}; "
                "name them from one folder, or clean them in two runs"
            )
        seen[out] = f
        if root is None:
            continue
        try:
            st = os.stat(out)
        except OSError:
            continue
        hit = identities.get((st.st_dev, st.st_ino))
        if hit is not None:
            raise OutputError(
                f"{option} {shown_path(target or '')}: would overwrite the input {hit.shown}; "
                "use --in-place to rewrite inputs"
            )
