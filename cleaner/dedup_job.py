"""``cleaner dedup``: clean documents, sign them, cluster near-duplicate stories, write the verdicts.

The logic is in :mod:`cleaner.dedup`; this module reads, cleans (``clean_stream``, any ``--jobs``),
keeps signatures only (the cleaned texts go to a temporary spool file, and only when
``--write-kept`` asks for them), and writes the results.
"""

from __future__ import annotations

import json
import pickle
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

import numpy as np

from cleaner.dedup import (
    DEFAULT_CONTAINMENT,
    DEFAULT_NGRAM,
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    Deduplicator,
    Params,
)
from cleaner.errors import InputError
from cleaner.jobs import ExitCode
from cleaner.pipeline import Settings, clean_stream
from cleaner.readers import ReadReport, check_paths, read_documents
from cleaner.writers import CorpusSink, JsonlSink, atomic_file

KEEP_POLICIES = ("longest", "first")
INDEX_FORMAT = 1


@dataclass
class DedupOptions:
    """Everything ``cleaner dedup`` was asked to do."""

    paths: list[str]
    output: str | None = None
    threshold: float = DEFAULT_THRESHOLD
    containment: float = DEFAULT_CONTAINMENT
    num_perm: int = DEFAULT_NUM_PERM
    ngram: int = DEFAULT_NGRAM
    keep: str = "longest"
    index: str | None = None
    jobs: int = 1
    write_kept: str | None = None
    settings: Settings = field(default_factory=Settings)
    text_key: str = "text"
    id_key: str = "id"
    skip_bad: bool = False


def load_index(path: Path, params: Params, dedup: Deduplicator) -> int:
    """Add the documents stored in the index at ``path`` to ``dedup``; how many.

    Raises :class:`InputError` when the index was built with other parameters or is unreadable.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = json.loads(str(data["params"]))
            signatures = np.asarray(data["signatures"], dtype=np.uint32)
            sizes = data["sizes"].tolist()
            lengths = data["lengths"].tolist()
            ids = [str(x) for x in data["ids"].tolist()]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a dedup index: {exc}") from None
    wanted = {"format": INDEX_FORMAT, **params.as_dict()}
    if stored != wanted:
        diff = ", ".join(f"{k} {stored.get(k)!r} (asked {v!r})" for k, v in wanted.items() if stored.get(k) != v)
        raise InputError(f"{path}: index was built with other parameters: {diff}; use a new index")
    for i, doc_id in enumerate(ids):
        dedup.add_signature(doc_id, signatures[i].copy(), int(sizes[i]), int(lengths[i]))
    return len(ids)


def save_index(path: Path, params: Params, dedup: Deduplicator) -> None:
    """Write every signature, size and length, and the parameters, atomically (``.npz``)."""
    n, p = len(dedup), params.num_perm
    sigs = np.stack(dedup.signatures) if n else np.zeros((0, p), dtype=np.uint32)
    with atomic_file(path) as f:
        np.savez(
            f,
            params=np.array(json.dumps({"format": INDEX_FORMAT, **params.as_dict()})),
            signatures=sigs.astype(np.uint32),
            sizes=np.array(dedup.sizes, dtype=np.int64),
            lengths=np.array(dedup.lengths, dtype=np.int64),
            ids=np.array(dedup.ids, dtype=np.str_),
        )


def check_params(threshold: float, containment: float, num_perm: int, ngram: int, keep: str) -> None:
    """Refuse parameters that cannot work, saying which and why (``InputError``)."""
    if keep not in KEEP_POLICIES:
        raise InputError(f"--keep must be one of {', '.join(KEEP_POLICIES)}, not {keep!r}")
    if not 0.0 < threshold <= 1.0 or not 0.0 < containment <= 1.0:
        raise InputError("--threshold and --containment must be in (0, 1]")
    if num_perm < 2 or ngram < 1:
        raise InputError("--num-perm must be at least 2 and --ngram at least 1")


def _check(options: DedupOptions) -> None:
    check_params(options.threshold, options.containment, options.num_perm, options.ngram, options.keep)
    check_paths(options.paths)
    inputs = {Path(a).resolve() for a in options.paths if a != "-"}
    for target in (options.output, options.write_kept, options.index):
        if target not in (None, "-") and Path(target).resolve() in inputs:
            raise InputError(f"{target}: would overwrite an input")


def run_dedup(options: DedupOptions, err: TextIO | None = None) -> ExitCode:
    """Run ``cleaner dedup``; return its exit code.  Raises ``CleanerError`` on bad input."""
    err = err or sys.stderr
    _check(options)
    options.settings.ruleset()  # a bad rule selection fails before anything is read
    params = Params(num_perm=options.num_perm, ngram=options.ngram)
    dedup = Deduplicator(params, threshold=options.threshold, containment_threshold=options.containment)
    index_path = Path(options.index) if options.index else None
    stored = 0
    if index_path is not None and index_path.exists():
        stored = load_index(index_path, params, dedup)
    known = set(dedup.ids)
    report = ReadReport(warn=lambda m: print(f"warning: {m}", file=err))
    start = time.perf_counter()
    skipped_known = 0
    with ExitStack() as stack:
        spool: IO[bytes] | None = None
        if options.write_kept is not None:
            spool = stack.enter_context(tempfile.TemporaryFile(prefix="cleaner-dedup-"))
        docs = read_documents(options.paths, report, options.text_key, options.id_key, options.skip_bad)
        for doc in clean_stream(docs, options.settings, jobs=options.jobs):
            if stored and doc.id in known:
                skipped_known += 1  # already in the index: its stored signature stands
                continue
            i = dedup.add_text(doc.id, doc.text)
            if spool is not None:
                pickle.dump((i, doc), spool, protocol=pickle.HIGHEST_PROTOCOL)
        assignments = dedup.assign(options.keep)
        if options.output is not None:
            with JsonlSink(options.output) as sink:
                for a in assignments:
                    sink.write(
                        {
                            "id": dedup.ids[a.index],
                            "cluster": dedup.ids[a.kept],
                            "keep": a.keep,
                            "similarity": a.similarity,
                            "containment": a.containment,
                        }
                    )
        if spool is not None:
            assert options.write_kept is not None
            _write_kept(spool, options, {a.index for a in assignments if a.keep})
    if index_path is not None:
        save_index(index_path, params, dedup)
    seconds = time.perf_counter() - start
    clusters = sum(1 for a in assignments if a.keep)
    new = len(dedup) - stored
    where = f" ({stored} from the index, {new} new)" if index_path is not None else ""
    print(
        f"{len(dedup)} documents{where}, {clusters} clusters, {len(dedup) - clusters} duplicates in {seconds:.2f}s",
        file=err,
    )
    if skipped_known:
        print(f"skipped {skipped_known} documents already in the index", file=err)
    if report.skipped_lines:
        print(f"skipped {report.skipped_lines} broken JSONL lines", file=err)
    return ExitCode.OK


def _write_kept(spool: IO[bytes], options: DedupOptions, kept: set[int]) -> None:
    """Write the kept documents of this run, in input order, from the spool file."""
    assert options.write_kept is not None
    spool.seek(0)
    with CorpusSink(options.write_kept, options.text_key, options.id_key) as sink:
        while True:
            try:
                i, doc = pickle.load(spool)
            except EOFError:
                break
            if i in kept:
                sink.write(doc)
