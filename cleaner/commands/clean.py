"""``cleaner clean``: read, clean, write or check or diff; I/O at the edges, the pipeline in between.

The command line (:mod:`cleaner.cli`) only parses arguments into :class:`CleanOptions`; everything
the command does is here, so it can be called and tested without a terminal.
"""

from __future__ import annotations

import enum
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from cleaner.commands.common import ExitCode, Feedback, FileTally, Verbosity, corpus_table, save_table
from cleaner.diff import unified_diff
from cleaner.document import Document
from cleaner.errors import OutputError
from cleaner.io.discover import ReadReport, plan_inputs
from cleaner.io.readers import read_documents
from cleaner.io.writers import CorpusSink, check_outputs, document_bytes, is_jsonl_target
from cleaner.pipeline import clean_stream
from cleaner.settings import Settings


class WriteMode(enum.Enum):
    """What ``cleaner clean`` does with the cleaned documents; decided once, from the flags."""

    SUMMARY = "summary"  # write nothing, print a summary
    OUTPUT = "output"  # write to -o (directory, JSONL file, or - for stdout)
    IN_PLACE = "in-place"  # rewrite the inputs
    CHECK = "check"  # write nothing, exit 1 if anything would change
    DIFF = "diff"  # print a unified diff, exit 1 if anything would change


@dataclass
class CleanOptions:
    """Everything ``cleaner clean`` was asked to do."""

    paths: list[str]
    mode: WriteMode = WriteMode.SUMMARY
    output: str | None = None
    explain: bool = False
    settings: Settings = field(default_factory=Settings)
    jobs: int = 1
    text_key: str = "text"
    id_key: str = "id"
    skip_bad: bool = False
    progress: bool | None = None  # None: when stderr is a terminal
    verbosity: Verbosity = Verbosity.NORMAL
    exit_non_zero_on_fix: bool = False  # exit 1 when files were rewritten (pre-commit)
    repeats: bool = True  # corpus evidence: a first pass over the inputs (files only)
    repeats_store: Path | None = None  # the table of repeated lines kept across runs
    stdin_format: str = "auto"  # how stdin is read: jsonl, text, or auto (cleaner.io.readers.STDIN_FORMATS)
    edits: str = "full"  # how much of the edits JSONL output carries: full, codes, none (cleaner.io.writers)
    engine: str = "local"  # or "dask" (cleaner.engines.dask)
    scheduler: str | None = None  # the Dask scheduler's address, or local:N


@dataclass
class Summary:
    """What a run did, for the closing lines."""

    documents: int = 0
    changed: int = 0
    chars_in: int = 0
    edits: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, doc: Document) -> None:
        """Count one cleaned document."""
        self.documents += 1
        self.chars_in += len(doc.original or "")
        if doc.edits:
            self.changed += 1
            self.edits.update(e.code for e in doc.edits)

    def merge(self, other: Summary) -> None:
        """Add the counts of another part of the run (a unit cleaned on another worker)."""
        self.documents += other.documents
        self.changed += other.changed
        self.chars_in += other.chars_in
        self.edits.update(other.edits)

    def lines(self, slugs: dict[str, str]) -> list[str]:
        """The summary as text lines."""
        total = sum(self.edits.values())
        out = [f"{self.documents} documents, {self.changed} changed, {total} edits in {self.seconds:.2f}s"]
        for code, n in sorted(self.edits.items()):
            out.append(f"  {code} {slugs.get(code, '')}: {n}")
        return out


