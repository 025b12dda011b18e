"""What every command shares: the exit codes, the progress bar and the first pass of corpus evidence."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cleaner.corpus import Repeats
from cleaner.document import Document
from cleaner.io.discover import InputFile, ReadReport
from cleaner.io.readers import read_documents
from cleaner.settings import Settings


class ExitCode(enum.IntEnum):
    """Exit codes, fixed (black and ruff use the same)."""

    OK = 0
    WOULD_CHANGE = 1
    USAGE_OR_INPUT = 2
    INTERNAL = 123


def corpus_table(
    files: list[InputFile],
    settings: Settings,
    text_key: str = "text",
    id_key: str = "id",
    skip_bad: bool = False,
    enabled: bool = True,
    store: Path | None = None,
) -> Repeats | None:
    """The first pass of corpus evidence: the lines each site repeats (None when off).

    It reads the inputs once more, streaming, and keeps hashes only (:class:`cleaner.corpus.Repeats`).
    A broken input fails here, before anything is written.  With ``store``, the table of earlier
    runs (if the file exists) is read first and this run's pages are added to it (a page counted
    before is not counted again); stdin, which cannot be read twice, is cleaned against the stored
    table alone.  :func:`save_table` writes it back once the run is done.
    """
    if not enabled or not settings.ruleset().repeats:
        return None
    table = Repeats.load(store) if store is not None and store.exists() else Repeats()
    if any(f.kind == "stdin" for f in files):
        return table if store is not None else None
    quiet = ReadReport(warn=lambda _message: None)  # the second pass gives the warnings
    return table.add_all(read_documents(files, quiet, text_key, id_key, skip_bad))


def save_table(table: Repeats | None, store: Path | None) -> None:
    """Write the table back to ``store`` (atomically) when a run was given one."""
    if table is not None and store is not None:
        table.save(store)


def with_progress(
    docs: Iterable[Document], enabled: bool, console: Console, label: str = "cleaning"
) -> Iterator[Document]:
    """``docs`` passed through, with a progress bar on ``console`` when ``enabled``."""
    if not enabled:
        yield from docs
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("clean", total=None)
        for d in docs:
            yield d
            bar.advance(task)
