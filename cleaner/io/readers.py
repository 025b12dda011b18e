"""Reading documents: text files, JSONL (plain, gzip, zstd) and standard input, as a stream.

Every reader yields :class:`~cleaner.document.Document` records one at a time, so a corpus larger
than memory streams through; the inputs come from :func:`cleaner.io.discover.plan_inputs`.
Problems are reported, never silently swallowed:

* a file that cannot be read, a truncated ``.gz`` or ``.zst`` stream raise :class:`InputError`;
* a broken JSONL line raises :class:`InputError` naming the file and line, unless ``skip_bad``,
  in which case it is counted in :class:`ReadReport` and skipped;
* a binary file is skipped with a warning; a file that is not UTF-8 is decoded with the codec
  charset-normalizer finds (else cp1252) and the warning says so.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

import orjson
import zstandard
from charset_normalizer import from_bytes

from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.io.discover import InputFile, ReadReport, read_error
from cleaner.manifest import is_manifest

#: How much of a file is looked at to decide that it is binary.
SNIFF_BYTES = 8192


def _read_bytes(f: InputFile) -> bytes:
    try:
        return f.path.read_bytes()
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
    data = _read_bytes(f)
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
    yield Document(f.shown, text, source=f.shown, unit=f.rel, fmt="text", path=os.fspath(f.path))


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


@contextmanager
def open_jsonl(f: InputFile, report: ReadReport | None = None) -> Iterator[Iterator[bytes]]:
    """The lines of a JSONL file, decompressing ``.gz`` and ``.zst`` (a truncated stream is an error).

    ``report.position`` then tells how far into the file (compressed bytes) reading has got.
    """
    try:
        raw = open(f.path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise read_error(f.shown, exc) from None
    if report is not None:
        report.position = raw.tell
    with raw:
        name = f.path.name.lower()
        if name.endswith(".gz"):
            with gzip.GzipFile(fileobj=raw) as gz:
                yield iter(cast(IO[bytes], gz))
        elif name.endswith(".zst"):
            yield _lines(_zstd_chunks(raw, f.shown))
        else:
            yield iter(raw)


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
    except TypeError:  # an integer past 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


#: A number of 19 digits or more, outside a string or not: such a line is read again exactly.
_LONG_NUMBER = re.compile(rb"\d{19}")


def parse_jsonl(
    lines: Iterable[bytes],
    where: str,
    unit: str,
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
    path: str = "",
) -> Iterator[Document]:
    """Documents from JSONL lines; a record needs a string ``text_key``; its id defaults to ``where:line``.

    The record itself is kept (:attr:`Document.record`) so that it can be written back in its own
    shape.  A byte-order mark before the first record is allowed.
    """
    try:
        for lineno, raw in enumerate(lines, 1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
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
                message = f"{where}:{lineno}: broken JSONL line: {exc}"
                if not skip_bad:
                    raise InputError(message + " (use --skip-bad to skip such lines)") from None
                report.skipped_lines += 1
                report.warning(message + "; skipped")
                continue
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
    except (OSError, EOFError, zstandard.ZstdError) as exc:
        raise InputError(f"{where}: cannot read: {exc}") from None


def read_documents(
    files: Iterable[InputFile],
    report: ReadReport,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
) -> Iterator[Document]:
    """Every document of every input, in order (see :func:`plan_inputs`); stdin is read as JSONL."""
    for f in files:
        if f.kind == "stdin":
            yield from parse_jsonl(sys.stdin.buffer, f.shown, f.rel, report, text_key, id_key, skip_bad)
        elif f.kind == "text":
            yield from read_text_file(f, report, skip_bad)
        else:
            with open_jsonl(f, report) as lines:
                yield from parse_jsonl(lines, f.shown, f.rel, report, text_key, id_key, skip_bad, os.fspath(f.path))