def check_output_target(options: CleanOptions) -> None:
    """Refuse an output folder that holds an input folder or lies in one (a next run would read its outputs).

    What each output file would overwrite is checked file by file in :func:`~cleaner.io.writers.check_outputs`.
    ``--edits`` other than ``full`` is refused where no findings are written (no output, a folder,
    ``--in-place``, ``--check``, ``--diff``): it would do nothing, without a word.
    """
    jsonl_output = options.mode is WriteMode.OUTPUT and options.output is not None and is_jsonl_target(options.output)
    if options.edits != "full" and not jsonl_output:
        raise OutputError(
            f"--edits {options.edits}: only JSONL output (-o FILE.jsonl or -o -) carries the edits; "
            "other outputs keep each record in its input shape"
        )
    if options.mode is not WriteMode.OUTPUT or options.output in (None, "-"):
        return
    assert options.output is not None
    out = Path(options.output).resolve()
    for arg in options.paths:
        if arg == "-":
            continue
        p = Path(arg).resolve()
        if out == p or (p.is_dir() and (out == p or p in out.parents or out in p.parents)):
            raise OutputError(
                f"{options.output}: output would overwrite or mix with input {arg}; use --in-place to rewrite inputs"
            )


def explain_lines(doc: Document) -> Iterator[str]:
    """``--explain``: one line per edit, ``source:line: CODE slug: what``."""
    where = doc.source or doc.id
    for e in doc.edits:
        yield f"{where}:{e.line}: {e.describe()}"


def diff_text(doc: Document) -> str:
    """A unified diff of one document, as ``--diff`` prints it: a patch for a text file, a view for a record.

    A text file's diff goes from the file as it is on disk to the bytes ``--in-place`` would write
    (the text and a final newline), labelled with its path as given, so that ``patch -p0`` and
    ``git apply -p0`` apply it (a file that is not UTF-8 is shown decoded; ``--in-place`` rewrites
    it as UTF-8, which a text patch cannot say).  A JSONL record's diff is of its text field,
    labelled ``path:line`` (a name no file has: it is to be read, not applied).
    """
    if doc.fmt == "text" and doc.path:
        try:
            before = Path(doc.path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):  # gone since, or not UTF-8: the text as read
            before = f"{doc.original}\n" if doc.original else ""
        return unified_diff(before, document_bytes(doc).decode("utf-8"), os.fsencode(doc.path))
    return unified_diff(doc.original or "", doc.text, doc.source or doc.id)


