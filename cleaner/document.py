"""The one record type that flows through every step, and the edits made to it.

An :class:`Edit` is self-contained: ``start``/``end`` are character offsets into the text *as it
was when the edit was made*, so the edits of a document, applied one after another with
:func:`apply_edits`, turn the original text into the cleaned text.  That is what makes every
change explainable and replayable (ftfy's ``apply_plan`` idea, with positions).  ``line`` is
for people: the line of the *original* document where the edit begins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cleaner.errors import InputError


class Edit(NamedTuple):
    r"""One change to a document's text, named by the rule that made it.

    Immutable.  A named tuple rather than a frozen dataclass: a page of furniture makes an edit
    per removed line, and a frozen dataclass costs about 2 us to build against 0.3 us
    (bench/adversarial.py, cases "getty-lines" and "read-more-lines").  ``edit._replace(line=2)``
    gives a copy with one field changed.

    >>> Edit("BP004", "advertisement", 2, 6, 20, "Advertisement\n", "").describe()
    "BP004 advertisement: removed 'Advertisement\\n'"
    """

    code: str
    slug: str
    line: int
    start: int
    end: int
    removed: str
    inserted: str
    note: str = ""
    col: int = 0

    def describe(self) -> str:
        """A one-line human summary of the edit, as ``--explain`` prints it."""
        parts = []
        if self.removed:
            parts.append(f"removed {self.removed!r}")
        if self.inserted:
            parts.append(f"inserted {self.inserted!r}")
        text = f"{self.code} {self.slug}: " + ", ".join(parts)
        return f"{text} ({self.note})" if self.note else text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, as the JSONL writer stores it."""
        d: dict[str, Any] = {
            "code": self.code,
            "slug": self.slug,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "removed": self.removed,
            "inserted": self.inserted,
            "col": self.col,
        }
        if self.note:
            d["note"] = self.note
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        """Inverse of :meth:`to_dict`."""
        return cls(
            d["code"],
            d["slug"],
            d["line"],
            d["start"],
            d["end"],
            d["removed"],
            d["inserted"],
            d.get("note", ""),
            d.get("col", 0),
        )


@dataclass(slots=True)
class Document:
    """A document: its text, where it came from, passthrough metadata and the edits made so far.

    ``source`` names the input for people (the path as given, ``path:line`` for a JSONL record;
    always valid Unicode); ``path`` is the input file itself (``""`` for stdin) and ``line`` the
    record's line in it; ``unit`` is the input file's path relative to its argument and ``fmt``
    its format (``text`` or ``jsonl``), which writers use to lay out their output; ``record`` is
    the JSONL record as read, written back in its own shape; ``metadata`` holds what the steps
    found (language, flags).
    """

    id: str
    text: str
    source: str = ""
    unit: str = ""
    fmt: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] | None = None
    edits: list[Edit] = field(default_factory=list)
    original: str | None = None
    path: str = ""
    line: int = 0


