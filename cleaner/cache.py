"""The user's cache folder: what the cleaner computes once per machine and reads back.

``$CLEANER_CACHE_DIR``, else ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``.  It holds
derived data only (the lexicon tables of :mod:`cleaner.text.lexicon`, the digests of rule files
already checked against the schema), each named by what it was derived from, so a stale entry
is never read; deleting the folder costs one slower start.  Files are written as every output
is (:func:`cleaner.io.writers.atomic_file`): a reader never sees half of one, and two processes
writing at once are safe.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from cleaner.errors import OutputError
from cleaner.io.writers import atomic_file


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


def store(path: Path, write: Callable[[IO[bytes]], object]) -> bool:
    """Write a cache file with ``write(f)``, atomically (:func:`cleaner.io.writers.atomic_file`:
    a temporary file beside it, synced, renamed; the permissions of a new file).

    False when it cannot be written (no cache folder to be had): the caller keeps what it built
    in memory for this process.
    """
    try:
        with atomic_file(path) as f:
            write(f)
    except (OSError, OutputError):
        return False
    return True


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
    store(path, lambda f: f.write(json.dumps({"value": value}, ensure_ascii=False).encode("utf-8")))
    return value