def run_clean(
    options: CleanOptions, out: TextIO | None = None, err: TextIO | None = None, feedback: Feedback | None = None
) -> ExitCode:
    """Run ``cleaner clean``; return its exit code.  Raises ``CleanerError`` on bad input.

    ``feedback`` (made from the options when not given) is what the run tells on stderr.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if options.engine == "dask":
        from cleaner.engines.dask import run_clean_dask

        return run_clean_dask(options, out, err)
    if feedback is None:
        bar = err.isatty() if options.progress is None else options.progress
        feedback = Feedback(err, options.verbosity, bar)
    check_output_target(options)
    ruleset = options.settings.ruleset()  # a bad --select fails before anything is read
    slugs = {r.code: r.slug for r in ruleset.rules}
    # what --explain prints goes where no data goes
    note = err if (options.mode is WriteMode.OUTPUT and options.output == "-") else out
    report = ReadReport(warn=lambda m: feedback.print(f"warning: {m}"))
    # everything that can be checked is checked before the first write: every input is listed
    # and opened, and every output is known to be writable and not to overwrite an input
    files = plan_inputs(options.paths, report)
    if options.mode is WriteMode.OUTPUT:
        check_outputs(files, options.output)
    elif options.mode is WriteMode.IN_PLACE:
        check_outputs(files, None, "--in-place")
    summary = Summary()
    start = time.perf_counter()
    table = corpus_table(
        files,
        options.settings,
        options.text_key,
        options.id_key,
        options.skip_bad,
        options.repeats,
        options.repeats_store,
        feedback,
    )
    tallies: list[FileTally] = []  # in place: named once the files are written
    on_file = tallies.append if options.mode is WriteMode.IN_PLACE else _file_line(options.mode, feedback)
    with ExitStack() as stack:
        tracker = stack.enter_context(feedback.track("cleaning", files, report, on_file))
        docs = read_documents(
            tracker.reading(files), report, options.text_key, options.id_key, options.skip_bad, options.stdin_format
        )
        # closing: an error in writing stops the workers at once, not when the generator is collected
        cleaned = stack.enter_context(closing(clean_stream(docs, options.settings, jobs=options.jobs, repeats=table)))
        sink: CorpusSink | None = None
        if options.mode in (WriteMode.OUTPUT, WriteMode.IN_PLACE):
            target = options.output if options.mode is WriteMode.OUTPUT else None
            sink = stack.enter_context(CorpusSink(target, options.text_key, options.id_key, options.edits))
        for doc in tracker.documents(cleaned):
            summary.add(doc)
            if table is not None and options.repeats_store is not None:
                table.remember(doc)  # its cleaned text, if read again later, is a page counted already
            if options.explain:
                for line in explain_lines(doc):
                    print(line, file=note)
            if options.mode is WriteMode.DIFF and doc.edits:
                out.write(diff_text(doc))
            if sink is not None:
                sink.write(doc)
    summary.seconds = time.perf_counter() - start
    if options.mode not in (WriteMode.CHECK, WriteMode.DIFF):  # the two modes that promise to write nothing
        save_table(table, options.repeats_store)
    if options.mode is WriteMode.IN_PLACE:
        _name_rewritten(tallies, feedback)
    for line in summary.lines(slugs):
        if options.mode is not WriteMode.SUMMARY:
            feedback.say(line)
        elif options.verbosity > Verbosity.QUIET:
            print(line, file=out)  # the summary is what this mode prints
    if report.skipped_lines:
        feedback.say(f"skipped {report.skipped_lines} broken JSONL lines")
    if report.skipped_files:
        feedback.say(f"skipped {report.skipped_files} files (binary, damaged or manifests; see the warnings)")
    if options.mode in (WriteMode.CHECK, WriteMode.DIFF) and summary.changed:
        feedback.say(f"{summary.changed} documents would change")
        return ExitCode.WOULD_CHANGE
    if options.exit_non_zero_on_fix and sink is not None and summary.changed:
        return ExitCode.WOULD_CHANGE  # documents were rewritten (in place) or written changed
    return ExitCode.OK


def _file_line(mode: WriteMode, feedback: Feedback) -> Callable[[FileTally], None]:
    """What is said of an input file once its documents are cleaned: ``would clean X`` under
    ``--check`` (as black says ``would reformat``); with ``-v``, a line for every file."""

    def say(t: FileTally) -> None:
        if mode in (WriteMode.CHECK, WriteMode.DIFF):
            if not t.changed:
                feedback.detail(f"unchanged {t.shown}")
            elif mode is WriteMode.CHECK:
                feedback.say(f"would clean {t.shown}")
            else:
                feedback.detail(f"would clean {t.shown}")
        else:
            feedback.detail(f"{t.shown}: {_count(t.documents, 'document')}, {t.changed} changed")

    return say


def _name_rewritten(tallies: list[FileTally], feedback: Feedback) -> None:
    """``--in-place``, once the files are written: ``cleaned X`` for each file rewritten (``unchanged X``
    too with ``-v``), then ``N files cleaned, M unchanged`` (black's "reformatted X" and summary)."""
    for t in tallies:
        if t.changed:
            feedback.say(f"cleaned {t.shown}")
        else:
            feedback.detail(f"unchanged {t.shown}")
    cleaned = sum(1 for t in tallies if t.changed)
    feedback.say(f"{_count(cleaned, 'file')} cleaned, {len(tallies) - cleaned} unchanged")


def _count(n: int, word: str) -> str:
    """``1 file``, ``2 files``.

    >>> _count(1, "file"), _count(0, "document")
    ('1 file', '0 documents')
    """
    return f"{n} {word}{'' if n == 1 else 's'}"
