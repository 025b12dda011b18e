"""The user's cache folder: what the cleaner computes once per machine and reads back.

``$CLEANER_CACHE_DIR``, else ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``.  It holds
derived data only (the lexicon tables of :mod:`cleaner.text.lexicon`, the digests of rule files
already checked against the schema), each named by what it was derived from, so a stale entry
is never read; deleting the folder costs one slower start.  Files are written to a temporary
name and renamed: a reader never sees half of one, and two processes writing at once are safe.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """Where derived data is kept: ``$CLEANER_CACHE_DIR``, ``$XDG_CACHE_HOME/cleaner`` or ``~/.cache/cleaner``.

    A relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification asks; without a home
    folder (no ``HOME`` and no password entry, as in some containers) the cache is a folder of
    the system's temporary directory, named by the user id.
    """
    if os.environ.get("CLEANER_CACHE_DIR"):
        return Path(os.environ["CLEANER_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "cleaner"
    try:
        return Path.home() / ".cache" / "cleaner"
    except RuntimeError:  # no home folder to be found
        return Path(tempfile.gettempdir()) / f"cleaner-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in its folder and a rename (``OSError`` if it cannot).

    The data reaches the disk before the rename (``fsync``), so that a crash leaves the old file
    or the new one, never an empty one; the file is readable by all (``0644``), so that a cache
    folder shared by several users serves them all.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def derived(name: str, build: Callable[[], Any]) -> Any:
    """A small value derived from installed data (JSON), read from the cache file ``name`` or built and written.

    ``name`` must say everything the value depends on (a package's version, the parameters): a
    file of that name is never stale.  A damaged file is built again; a cache that cannot be
    written costs a build per process.
    """
    path = cache_dir() / name
    try:
        return json.loads(path.read_text("utf-8"))["value"]
    except Exception:  # missing, or damaged in any way: built again
        pass
    value = build()
    with contextlib.suppress(OSError):
        write_atomic(path, json.dumps({"value": value}, ensure_ascii=False).encode("utf-8"))
    return value
