"""Reading documents: text files, JSONL (plain, gzip, zstd, xz, bz2) and standard input, as a stream.

Every reader yields :class:`~cleaner.document.Document` records one at a time, so a corpus larger
than memory streams through; the inputs come from :func:`cleaner.io.discover.plan_inputs`.
A JSONL file's compression is read from its first bytes (a ``.jsonl`` that is really gzip, and
standard input, need no name); standard input is JSONL or one plain-text document
(:data:`STDIN_FORMATS`).  Problems are reported, never silently swallowed:

* a file that cannot be read, a truncated compressed stream raise :class:`InputError`; so does a
  file whose name announces a compression its bytes do not have;
* a broken JSONL line raises :class:`InputError` naming the file and line, unless ``skip_bad``,
  in which case it is counted in :class:`ReadReport` and skipped; a first line that is plain
  text, not JSON, is an error even then (the whole input is of the wrong kind, not a line);
* a ``.json`` file that holds one JSON document (a manifest written by ``cleaner index``, a
  configuration file) is skipped with a warning;
* a binary file is skipped with a warning; a file that is not UTF-8 is decoded with the codec
  charset-normalizer finds (else cp1252) and the warning says so.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import itertools
import json
import lzma
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

import orjson
import zstandard
from charset_normalizer import from_bytes

from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.io.discover import MAGIC_BYTES, InputFile, ReadReport, name_compression, read_error, sniff_compression
from cleaner.io.modes import StdinFormat
from cleaner.manifest import is_manifest

#: How much of a file is looked at to decide that it is binary.
SNIFF_BYTES = 8192


STDIN_FORMATS = tuple(f.value for f in StdinFormat)


def _read_bytes(f: InputFile) -> bytes:
    try:
        if f.fs is None:
            return f.path.read_bytes()
        with f.open() as handle:
            return handle.read()
    except OSError as exc:
        raise read_error(f.shown, exc) from None


#: Bytes that do not occur in text, even damaged text: C0 controls other than tab, line feed,
#: vertical tab, form feed, carriage return and escape.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b")
#: Above this share of control bytes in the first :data:`SNIFF_BYTES`, a file with a NUL is
#: binary.  Chosen, not measured: text with a stray NUL has a handful; archives, images and
#: UTF-16 without a byte-order mark have a NUL every few bytes.
BINARY_CONTROL_SHARE = 0.05

_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` is not text: a NUL near the start, and many control bytes or no valid UTF-8.

    A text file with a stray NUL byte is text: the NUL is removed by EN001 (ftfy's
    ``remove_control_chars``), and the edit says so, wherever in the file it stands.  A file with
    a UTF-16 or UTF-32 byte-order mark is text (its decoding decides).

    >>> looks_binary(b"PK\\x03\\x04\\x00\\x00\\x08\\x00"), looks_binary("héllo".encode())
    (True, False)
    >>> looks_binary(b"A story about the\\x00 harbour, told in full by the people who were there.")
    False
    """
    head = data[:SNIFF_BYTES]
    if b"\x00" not in head or head.startswith(_UTF16_BOMS + _UTF32_BOMS):
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > BINARY_CONTROL_SHARE * len(head):
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == len(data))
    except UnicodeDecodeError:
        return True
    return False


#: Codecs of the Latin-alphabet family: between them, a guess on a short text is a coin toss, so
#: we use windows-1252, which is what browsers use for such pages (the HTML standard maps
#: ISO-8859-1 to it).
_LATIN_FAMILY = ("cp125", "latin", "iso8859", "mac_", "ascii", "cp437", "cp850")


class NotTextError(InputError):
    """The bytes are not text in the codec they announce (a byte-order mark with no valid text after it)."""


