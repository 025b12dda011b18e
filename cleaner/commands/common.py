"""What every command shares: the exit codes, what a run tells on stderr (the progress bar, per-file
lines, the summary) and the first pass of corpus evidence.

The heavy modules (rich, the readers, the corpus table) are imported when a run needs them, so that
``cleaner --help`` and ``cleaner --version`` start in a fraction of the time.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from cleaner.document import Document
from cleaner.io.discover import InputFile, ReadReport

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from cleaner.corpus import Repeats
    from cleaner.settings import Settings


class ExitCode(enum.IntEnum):
    """Exit codes, fixed (black and ruff use the same)."""

    OK = 0
    WOULD_CHANGE = 1
    USAGE_OR_INPUT = 2
    INTERNAL = 123


class Verbosity(enum.IntEnum):
    """How much a run says on stderr besides its errors and warnings (``-q``, default, ``-v``)."""

    QUIET = -1  # no progress bar, no summary, no per-file lines
    NORMAL = 0
    VERBOSE = 1  # ... and a line per input file


def corpus_table(
    files: list[InputFile],
    settings: Settings,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
    enabled: bool = True,
    store: Path | None = None,
    feedback: Feedback | None = None,
) -> Repeats | None:
    """The first pass of corpus evidence: the lines each site repeats (None when off).

    It reads the inputs once more, streaming, and keeps hashes only (:class:`cleaner.corpus.Repeats`).
    A broken input fails here, before anything is written.  With ``store``, the table of earlier
    runs (if the file exists) is read first and this run's pages are added to it (a page counted
    before is not counted again); stdin, which cannot be read twice, is cleaned against the stored
    table alone.  :func:`save_table` writes it back once the run is done.  ``feedback`` shows the
    pass as a progress bar of its own ("counting").
    """
    from cleaner.corpus import Repeats
    from cleaner.io.readers import read_documents

    if not enabled or not settings.ruleset().repeats:
        return None
    table = Repeats.load(store) if store is not None and store.exists() else Repeats()
    if any(f.kind == "stdin" for f in files):
        return table if store is not None else None
    quiet = ReadReport(warn=lambda _message: None)  # the second pass gives the warnings
    if feedback is None:
        return table.add_all(read_documents(files, quiet, text_key, id_key, skip_bad))
    with feedback.track("counting", files, quiet) as tracker:
        docs = read_documents(tracker.reading(files), quiet, text_key, id_key, skip_bad)
        return table.add_all(tracker.documents(docs))


def save_table(table: Repeats | None, store: Path | None) -> None:
    """Write the table back to ``store`` (atomically) when a run was given one."""
    if table is not None and store is not None:
        table.save(store)


@dataclass(frozen=True)
class Totals:
    """What is known of the inputs before they are read: how many files, how many bytes (None: stdin)."""

    files: int
    size: int | None


def input_totals(files: Iterable[InputFile]) -> Totals:
    """The number of input files and their bytes on disk (compressed, for ``.gz`` and ``.zst``).

    A file's bytes are what the progress bar counts: a text file when its document is read, a
    JSONL file as its reader moves through it.  Standard input has no size known up front.
    """
    files = list(files)
    if any(f.kind == "stdin" for f in files):
        return Totals(len(files), None)
    return Totals(len(files), sum(file_size(f) for f in files))


def file_size(f: InputFile) -> int:
    """The bytes of an input file on disk (0 if it has gone since it was listed: its reader says so)."""
    try:
        return os.stat(f.path).st_size
    except OSError:
        return 0


@dataclass
class FileTally:
    """What became of the documents of one input file, once all of them have come out of the pipeline."""

    shown: str  # the file as the user named it (``<stdin>`` for standard input)
    documents: int = 0
    changed: int = 0


class Tracker:
    """Counts a run as it goes: bytes and files read, documents out, per-file tallies; draws the bar.

    :meth:`reading` wraps the inputs handed to the reader (it learns which file is being read, and
    how far into it, from :attr:`ReadReport.position`); :meth:`documents` wraps the documents coming
    out.  The bar shows the bytes read against the total, their rate, the time left, the files and
    the documents.  ``on_file`` is called with each input file's :class:`FileTally` when its last
    document has come out.
    """

    def __init__(
        self,
        files: list[InputFile],
        report: ReadReport,
        bar: Progress | None = None,
        on_file: Callable[[FileTally], None] | None = None,
        label: str = "cleaning",
    ) -> None:
        self.totals = input_totals(files)
        self.report = report
        self.bar = bar
        self.on_file = on_file
        self.files_started = 0
        self.documents_out = 0
        self._done_bytes = 0  # bytes of the files read to the end
        self._current: InputFile | None = None
        self._shown = {os.fspath(f.path): f.shown for f in files}
        self._task: TaskID | None = None
        if bar is not None:
            self._task = bar.add_task(label, total=self.totals.size, documents=0, files=self._files_text())

    def completed(self) -> int:
        """Bytes read so far: the files read to the end, and how far into the current one."""
        position = 0
        current = self._current
        if current is not None and current.kind == "jsonl" and self.report.position is not None:
            try:
                position = min(self.report.position(), file_size(current))
            except ValueError:  # the reader has closed it: read to the end
                position = file_size(current)
        return self._done_bytes + position

    def _files_text(self) -> str:
        return f"{self.files_started}/{self.totals.files} files"

    def reading(self, files: Iterable[InputFile]) -> Iterator[InputFile]:
        """``files``, passed to the reader one by one: each one taken is the file now being read."""
        for f in files:
            if self._current is not None:
                self._done_bytes += file_size(self._current)
            self.report.position = None  # until the reader of this file sets it
            self._current = f
            self.files_started += 1
            if f.kind == "text":  # read whole, at once
                self._done_bytes += file_size(f)
                self._current = None
            self._refresh()
            yield f
        if self._current is not None:
            self._done_bytes += file_size(self._current)
            self._current = None
        self._refresh()

    def documents(self, docs: Iterable[Document]) -> Iterator[Document]:
        """``docs`` passed through, counted, and tallied per input file."""
        tally: FileTally | None = None
        key: str | None = None
        for doc in docs:
            where = doc.path or "-"
            if tally is None or where != key:
                if tally is not None and self.on_file is not None:
                    self.on_file(tally)
                key = where
                tally = FileTally(self._shown.get(where, "<stdin>" if where == "-" else doc.source))
            tally.documents += 1
            tally.changed += bool(doc.edits)
            self.documents_out += 1
            self._refresh()
            yield doc
        if tally is not None and self.on_file is not None:
            self.on_file(tally)

    def _refresh(self) -> None:
        if self.bar is not None and self._task is not None:
            self.bar.update(
                self._task, completed=self.completed(), documents=self.documents_out, files=self._files_text()
            )


def per_file_line(feedback: Feedback) -> Callable[[FileTally], None]:
    """``-v``: ``X: N documents`` for each input file, once its documents are through."""

    def say(t: FileTally) -> None:
        feedback.detail(f"{t.shown}: {t.documents} document{'' if t.documents == 1 else 's'}")

    return say


@dataclass
class Feedback:
    """What a run tells the person running it, on stderr: the progress bar, per-file lines, the summary.

    ``bar``: draw a progress bar (the command line decides: ``--progress``, else when stderr is a
    terminal; never with ``-q``).  Lines printed while a bar is drawn go above it.
    """

    err: TextIO = field(default_factory=lambda: sys.stderr)
    verbosity: Verbosity = Verbosity.NORMAL
    bar: bool = False
    console: Console | None = None  # the bar's console (a test may give one forced to a terminal)
    _live: Progress | None = None

    def say(self, line: str) -> None:
        """A line of the summary or a per-file line (not with ``-q``)."""
        if self.verbosity > Verbosity.QUIET:
            self.print(line)

    def detail(self, line: str) -> None:
        """A line only ``-v`` asks for."""
        if self.verbosity >= Verbosity.VERBOSE:
            self.print(line)

    def print(self, line: str) -> None:
        """Any line for stderr (a warning too): above the bar while one is drawn."""
        if self._live is not None:
            self._live.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=self.err)

    def track(
        self,
        label: str,
        files: list[InputFile],
        report: ReadReport,
        on_file: Callable[[FileTally], None] | None = None,
    ) -> _Tracking:
        """A :class:`Tracker` for one pass over ``files``, with its bar drawn while the ``with`` block runs."""
        return _Tracking(self, label, files, report, on_file)


class _Tracking:
    """The context of :meth:`Feedback.track`: the bar is started on entry and removed on exit."""

    def __init__(
        self,
        feedback: Feedback,
        label: str,
        files: list[InputFile],
        report: ReadReport,
        on_file: Callable[[FileTally], None] | None,
    ) -> None:
        self.feedback, self.label, self.files, self.report, self.on_file = feedback, label, files, report, on_file
        self.bar: Progress | None = None

    def __enter__(self) -> Tracker:
        if self.feedback.bar and self.feedback.verbosity > Verbosity.QUIET:
            self.bar = progress_bar(self.feedback.console or _console(self.feedback.err))
            self.bar.start()
            self.feedback._live = self.bar
        return Tracker(self.files, self.report, self.bar, self.on_file, self.label)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.feedback._live = None


def _console(err: TextIO) -> Console:
    from rich.console import Console

    return Console(file=err, stderr=True)


def progress_bar(console: Console) -> Progress:
    """The bar every command draws: label, bar, percentage, bytes read of the total, rate, time left,
    files, documents and their rate, elapsed time.  Removed when done (``transient``)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.text import Text

    class DocumentsColumn(ProgressColumn):
        """Documents out, and how many a second."""

        def render(self, task: Any) -> Text:
            documents = task.fields.get("documents", 0)
            rate = documents / task.elapsed if task.elapsed else 0.0
            return Text(f"{documents:,} docs ({rate:,.1f}/s)")

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[files]}"),
        DocumentsColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
