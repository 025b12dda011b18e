"""Writing cleaned documents atomically: a JSONL file, a directory tree, or the inputs in place.

Every file is written to a temporary file beside its destination and renamed over it only when
complete, so a run that fails or is stopped half-way never leaves a half-written file: each
output is either the old one, absent, or complete.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

import orjson
import zstandard

from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.readers import JSONL_SUFFIXES


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (made if missing), to be renamed over ``path``.

    It gets the permissions ``path`` has, or those a new file gets (``0o666`` less the umask):
    ``mkstemp`` alone would make every rewritten file readable by its owner only.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    os.fchmod(fd, mode)
    return fd, tmp


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only if the ``with`` block completes."""
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _compressed(raw: IO[bytes], name: str) -> IO[bytes]:
    if name.endswith(".gz"):
        # mtime=0: the same input gives the same bytes
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="wb", mtime=0))
    if name.endswith(".zst"):
        return cast(IO[bytes], zstandard.ZstdCompressor().stream_writer(raw, closefd=False))
    return raw


def output_record(doc: Document, text_key: str = "text", id_key: str = "id") -> dict[str, Any]:
    """The JSONL record of a cleaned document: id, text, passthrough fields, findings, edits."""
    record: dict[str, Any] = {id_key: doc.id, text_key: doc.text}
    record.update(doc.extra)
    record.update(doc.metadata)
    record["edits"] = [e.to_dict() for e in doc.edits]
    return record


def same_shape_record(doc: Document, text_key: str = "text", id_key: str = "id") -> dict[str, Any]:
    """The input record with its text cleaned, for outputs that mirror their input file."""
    record: dict[str, Any] = {id_key: doc.id, text_key: doc.text}
    record.update(doc.extra)
    return record


def dumps(record: dict[str, Any]) -> bytes:
    """One JSONL line."""
    return orjson.dumps(record) + b"\n"


class JsonlSink:
    """Writes records to a ``.jsonl``/``.jsonl.gz``/``.jsonl.zst`` file atomically, or to stdout (``-``).

    The file appears when :meth:`close` commits; on an error, or ``close(commit=False)``, the
    temporary file is removed and whatever was at the path before stays.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._tmp: Path | None = None
        self._raw: IO[bytes] | None = None
        self._out: IO[bytes]
        if path == "-":
            self._out = sys.stdout.buffer
            return
        fd, tmp = temp_beside(Path(path))
        self._tmp = Path(tmp)
        self._raw = os.fdopen(fd, "wb")
        self._out = _compressed(self._raw, path.lower())

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        self._out.write(dumps(record))

    def close(self, commit: bool = True) -> None:
        """Finish: rename the complete file into place (``commit``) or throw it away."""
        if self._tmp is None:
            self._out.flush()
            return
        assert self._raw is not None
        try:
            if self._out is not self._raw:
                self._out.close()  # flush the compressor's last frame into the raw file
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            if commit:
                os.replace(self._tmp, self.path)
        finally:
            if not self._raw.closed:
                self._raw.close()
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def __enter__(self) -> JsonlSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(commit=exc_type is None)


def document_bytes(doc: Document) -> bytes:
    """A text document as its file holds it: the text and a final newline (none if empty)."""
    return (doc.text + "\n").encode("utf-8") if doc.text else b""


class TreeSink:
    """Writes each document back in the layout of its input: one file per input file.

    With ``root``, under that directory at the input's relative path; without (in place), over
    the input file itself.  Text files are written only when they change (in place) or always
    (to ``root``); a JSONL input is rewritten whole, records in their input shape.
    """

    def __init__(self, root: Path | None, text_key: str = "text", id_key: str = "id") -> None:
        self.root = root
        self.text_key, self.id_key = text_key, id_key
        self._unit: str | None = None
        self._sink: JsonlSink | None = None
        self._unit_changed = False
        self.files_written = 0

    def _target(self, doc: Document) -> Path:
        if self.root is None:
            return Path(doc.source.rsplit(":", 1)[0] if doc.fmt == "jsonl" else doc.source)
        return self.root / doc.unit

    def write(self, doc: Document) -> None:
        """Write (or stage, for JSONL) one cleaned document."""
        if doc.fmt == "text":
            self._close_unit(commit=True)
            if self.root is None and not doc.edits:
                return
            with atomic_file(self._target(doc)) as f:
                f.write(document_bytes(doc))
            self.files_written += 1
            return
        if doc.unit == "-":
            raise InputError("records read from stdin cannot be written to a directory or in place; use -o FILE.jsonl")
        if doc.unit != self._unit:
            self._close_unit(commit=True)
            self._unit = doc.unit
            self._unit_changed = False
            self._sink = JsonlSink(str(self._target(doc)))
        assert self._sink is not None
        self._unit_changed = self._unit_changed or bool(doc.edits)
        self._sink.write(same_shape_record(doc, self.text_key, self.id_key))

    def _close_unit(self, commit: bool) -> None:
        if self._sink is None:
            return
        # in place, a file none of whose records changed is left exactly as it was
        commit = commit and (self.root is not None or self._unit_changed)
        self._sink.close(commit)
        self.files_written += int(commit)
        self._sink, self._unit = None, None

    def __enter__(self) -> TreeSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close_unit(commit=exc_type is None)


def is_jsonl_target(path: str) -> bool:
    """Whether an output path names a JSONL stream (``-``, ``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``).

    >>> is_jsonl_target("out.jsonl.zst"), is_jsonl_target("-"), is_jsonl_target("clean/")
    (True, True, False)
    """
    return path == "-" or path.lower().endswith(JSONL_SUFFIXES)


class CorpusSink:
    """Cleaned documents to an output as ``cleaner clean`` writes them: full records to a JSONL
    target, the input's layout to a directory, or (``target`` None) the inputs rewritten in place."""

    def __init__(self, target: str | None, text_key: str = "text", id_key: str = "id") -> None:
        self.text_key, self.id_key = text_key, id_key
        self._jsonl = JsonlSink(target) if target is not None and is_jsonl_target(target) else None
        self._tree = None if self._jsonl else TreeSink(Path(target) if target is not None else None, text_key, id_key)

    def write(self, doc: Document) -> None:
        """Write one cleaned document."""
        if self._jsonl is not None:
            self._jsonl.write(output_record(doc, self.text_key, self.id_key))
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