def decode(data: bytes, where: str, report: ReadReport) -> str:
    """Decode ``data`` as UTF-8 (BOM allowed); otherwise guess the codec and say so.

    A UTF-32 or UTF-16 byte-order mark decides the codec (with a warning, since the output is
    UTF-8); bytes that are not valid in it raise :class:`NotTextError`.  Otherwise charset-normalizer
    picks the codec; when it picks one of the Latin family, windows-1252 is used instead (see
    :data:`_LATIN_FAMILY`).  Bytes that no codec explains become U+FFFD.
    """
    for boms, codec in ((_UTF32_BOMS, "utf-32"), (_UTF16_BOMS, "utf-16")):
        if data.startswith(boms):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise NotTextError(
                    f"{where}: a {codec.upper()} byte-order mark, but not {codec.upper()} text "
                    f"({exc.reason} at byte {exc.start})"
                ) from None
            report.warning(f"{where}: decoded as {codec.upper()} (byte-order mark)")
            return text
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


def read_text_file(f: InputFile, report: ReadReport, skip_bad: bool = False) -> Iterator[Document]:
    """One document per text file; its id is the path as given.

    A binary file is skipped with a warning; a file that announces UTF-16 or UTF-32 and is not is
    an :class:`InputError` (skipped with a warning under ``skip_bad``).
    """
    yield from text_document(_read_bytes(f), f, report, skip_bad)


def text_document(data: bytes, f: InputFile, report: ReadReport, skip_bad: bool = False) -> Iterator[Document]:
    """The document of a text file's (or plain-text stdin's) bytes; nothing for a binary file or a manifest."""
    if looks_binary(data):
        report.skipped_files += 1
        report.warning(f"{f.shown}: binary file, skipped")
        return
    try:
        text = decode(data, f.shown, report)
    except NotTextError as exc:
        # a damaged text file, unlike a binary one, is an error, as a broken JSONL line is
        if not skip_bad:
            raise InputError(f"{exc} (use --skip-bad to skip such files)") from None
        report.skipped_files += 1
        report.warning(f"{exc}; skipped")
        return
    if is_manifest(text):
        # INDEX.md describes the corpus; it is not a document of it (and cleaning it would break it)
        report.skipped_files += 1
        report.warning(f"{f.shown}: a manifest written by cleaner index, skipped")
        return
    if text.endswith("\n"):
        # the final newline belongs to the file format, not to the document; writers put it back
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    if not text.strip():
        report.warning(f"{f.shown}: empty document")
    yield Document(f.shown, text, source=f.shown, unit=f.rel, fmt="text", path="" if f.kind == "stdin" else f.location)


#: How much compressed data is read at a time from a ``.zst`` file.
_ZSTD_CHUNK = 1 << 16


