"""Reading a manifest back: INDEX.md or its JSON form, told apart by the first character.

Loading checks the summary against the rows, and the clusters (one kept document each, which its
duplicates name): a manifest cut short, or edited so that these disagree, is an error, not a
silent mismatch.
"""

from __future__ import annotations

import json
from pathlib import Path

from cleaner.errors import ManifestError
from cleaner.manifest.markdown import parse_markdown
from cleaner.manifest.model import MARKER, Manifest


def parse(text: str) -> Manifest:
    """A manifest from its Markdown or JSON text (told apart by the first character)."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"not valid JSON: {exc}") from None
        return Manifest.from_dict(data)
    return parse_markdown(text)


def load_manifest(path: str | Path) -> Manifest:
    """Read a manifest written by ``cleaner index`` (``INDEX.md`` or its ``--format json`` form)."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read: {exc}") from None
    try:
        return parse(text)
    except ManifestError as exc:
        raise ManifestError(f"{path}: {exc}") from None


def is_manifest(text: str) -> bool:
    """Whether ``text`` is a manifest this tool wrote (Markdown marker, or JSON with ``format``/``cleaner``).

    >>> is_manifest(MARKER + " format 2: ... -->\\n# Corpus index"), is_manifest("# Notes")
    (True, False)
    """
    if text.startswith(MARKER):
        return True
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return False
        return isinstance(data, dict) and "format" in data and "cleaner" in data and "documents" in data
    return False
