"""The signature store as a folder: ``cleaner dedup --store DIR`` appends one Parquet part per run.

::

    DIR/store.json                      what makes signatures comparable, checked by every run
    DIR/part-00000.parquet              the documents the first run added
    DIR/part-00001.parquet              ... the second run's, and so on

A part holds, per document in the order the run met them: ``id``, ``hash`` (of the cleaned text:
a later document with the same id must have the same text), ``sig`` (the MinHash signature, a
fixed-size list of ``num_perm`` uint32), ``size`` (of the shingle set), ``length`` (of the cleaned
text) and ``source`` (file and line, for messages).  Whole signatures are kept, not band keys:
the bands are a function of ``--threshold``, so a later run may ask another threshold (or
containment) and still get what one run over all the documents would give.  What the signatures
themselves depend on (``num_perm``, ``ngram``: the shingle size, ``seed``, ``scheme``,
``normalisation``) must be the same: ``store.json`` records it and a run with other values is
refused.  It also records the threshold, containment and bands of the run that made the store,
for the reader (they are not checked, for the reason above).

A run never rewrites a part: it writes a new one beside it (a hidden temporary file, then a
hard link to the next free name, which fails rather than replace a part another run has just
added), and ``store.json`` the same way when the store is new.  A run that is killed leaves the
store as it was.  The parts are read in the order of their numbers, so the stored documents come
first, in the order they were added, as with the single-file ``.npz`` store (:mod:`.store`).

Parquet through pyarrow: columnar, compressed, read one row group (one unit of work) at a time
by the dask engine's workers, and readable by every dataframe tool.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cleaner import __version__
from cleaner.dedup.banded import Table
from cleaner.errors import InputError, OutputError
from cleaner.io.discover import shown_path
from cleaner.settings import Settings

if TYPE_CHECKING:
    from cleaner.dedup.cluster import Deduplicator

META = "store.json"
PART = "part-{:05d}.parquet"
_PART = re.compile(r"part-(\d{5,})\.parquet")
#: The version of the folder's layout (``store.json``'s ``format``).
FORMAT = 1
PYARROW = 'a store folder is written with pyarrow: pip install pyarrow (or "cleaner[dask]")'
#: Rows per row group in a part the local engine writes (chosen, not measured: 64 MB of 128-slot
#: signatures at most, and a dask task per group when the dask engine reads it).
GROUP_ROWS = 100_000


def is_folder_store(name: str) -> bool:
    """Whether ``--store NAME`` names a folder store (anything but a ``.npz`` file, the old single-file store).

    >>> is_folder_store("sigs/"), is_folder_store("sigs.npz")
    (True, False)
    """
    return not name.lower().endswith(".npz")


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise InputError(PYARROW) from None
    return pyarrow


def metadata(settings: Settings) -> dict[str, Any]:
    """What ``store.json`` holds for a run with ``settings``: ``params`` checked, the rest recorded."""
    from cleaner.dedup.cluster import Deduplicator

    dedup = Deduplicator(settings.params, threshold=settings.threshold, containment_threshold=settings.containment)
    ranges = dedup.hashranges
    return {
        "format": FORMAT,
        "params": settings.params.as_dict(),
        "made_with": {
            "threshold": settings.threshold,
            "containment": settings.containment,
            "bands": len(ranges),
            "rows": int(ranges[0][1] - ranges[0][0]) if ranges else 0,
            "cleaner": __version__,
        },
    }


@dataclass(frozen=True)
class Group:
    """One row group of one part: the dask engine's unit of work for stored documents."""

    path: str
    index: int
    rows: int


