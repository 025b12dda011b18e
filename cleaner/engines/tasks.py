"""What a worker does with one unit of a corpus (one shard, or a run of small text files).

Every task is a function of its arguments: it reads its inputs, runs the same code as the local
engine (:class:`cleaner.pipeline.Cleaner`, the same readers and writers, the same signer), and
writes only into a staging folder, each file atomically.  A task that dies with its worker can
run again elsewhere and gives the same result; nothing reaches the user's output until the client
commits every unit together (:mod:`cleaner.engines.dask`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xxhash

from cleaner.commands.clean import Summary
from cleaner.commands.index import document_path, manifest_entry
from cleaner.corpus import Repeats, page_lines
from cleaner.dedup import Deduplicator
from cleaner.dedup.banded import Table, gids
from cleaner.dedup.store import text_hash
from cleaner.dedup.store_folder import Group, read_group
from cleaner.io.discover import InputFile, ReadReport
from cleaner.io.readers import read_documents
from cleaner.io.writers import JsonlSink, TreeSink
from cleaner.manifest import Entry
from cleaner.pipeline import Cleaner
from cleaner.settings import Settings

#: One cleaner per worker process and (settings, table of repeats): the rules load once per worker.
_CLEANERS: dict[tuple[Settings, str], Cleaner] = {}


@dataclass
class UnitReport:
    """What the readers of one unit met besides documents; the client prints it in unit order."""

    warnings: list[str] = field(default_factory=list)
    skipped_lines: int = 0
    skipped_files: int = 0

    @classmethod
    def of(cls, report: ReadReport) -> UnitReport:
        """The picklable part of a :class:`ReadReport`."""
        return cls(list(report.warnings), report.skipped_lines, report.skipped_files)


def _cleaner(settings: Settings, table: Repeats | None, token: str) -> Cleaner:
    """This worker's cleaner for ``settings`` and the table named ``token`` (made on first use)."""
    key = (settings, token)
    if key not in _CLEANERS:
        _CLEANERS.clear()  # one run at a time: an earlier run's cleaner and table go
        _CLEANERS[key] = Cleaner(settings, table)
    return _CLEANERS[key]


def text_hashes(values: list[str]) -> np.ndarray:
    """A 64-bit hash of each string, the same in every process (for partitioning by id)."""
    return np.fromiter(
        (xxhash.xxh64_intdigest(v.encode("utf-8", "surrogatepass")) for v in values), dtype=np.uint64, count=len(values)
    )


# --- corpus evidence ------------------------------------------------------------------------


def evidence_pairs(files: list[InputFile], text_key: str, id_key: str, skip_bad: bool) -> Table:
    """The (page, line) hash pairs of one unit, each once: what :meth:`Repeats.add` would count.

    A page (its site and exact text) met again in another unit gives the same pairs, so keeping each
    pair once over the whole corpus counts every page once, as the local table does.
    """
    quiet = ReadReport(warn=lambda _message: None)  # the cleaning pass gives the warnings
    pages: list[int] = []
    lines: list[int] = []
    seen: set[int] = set()
    for doc in read_documents(files, quiet, text_key, id_key, skip_bad):
        _site, page, hashes = page_lines(doc)
        if page in seen:
            continue
        seen.add(page)
        pages.extend([page] * len(hashes))
        lines.extend(hashes)
    return {"page": np.array(pages, dtype=np.uint64), "line": np.array(lines, dtype=np.uint64)}


def repeated_lines(min_pages: int, *pieces: Table) -> Table:
    """Of the pairs of every line hash routed here: the lines on ``min_pages`` distinct pages or more, counted."""
    page = np.concatenate([p["page"] for p in pieces]) if pieces else np.zeros(0, np.uint64)
    line = np.concatenate([p["line"] for p in pieces]) if pieces else np.zeros(0, np.uint64)
    if not len(line):
        return {"line": line, "count": np.zeros(0, np.int64)}
    both = np.unique(np.stack([line, page], axis=1), axis=0)
    keys, counts = np.unique(both[:, 0], return_counts=True)
    wanted = counts >= min_pages
    return {"line": keys[wanted], "count": counts[wanted].astype(np.int64)}


# --- clean ----------------------------------------------------------------------------------


@dataclass
class CleanedUnit:
    """What cleaning one unit did: its part of the closing summary (counted as the local run counts), its warnings."""

    summary: Summary = field(default_factory=Summary)
    report: UnitReport = field(default_factory=UnitReport)


def clean_unit(
    files: list[InputFile],
    stage: str | None,
    settings: Settings,
    table: Repeats | None,
    token: str,
    text_key: str,
    id_key: str,
    skip_bad: bool,
) -> CleanedUnit:
    """Clean one unit; with ``stage``, write its outputs there as ``cleaner clean -o DIR`` would (same bytes).

    The files land at their relative paths under ``stage``, each renamed into place when the unit is
    done (:class:`~cleaner.io.writers.TreeSink`); a rerun replaces them.
    """
    cleaner = _cleaner(settings, table, token)
    report = ReadReport()
    result = CleanedUnit()
    sink = TreeSink(Path(stage), text_key, id_key) if stage is not None else None
    try:
        for doc in read_documents(files, report, text_key, id_key, skip_bad):
            result.summary.add(cleaner.clean(doc))
            if sink is not None:
                sink.write(doc)
    except BaseException:
        if sink is not None:
            sink.discard()
        raise
    if sink is not None:
        sink.commit()
    result.report = UnitReport.of(report)
    return result


