"""The choices of ``--stdin-format`` and ``--edits``: plain enums, so that the command line's
``--help`` and ``--version`` show them without loading the readers and writers (orjson, zstandard)."""

from __future__ import annotations

import enum


class StdinFormat(enum.StrEnum):
    """How standard input is read (``--stdin-format``)."""

    AUTO = "auto"  # JSONL unless its first non-blank line is plain text (cannot be JSON cut or damaged)
    JSONL = "jsonl"  # one record a line
    TEXT = "text"  # one plain-text document


class EditsMode(enum.StrEnum):
    """How the edits go into the cleaner's key of a JSONL record (``--edits``)."""

    FULL = "full"  # every edit, replayable on the input text, under "edits"
    CODES = "codes"  # the number of edits of each rule code, under "edit_counts"
    NONE = "none"  # left out