class LineMap:
    r"""Maps line numbers of the text as edited so far back to lines of the original text.

    >>> m = LineMap("a\nb\nc\nd")
    >>> m.apply(Edit("X", "x", 2, 2, 4, "b\n", "")).line   # line 'b' removed: original line 2
    2
    >>> m.apply(Edit("X", "x", 2, 2, 4, "c\n", "")).line   # now line 2 holds the original line 3
    3
    """

    # A gap buffer: the current lines before the cursor in ``_head``, those after it in ``_tail``,
    # reversed.  The edits of one step come left to right, so the cursor only moves forward
    # within a step: O(lines + edits) per step, where replacing a slice of one list moved the
    # whole rest of it on every edit (quadratic with thousands of removed lines, issue 9).
    __slots__ = ("_head", "_tail")

    def __init__(self, text: str) -> None:
        self._head: list[int] = []
        self._tail = list(range(text.count("\n") + 1, 0, -1))

    def _seek(self, i: int) -> None:
        """Move the cursor before current line ``i`` (0-based)."""
        head, tail = self._head, self._tail
        if len(head) > i:
            tail.extend(reversed(head[i:]))
            del head[i:]
        elif len(head) < i:
            n = min(i - len(head), len(tail))
            head.extend(reversed(tail[len(tail) - n :]))
            del tail[len(tail) - n :]

    def apply(self, edit: Edit) -> Edit:
        """``edit`` (whose ``line`` counts in the current text) with its original line; then track it."""
        i = edit.line - 1
        k, m = edit.removed.count("\n"), edit.inserted.count("\n") if edit.inserted else 0
        if len(self._head) != i:
            self._seek(i)
        tail = self._tail
        span = min(k + 1, len(tail))
        first, last = tail[-1], tail[-span]
        del tail[len(tail) - span :]
        # the line the edit ends in continues the old line i + k; if the edit began at a line's
        # start and inserted no line break, that line now stands where line i stood (the tail is
        # reversed: [first] * m + [last] goes on as last, then the firsts)
        if m or edit.col == 0:
            tail.append(last)
            tail.extend([first] * m)
        else:
            tail.append(first)
        if first == edit.line:
            return edit
        # built field by field: ``_replace`` costs twice as much, per edit
        e = edit
        return Edit(e.code, e.slug, first, e.start, e.end, e.removed, e.inserted, e.note, e.col)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Replay ``edits`` on ``text``; raises ``ValueError`` if an edit does not fit.

    >>> apply_edits("Hello  world", [Edit("WS001", "x", 1, 5, 7, "  ", " ")])
    'Hello world'
    """
    # The edits of one step come left to right: while they do, the text is built as pieces of
    # ``base`` (the text when the run began) and the inserted strings, and joined once when an
    # edit goes back or at the end.  Splicing the whole text per edit was quadratic.
    out: list[str] = []
    base, pos, delta = text, 0, 0  # pos: how far base is consumed; delta: length change so far
    for e in edits:
        at = e.start - delta  # where the edit starts in base
        if at < pos:  # the edit goes back: make the text so far the new base
            base, out, pos, delta = "".join(out) + base[pos:], [], 0, 0
            at = e.start
        end = at + len(e.removed)
        if e.end - e.start != len(e.removed) or base[at:end] != e.removed:
            raise ValueError(f"edit {e.code} at {e.start}:{e.end} does not match the text")
        out.append(base[pos:at])
        out.append(e.inserted)
        pos = end
        delta += len(e.inserted) - len(e.removed)
    return "".join(out) + base[pos:] if out else base


class EditLog:
    """Collects the edits of one pass over a text, made left to right at original offsets.

    A step finds its changes on the text it was given (offsets into that text), in increasing
    order and without overlap; :meth:`add` shifts each to the offset it has once the earlier
    ones are applied, so the resulting list replays with :func:`apply_edits`.
    """

    __slots__ = ("_delta", "_last", "_line_delta", "_out", "_scan", "_scan_line", "_tail", "_text", "edits")

    def __init__(self, text: str) -> None:
        self._text = text
        self._out: list[str] = []
        self._last = 0
        self._delta = 0
        self._line_delta = 0
        self._scan = 0  # line numbers are counted incrementally: O(n) for the whole pass
        self._scan_line = 1
        self._tail = 0  # characters after the last line break of the pieces in _out (all, if none)
        self.edits: list[Edit] = []

    def add(self, code: str, slug: str, start: int, end: int, inserted: str = "", note: str = "") -> None:
        """Replace ``text[start:end]`` by ``inserted`` (offsets into the original text)."""
        last, text = self._last, self._text
        if start < last:
            raise ValueError("edits must be added left to right without overlap")
        removed = text[start:end]
        if removed == inserted:
            return
        col = self._column(start)
        # what _append(text[last:start]) and _append(inserted) do, inline (one call per removed
        # line of a page of furniture adds up): after the first piece the tail is this edit's column
        if start > last:
            self._out.append(text[last:start])
        self._tail = col
        if inserted:
            self._append(inserted)
        shifted = start + self._delta
        self._scan_line += text.count("\n", self._scan, start)
        self._scan = start
        line = self._scan_line + self._line_delta
        self.edits.append(Edit(code, slug, line, shifted, shifted + len(removed), removed, inserted, note, col))
        self._delta += len(inserted) - len(removed)
        self._line_delta += (inserted.count("\n") if inserted else 0) - removed.count("\n")
        self._last = end

    def _append(self, piece: str) -> None:
        self._out.append(piece)
        nl = piece.rfind("\n")
        self._tail = len(piece) - nl - 1 if nl >= 0 else self._tail + len(piece)

    def _column(self, start: int) -> int:
        """The column of ``start`` in the text as edited so far (before this edit).

        O(1) amortised: ``_tail`` is kept as the pieces are appended (a walk back over them made a
        text with thousands of edits on one output line quadratic, issue 9).

        >>> log = EditLog("abc\\ndef")
        >>> log.add("X", "x", 1, 2, "")
        >>> log.add("X", "x", 2, 3, "QQ")
        >>> log.add("X", "x", 5, 6, "")
        >>> [e.col for e in log.edits], log.result()
        ([1, 1, 1], 'aQQ\\ndf')
        """
        nl = self._text.rfind("\n", self._last, start)
        if nl >= 0:
            return start - nl - 1
        return self._tail + start - self._last

    def result(self) -> str:
        """The text with every added edit applied."""
        if not self.edits:
            return self._text
        return "".join(self._out) + self._text[self._last :]


def iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, line)`` for each line; ``end`` excludes the newline.

    >>> list(iter_lines("ab\\n\\nc"))
    [(0, 2, 'ab'), (3, 3, ''), (4, 5, 'c')]
    """
    start = 0
    n = len(text)
    while start <= n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        yield start, end, text[start:end]
        start = end + 1


def as_documents(
    items: Iterable[Document | str | Mapping[str, Any]], text_key: str = "text", id_key: str = "id"
) -> Iterator[Document]:
    """Documents from strings, records (mappings with a string ``text_key``) or documents, in order.

    A string's id is its position (``"0"``, ``"1"``, ...); a record's is its ``id_key`` field as
    text (a number as its JSON), or its position when it has none.  A record is kept as it came
    (:attr:`Document.record`), so that :func:`clean_records` can give it back in its own shape.
    """
    from cleaner.io.readers import jsonl_id  # the command line's rule for ids, so both agree

    for i, item in enumerate(items):
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(str(i), item, source=f"item {i}")
        elif isinstance(item, Mapping):
            record = dict(item)
            text = record.get(text_key)
            if not isinstance(text, str):
                raise InputError(f"item {i}: no string field {text_key!r} (text_key names the field)")
            yield Document(jsonl_id(record, id_key) or str(i), text, source=f"item {i}", fmt="jsonl", record=record)
        else:
            raise InputError(
                f"item {i}: a str, a mapping with a {text_key!r} field or a Document, not {type(item).__name__}"
            )