# --- dedup and index: signatures per unit ----------------------------------------------------


@dataclass
class SignedUnit:
    """One unit's documents as dedup needs them: ``table`` (gid, id, sig, size, length) in input order,
    where each came from (for messages), and for ``index`` the manifest rows (cluster not yet known)."""

    table: Table
    sources: list[str]
    report: UnitReport
    entries: list[Entry] = field(default_factory=list)


def _dedup(settings: Settings) -> Deduplicator:
    return Deduplicator(settings.params, threshold=settings.threshold, containment_threshold=settings.containment)


def _signed(
    unit: int, ids: list[str], rows: list[tuple[np.ndarray, int, int]], num_perm: int, hashes: list[str] | None = None
) -> Table:
    sig = np.stack([r[0] for r in rows]) if rows else np.zeros((0, num_perm), np.uint32)
    table = {
        "gid": gids(unit, len(ids)),
        "id": np.array(ids, dtype=object),
        "sig": sig.astype(np.uint32),
        "size": np.array([r[1] for r in rows], dtype=np.int64),
        "length": np.array([r[2] for r in rows], dtype=np.int64),
    }
    if hashes is not None:
        table["hash"] = np.array(hashes, dtype=object)
    return table


def sign_unit(
    unit: int,
    files: list[InputFile],
    settings: Settings,
    table: Repeats | None,
    token: str,
    text_key: str,
    id_key: str,
    skip_bad: bool,
    with_hashes: bool = False,
) -> SignedUnit:
    """Clean and sign one unit's documents (``cleaner dedup``'s first stage); ``with_hashes``: and hash their
    cleaned texts (``hash``, what a store keeps)."""
    cleaner = _cleaner(settings, table, token)
    signer = _dedup(settings).signer
    report = ReadReport()
    ids: list[str] = []
    sources: list[str] = []
    rows: list[tuple[np.ndarray, int, int]] = []
    hashes: list[str] = []
    for doc in read_documents(files, report, text_key, id_key, skip_bad):
        cleaner.clean(doc)
        sig, size = signer.sign(doc.text)
        ids.append(doc.id)
        sources.append(doc.source)
        rows.append((sig, size, len(doc.text)))
        if with_hashes:
            hashes.append(text_hash(doc.text))
    signed = _signed(unit, ids, rows, settings.num_perm, hashes if with_hashes else None)
    return SignedUnit(signed, sources, UnitReport.of(report))


def stored_unit(unit: int, group: Group, num_perm: int) -> SignedUnit:
    """One row group of a store's part as a unit of documents that are already signed."""
    table, sources = read_group(group, num_perm)
    return SignedUnit({"gid": gids(unit, len(sources)), **table}, sources, UnitReport())


def index_unit(
    unit: int,
    files: list[InputFile],
    settings: Settings,
    table: Repeats | None,
    token: str,
    text_key: str,
    skip_bad: bool,
    base: str,
) -> SignedUnit:
    """Clean and sign one unit's documents and make their manifest rows (``cleaner index``'s first stage).

    The rows are those of :func:`cleaner.commands.index.build_manifest`; a document is known to
    dedup by its path in the manifest.
    """
    cleaner = _cleaner(settings, table, token)
    signer = _dedup(settings).signer
    flag_rules = settings.ruleset().flags
    report = ReadReport()
    ids: list[str] = []
    rows: list[tuple[np.ndarray, int, int]] = []
    entries: list[Entry] = []
    folder = Path(base)
    for doc in read_documents(files, report, text_key, skip_bad=skip_bad):
        cleaner.clean(doc)
        path, _key = document_path(doc, folder)
        sig, size = signer.sign(doc.text)
        ids.append(path)
        rows.append((sig, size, len(doc.text)))
        entries.append(manifest_entry(doc, path, flag_rules))
    return SignedUnit(_signed(unit, ids, rows, settings.num_perm), list(ids), UnitReport.of(report), entries)


def write_verdicts(path: str, table: Table, kept: Table) -> int:
    """Write one unit's verdicts, in its order, to ``path`` (JSONL, atomically); how many.

    ``kept`` holds, for the documents of this unit that are in a cluster of copies: ``gid``,
    ``kept_id``, ``similarity``, ``containment`` (and ``kept`` == ``gid`` for the kept one).
    """
    index = {g: k for k, g in enumerate(kept["gid"].tolist())}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with JsonlSink(path) as sink:
        for gid, doc_id in zip(table["gid"].tolist(), table["id"].tolist(), strict=True):
            k = index.get(gid)
            if k is None or int(kept["kept"][k]) == gid:
                sink.write({"id": doc_id, "cluster": doc_id, "keep": True, "similarity": 1.0, "containment": 1.0})
                continue
            sink.write(
                {
                    "id": doc_id,
                    "cluster": str(kept["kept_id"][k]),
                    "keep": False,
                    "similarity": float(kept["similarity"][k]),
                    "containment": float(kept["containment"][k]),
                }
            )
    return len(table["gid"])