class StoreFolder:
    """A folder store at ``path`` for runs with ``settings`` (checked on :meth:`open`)."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self.path = path
        self.settings = settings

    @classmethod
    def open(cls, path: Path, settings: Settings) -> StoreFolder:
        """The store at ``path``, checked: new (no folder, or an empty one) or made with the same parameters.

        ``InputError`` otherwise, before any work is done.
        """
        _pyarrow()
        store = cls(path, settings)
        shown = shown_path(path)
        if os.path.lexists(path) and not path.is_dir():
            raise InputError(f"--store {shown}: exists and is not a folder (an .npz store is named with .npz)")
        meta = path / META
        if not meta.exists():
            # a first run killed while writing leaves its hidden temporary file: still a new store
            if path.is_dir() and any(not p.name.startswith(".") for p in path.iterdir()):
                raise InputError(f"--store {shown}: a folder that is not a signature store (no {META}); name a new one")
            return store
        try:
            stored = json.loads(meta.read_text(encoding="utf-8"))
            stored_params, stored_format = stored["params"], stored["format"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{shown_path(meta)}: not a signature store's {META} ({type(exc).__name__})") from None
        if stored_format != FORMAT:
            raise InputError(
                f"{shown_path(meta)}: a store folder of format {stored_format!r} (this cleaner reads {FORMAT}); "
                "build a new store"
            )
        wanted = settings.params.as_dict()
        if stored_params != wanted:
            diff = ", ".join(
                f"{k} {stored_params.get(k)!r} (asked {v!r})" for k, v in wanted.items() if stored_params.get(k) != v
            )
            raise InputError(f"--store {shown}: store was built with other parameters: {diff}; use a new store")
        return store

    def parts(self) -> list[Path]:
        """The parts, in the order they were added."""
        if not self.path.is_dir():
            return []
        return sorted((p for p in self.path.iterdir() if _PART.fullmatch(p.name)), key=_number)

    def groups(self) -> list[Group]:
        """Every row group of every part, in order (read from the parts' footers)."""
        pa = _pyarrow()
        out = []
        for part in self.parts():
            try:
                meta = pa.parquet.ParquetFile(part).metadata
            except (OSError, pa.ArrowException) as exc:
                raise InputError(f"{shown_path(part)}: a damaged store part ({exc}); build a new store") from None
            out += [Group(str(part), i, meta.row_group(i).num_rows) for i in range(meta.num_row_groups)]
        return out

    def documents(self) -> Iterator[tuple[Table, list[str]]]:
        """The stored documents, one row group at a time: a table (``id``, ``hash``, ``sig``, ``size``, ``length``)
        and the sources."""
        for group in self.groups():
            yield read_group(group, self.settings.num_perm)

    def load_into(self, dedup: Deduplicator) -> dict[str, str]:
        """Add the stored documents to ``dedup`` (the local engine); their ids and text hashes."""
        known: dict[str, str] = {}
        for table, _sources in self.documents():
            for i, doc_id in enumerate(table["id"].tolist()):
                dedup.add_signature(doc_id, table["sig"][i].copy(), int(table["size"][i]), int(table["length"][i]))
            known.update(zip(table["id"].tolist(), table["hash"].tolist(), strict=True))
        return known

    def rows_of(
        self, dedup: Deduplicator, start: int, hashes: list[str], sources: list[str]
    ) -> Iterator[tuple[Table, list[str]]]:
        """The documents of ``dedup`` from ``start`` on (this run's), as tables of :data:`GROUP_ROWS` rows for
        :meth:`append`."""
        p = self.settings.num_perm
        for lo in range(start, len(dedup), GROUP_ROWS):
            hi = min(lo + GROUP_ROWS, len(dedup))
            sigs = dedup.signatures[lo:hi]
            yield (
                {
                    "id": np.array(dedup.ids[lo:hi], dtype=object),
                    "hash": np.array(hashes[lo - start : hi - start], dtype=object),
                    "sig": np.stack(sigs).astype(np.uint32) if sigs else np.zeros((0, p), np.uint32),
                    "size": np.array(dedup.sizes[lo:hi], dtype=np.int64),
                    "length": np.array(dedup.lengths[lo:hi], dtype=np.int64),
                },
                sources[lo - start : hi - start],
            )

    def append(self, tables: Iterable[tuple[Table, list[str]]]) -> Path | None:
        """Add one part with the rows of ``tables`` (each a row group, with its sources); its path (None if no rows).

        Atomic: the part appears whole under the next free number or not at all; ``store.json`` is
        written first when the store is new.
        """
        return self.add(self.stage(tables))

    def stage(self, tables: Iterable[tuple[Table, list[str]]]) -> Path:
        """Write a part of the rows of ``tables`` to a hidden temporary file in the store (made if new);
        :meth:`add` puts it in place, :meth:`discard` removes it."""
        pa = _pyarrow()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=self.path)
            os.close(fd)
        except OSError as exc:
            raise self._error(exc) from None
        tmp = Path(name)
        try:
            writer = None
            try:
                for table, sources in tables:
                    if len(table["id"]):
                        batch = to_arrow(table, sources, self.settings.num_perm)
                        writer = writer or pa.parquet.ParquetWriter(tmp, batch.schema)
                        writer.write_table(batch, row_group_size=GROUP_ROWS)
            finally:
                if writer is not None:
                    writer.close()
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        except OSError as exc:
            self.discard(tmp)
            raise self._error(exc) from None
        except BaseException:
            self.discard(tmp)
            raise
        return tmp

    def add(self, staged: Path) -> Path | None:
        """The staged part under the next free number (none when it has no rows), ``store.json`` first if new."""
        try:
            self._write_meta()
            if staged.stat().st_size == 0:
                return None
            parts = self.parts()
            final = self.path / PART.format(_number(parts[-1]) + 1 if parts else 0)
            try:
                os.link(staged, final)  # never replaces: a part another run added meanwhile stays
            except FileExistsError:
                raise OutputError(
                    f"--store {shown_path(self.path)}: another run added {final.name} meanwhile; run again"
                ) from None
            return final
        except OSError as exc:
            raise self._error(exc) from None
        finally:
            self.discard(staged)

    @staticmethod
    def discard(staged: Path) -> None:
        """Remove a staged part."""
        with contextlib.suppress(OSError):
            staged.unlink()

    def _error(self, exc: OSError) -> OutputError:
        return OutputError(f"--store {shown_path(self.path)}: cannot write: {exc.strerror or exc}")

    def _write_meta(self) -> None:
        """``store.json``, when the store is new (written to a temporary file and renamed)."""
        meta = self.path / META
        if meta.exists():
            return
        fd, tmp = tempfile.mkstemp(prefix=".store-", suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(metadata(self.settings), f, indent=1, sort_keys=True)
                f.write("\n")
            os.replace(tmp, meta)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _number(part: Path) -> int:
    """The number of a part (``part-00003.parquet``: 3)."""
    return int(part.name.removeprefix("part-").removesuffix(".parquet"))


def to_arrow(table: Table, sources: list[str], num_perm: int) -> Any:
    """A pyarrow table of the store's columns from a dedup table (``id``, ``hash``, ``sig``, ``size``, ``length``)."""
    pa = _pyarrow()
    sig = np.ascontiguousarray(table["sig"], dtype=np.uint32).reshape(-1)
    return pa.table(
        {
            "id": pa.array(table["id"].tolist(), pa.string()),
            "hash": pa.array(table["hash"].tolist(), pa.string()),
            "sig": pa.FixedSizeListArray.from_arrays(pa.array(sig, pa.uint32()), num_perm),
            "size": pa.array(table["size"], pa.int64()),
            "length": pa.array(table["length"], pa.int64()),
            "source": pa.array(sources, pa.string()),
        }
    )


def read_group(group: Group, num_perm: int) -> tuple[Table, list[str]]:
    """One row group as a dedup table (``id``, ``hash``, ``sig``, ``size``, ``length``) and its sources."""
    pa = _pyarrow()
    try:
        t = pa.parquet.ParquetFile(group.path).read_row_group(group.index)
        sig = t.column("sig").combine_chunks()
        if sig.type.list_size != num_perm:
            raise ValueError(f"signatures of {sig.type.list_size} slots, not {num_perm}")
        table: Table = {
            "id": np.array(t.column("id").to_pylist(), dtype=object),
            "hash": np.array(t.column("hash").to_pylist(), dtype=object),
            "sig": sig.flatten().to_numpy().astype(np.uint32).reshape(-1, num_perm),
            "size": t.column("size").to_numpy().astype(np.int64),
            "length": t.column("length").to_numpy().astype(np.int64),
        }
        sources = [str(s) for s in t.column("source").to_pylist()]
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise InputError(f"{shown_path(Path(group.path))}: a damaged store part ({exc}); build a new store") from None
    return table, sources
