"""The user's cache folder: what the cleaner computes once per machine and reads back.

``$CLEANER_CACHE_DIR``, else ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``.  It holds
derived data only (the lexicon tables of :mod:`cleaner.text.lexicon`, the digests of rule files
already checked against the schema), each named by what it was derived from, so a stale entry
is never read; deleting the folder costs one slower start.  Files are written to a temporary
name and renamed: a reader never sees half of one, and two processes writing at once are safe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """Where derived data is kept: ``$CLEANER_CACHE_DIR``, ``$XDG_CACHE_HOME/cleaner`` or ``~/.cache/cleaner``."""
    if os.environ.get("CLEANER_CACHE_DIR"):
        return Path(os.environ["CLEANER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cleaner"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in its folder and a rename (``OSError`` if it cannot)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
