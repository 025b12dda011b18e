"""What every command shares: the exit codes, the progress bar and the first pass of corpus evidence."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

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
) -> Repeats | None:
    """The first pass of corpus evidence: the lines each site repeats (None when off, or for stdin).

    It reads the inputs once more, streaming, and keeps hashes only (:class:`cleaner.corpus.Repeats`).
    A broken input fails here, before anything is written.
    """
    if not enabled or not settings.ruleset().repeats or any(f.kind == "stdin" for f in files):
        return None
    quiet = ReadReport(warn=lambda _message: None)  # the second pass gives the warnings
    return Repeats().add_all(read_documents(files, quiet, text_key, id_key, skip_bad))


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