def _zstd_chunks(raw: IO[bytes], where: str) -> Iterator[bytes]:
    """The decompressed bytes of a zstd file, frame after frame; a frame cut short is an error.

    ``zstandard``'s stream reader ends quietly at a truncated frame (a cut download would lose
    its tail without a word), so frames are decoded here and the last one must be complete.
    """
    decompressor = zstandard.ZstdDecompressor()
    obj = decompressor.decompressobj()
    pending = False  # input fed to the current frame that has not completed it
    while chunk := raw.read(_ZSTD_CHUNK):
        while chunk:
            out = obj.decompress(chunk)
            pending = not obj.eof
            if out:
                yield out
            chunk = obj.unused_data if obj.eof else b""
            if obj.eof:
                obj = decompressor.decompressobj()
    if pending:
        raise InputError(f"{where}: truncated zstd stream (the last frame is incomplete)")


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Lines (with their ``\\n``) from a stream of byte chunks.

    The pieces of a line are kept in a list and joined once: adding each chunk to the rest would
    copy a line that spans many chunks again for every chunk (quadratic in a long line).

    >>> list(_lines(iter([b"ab", b"c\\nd", b"e\\n", b"f"])))
    [b'abc\\n', b'de\\n', b'f']
    """
    pending: list[bytes] = []
    for chunk in chunks:
        if b"\n" not in chunk:
            pending.append(chunk)
            continue
        *done, last = chunk.split(b"\n")
        done[0] = b"".join([*pending, done[0]])
        for line in done:
            yield line + b"\n"
        pending = [last] if last else []
    if pending:
        yield b"".join(pending)


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were read already (to sniff them): those bytes, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _read_head(raw: IO[bytes]) -> bytes:
    """The first :data:`MAGIC_BYTES` of a stream (fewer only at its end: a pipe may give them piecemeal)."""
    head = b""
    while len(head) < MAGIC_BYTES:
        more = raw.read(MAGIC_BYTES - len(head))
        if not more:
            break
        head += more
    return head


@contextmanager
def decompressed_lines(raw: IO[bytes], where: str, named: str | None, report: ReadReport) -> Iterator[Iterator[bytes]]:
    """The lines of a stream, decompressed by what its first bytes are (a truncated stream is an error).

    ``named`` is the compression the file's name announces: bytes that are not of it are an
    error (a damaged or mislabelled file), bytes of another compression are read with a warning.
    """
    try:
        start = raw.tell() if raw.seekable() else None
        head = _read_head(raw)
    except OSError as exc:
        raise read_error(where, exc) from None
    if not head:  # an empty file, even one named .gz (a placeholder shard): no lines
        yield iter(())
        return
    found = sniff_compression(head)
    if named is not None and found != named:
        if found is None:
            raise InputError(f"{where}: the name says {named}, but the data is not {named} (it starts with {head!r})")
        report.warning(f"{where}: the name says {named}, but the data is {found}; read as {found}")
    stream: IO[bytes]
    if start is not None:
        raw.seek(start)  # a file: read from where it began again, without a layer in between
        stream = raw
    else:
        stream = io.BufferedReader(_Prefixed(head, raw), buffer_size=_ZSTD_CHUNK)
    if found == "gzip":
        with gzip.GzipFile(fileobj=stream) as gz:
            yield iter(cast(IO[bytes], gz))
    elif found == "xz":
        with lzma.LZMAFile(stream) as xz:
            yield iter(cast(IO[bytes], xz))
    elif found == "bz2":
        with bz2.BZ2File(stream) as bz:
            yield iter(cast(IO[bytes], bz))
    elif found == "zstd":
        yield _lines(_zstd_chunks(stream, where))
    else:
        yield iter(stream)


@contextmanager
def open_jsonl(f: InputFile, report: ReadReport | None = None) -> Iterator[Iterator[bytes]]:
    """The lines of a JSONL file, decompressed by its first bytes (a truncated stream is an error)."""
    try:
        raw = f.open()
    except OSError as exc:
        raise read_error(f.shown, exc) from None
    if report is not None:
        report.position = raw.tell  # how far into the file (compressed bytes): the progress bar's
    with raw, decompressed_lines(raw, f.shown, name_compression(f.path.name), report or ReadReport()) as lines:
        yield lines


def jsonl_id(record: dict[str, Any], id_key: str) -> str | None:
    """A record's id as text: a string as it is, any other JSON value as its JSON (``1``, ``[1,2]``, ``true``).

    >>> jsonl_id({"id": 7}, "id"), jsonl_id({"id": [1, 2]}, "id"), jsonl_id({"id": "a"}, "id"), jsonl_id({}, "id")
    ('7', '[1,2]', 'a', None)
    """
    value = record.get(id_key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer past 64 bits; or, from the Python API, a value JSON has no form for
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):  # a numpy integer, a Decimal: as Python prints it
            return str(value)


#: A number of 19 digits or more, outside a string or not: such a line is read again exactly.
_LONG_NUMBER = re.compile(rb"\d{19}")
#: What reading a damaged or truncated file can raise, for one clear error: the file system's, a
#: stream ended too soon, and each decompressor's own.
DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


def _plain_text(raw: bytes) -> bool:
    """Whether a line that is not JSON is plain text, not JSON cut or damaged: no brace or bracket at either end.

    A shard cut at a byte boundary begins with the tail of a record (``...", "id": 7}``), which
    ``--skip-bad`` is for; a pretty-printed object or array begins with ``{`` or ``[``; a line of
    prose has neither.

    >>> _plain_text(b"The council met on Tuesday.\\n"), _plain_text(b'ory.", "id": 7}\\n'), _plain_text(b'{"text": \\n')
    (True, False, False)
    >>> _plain_text(b'[{"id": 1, "text": "x"}]\\n'), _plain_text(b"[\\n")
    (False, False)
    """
    line = raw.strip()
    return not line.startswith((b"{", b"[")) and not line.endswith((b"}", b"]"))


def parse_jsonl(
    lines: Iterable[bytes],
    where: str,
    unit: str,
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
    path: str = "",
    plain_hint: str = "name a text document .txt, .text or .md",
) -> Iterator[Document]:
    """Documents from JSONL lines; a record needs a string ``text_key``; its id defaults to ``where:line``.

    The record itself is kept (:attr:`Document.record`) so that it can be written back in its own
    shape.  A byte-order mark before the first record is allowed.  A first line that is plain text
    (:func:`_plain_text`) is an error even with ``skip_bad``, which would skip every line: its
    message ends with ``plain_hint``, what to do instead.
    """
    first = True
    try:
        for lineno, raw in enumerate(lines, 1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                try:
                    record = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    if first and _plain_text(raw):
                        raise InputError(
                            f"{where}:{lineno}: not JSON Lines: the first line is plain text, not a JSON object "
                            f"({plain_hint})"
                        ) from None
                    raise
                if _LONG_NUMBER.search(raw) is not None:
                    # orjson reads an integer past 64 bits as a float: an id would change on the
                    # way through; the standard library reads it exactly
                    record = json.loads(raw)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                text = record.get(text_key)
                if not isinstance(text, str):
                    raise ValueError(f"no string field {text_key!r}")
            except (orjson.JSONDecodeError, ValueError) as exc:
                first = False
                message = f"{where}:{lineno}: broken JSONL line: {exc}"
                if not skip_bad:
                    raise InputError(message + " (use --skip-bad to skip such lines)") from None
                report.skipped_lines += 1
                report.warning(message + "; skipped")
                continue
            first = False
            yield Document(
                jsonl_id(record, id_key) or f"{where}:{lineno}",
                text,
                source=f"{where}:{lineno}",
                unit=unit,
                fmt="jsonl",
                record=record,
                path=path,
                line=lineno,
            )
    except DECOMPRESSION_ERRORS as exc:
        raise InputError(f"{where}: cannot read: {exc}") from None


def _first_line(lines: Iterator[bytes]) -> tuple[bytes | None, Iterator[bytes]]:
    """The first non-blank line of ``lines`` (``None`` if there is none), and every line, that one included."""
    seen: list[bytes] = []
    for line in lines:
        seen.append(line)
        if line.strip() and line.strip() != codecs.BOM_UTF8:
            return line.removeprefix(codecs.BOM_UTF8), itertools.chain(seen, lines)
    return None, iter(seen)


def is_json_object(line: bytes) -> bool:
    """Whether a line is one JSON object (what a JSONL record is).

    >>> is_json_object(b'{"text": "x"}\\n'), is_json_object(b"Plain words.\\n"), is_json_object(b"[1]")
    (True, False, False)
    """
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


#: The most of a ``.json`` file read to see whether it is one JSON document, not JSON Lines.
JSON_DOCUMENT_BYTES = 64 << 20


def _json_document(lines: Iterator[bytes]) -> tuple[Any, Iterator[bytes]]:
    """A ``.json`` file that is one JSON document (not JSON Lines): its value, else ``None``; and every line.

    Only a file whose first line is not a JSON value of its own is read further (up to
    :data:`JSON_DOCUMENT_BYTES`): a JSONL file's first line is a whole record.
    """
    first, lines = _first_line(lines)
    if first is None or is_json_object(first) or _plain_text(first):
        return None, lines
    seen: list[bytes] = []
    size = 0
    for line in lines:
        seen.append(line)
        size += len(line)
        if size > JSON_DOCUMENT_BYTES:
            return None, itertools.chain(seen, lines)
    try:
        return orjson.loads(b"".join(seen).removeprefix(codecs.BOM_UTF8)), iter(seen)
    except orjson.JSONDecodeError:
        return None, iter(seen)


def _json_named(name: str) -> bool:
    """Whether a file is named ``.json`` (compressed or not), a name a single JSON document has too.

    >>> _json_named("shard.json.gz"), _json_named("INDEX.json"), _json_named("a.jsonl.gz")
    (True, True, False)
    """
    name = name.lower()
    if name_compression(name) is not None:
        name = os.path.splitext(name)[0]
    return name.endswith(".json")


def read_jsonl_file(
    f: InputFile,
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
) -> Iterator[Document]:
    """The records of a JSONL file (any compression); a ``.json`` file that is one JSON document is skipped."""
    with open_jsonl(f, report) as lines:
        if _json_named(f.path.name):
            try:
                value, lines = _json_document(lines)
            except DECOMPRESSION_ERRORS as exc:
                raise InputError(f"{f.shown}: cannot read: {exc}") from None
            if isinstance(value, list):
                raise InputError(
                    f"{f.shown}: a JSON array, not JSON Lines (one object a line): convert it, e.g. with "
                    f"jq -c '.[]' {f.shown} > {os.path.splitext(f.path.name)[0]}.jsonl"
                )
            if value is not None:
                report.skipped_files += 1
                what = "a manifest written by cleaner index" if is_manifest(json.dumps(value)) else "one JSON document"
                report.warning(f"{f.shown}: {what}, not JSON Lines; skipped")
                return
        yield from parse_jsonl(lines, f.shown, f.rel, report, text_key, id_key, skip_bad, f.location)


def read_stdin(
    f: InputFile,
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
    stdin_format: str = "auto",
) -> Iterator[Document]:
    """Standard input, compressed or not (by its first bytes): JSONL, or one plain-text document.

    ``stdin_format`` is one of :data:`STDIN_FORMATS`; ``auto`` reads JSONL when the first non-blank
    line is a JSON object, else one text document.
    """
    if stdin_format not in STDIN_FORMATS:
        raise InputError(f"--stdin-format {stdin_format}: expected one of {', '.join(STDIN_FORMATS)}")
    raw = sys.stdin.buffer
    with decompressed_lines(raw, f.shown, None, report) as lines:
        try:
            if stdin_format == "auto":
                first, lines = _first_line(lines)
                # plain text only when the first line cannot be JSON at all: a record cut or damaged
                # (a brace or bracket at either end) is JSONL, whose reader says what is wrong
                stdin_format = "text" if first is not None and _plain_text(first) else "jsonl"
            if stdin_format == "text":
                data = b"".join(lines)
        except DECOMPRESSION_ERRORS as exc:
            raise InputError(f"{f.shown}: cannot read: {exc}") from None
        if stdin_format == "text":
            yield from text_document(data, f, report, skip_bad)
            return
        hint = "to read it as one text document, use --stdin-format text or auto"
        yield from parse_jsonl(lines, f.shown, f.rel, report, text_key, id_key, skip_bad, plain_hint=hint)


def read_documents(
    files: Iterable[InputFile],
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
    stdin_format: str = "auto",
) -> Iterator[Document]:
    """Every document of every input, in order (see :func:`plan_inputs`); stdin as ``stdin_format`` says."""
    for f in files:
        if f.kind == "stdin":
            yield from read_stdin(f, report, text_key, id_key, skip_bad, stdin_format)
        elif f.kind == "text":
            yield from read_text_file(f, report, skip_bad)
        else:
            yield from read_jsonl_file(f, report, text_key, id_key, skip_bad)
