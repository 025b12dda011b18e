"""What every command shares: the exit codes and the progress bar."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cleaner.document import Document


class ExitCode(enum.IntEnum):
    """Exit codes, fixed (black and ruff use the same)."""

    OK = 0
    WOULD_CHANGE = 1
    USAGE_OR_INPUT = 2
    INTERNAL = 123


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
