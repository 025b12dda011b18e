"""``cleaner dedup``: clean documents, sign them, cluster near-duplicate stories, write the verdicts.

The logic is in :mod:`cleaner.dedup.minhash`; this module reads, cleans (``clean_stream``, any ``--jobs``),
keeps signatures only (the cleaned texts go to a temporary spool file, and only when
``--write-kept`` asks for them), and writes the results.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

import numpy as np
import xxhash

from cleaner.commands.clean import ExitCode
from cleaner.dedup.minhash import (
    DEFAULT_CONTAINMENT,
    DEFAULT_NGRAM,
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    Deduplicator,
    Params,
)
from cleaner.errors import InputError, OutputError
from cleaner.io.readers import InputFile, ReadReport, plan_inputs, read_documents, shown_path
from cleaner.io.writers import CorpusSink, JsonlSink, atomic_file, check_output_file, check_outputs, is_jsonl_target
from cleaner.pipeline import Settings, clean_stream

KEEP_POLICIES = ("longest", "first")
#: Format 2 stores each document's text hash (ids are checked against it).
INDEX_FORMAT = 2


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


def text_hash(text: str) -> str:
    """The hash by which an index knows a document's cleaned text (xxh3, 128 bits, hex)."""
    return xxhash.xxh3_128_hexdigest(text.encode("utf-8", errors="surrogatepass"))


def load_index(path: Path, params: Params, dedup: Deduplicator) -> dict[str, str]:
    """Add the documents stored in the index at ``path`` to ``dedup``; their ids and text hashes.

    Raises :class:`InputError` when the index was built with other parameters or is unreadable.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = json.loads(str(data["params"]))
            if stored.get("format") != INDEX_FORMAT:
                raise InputError(
                    f"{shown_path(path)}: a dedup index of format {stored.get('format')!r} (this cleaner reads "
                    f"{INDEX_FORMAT}); build a new index"
                )
            signatures = np.asarray(data["signatures"], dtype=np.uint32)
            sizes = data["sizes"].tolist()
            lengths = data["lengths"].tolist()
            ids = [str(x) for x in data["ids"].tolist()]
            hashes = [str(x) for x in data["hashes"].tolist()]
    except InputError:
        raise
    except Exception as exc:
        # np.load meets a truncated, empty or foreign file with many kinds of error (zipfile's,
        # numpy's, json's, an object array); none of them is the user's to fix but by a new index
        reason = "empty file" if path.exists() and path.stat().st_size == 0 else type(exc).__name__
        raise InputError(
            f"{shown_path(path)}: not a dedup index written by cleaner dedup --index ({reason}); "
            "remove it or name a new one"
        ) from None
    wanted = {"format": INDEX_FORMAT, **params.as_dict()}
    if stored != wanted:
        diff = ", ".join(f"{k} {stored.get(k)!r} (asked {v!r})" for k, v in wanted.items() if stored.get(k) != v)
        raise InputError(f"{shown_path(path)}: index was built with other parameters: {diff}; use a new index")
    if not (len(signatures) == len(sizes) == len(lengths) == len(ids) == len(hashes)):
        raise InputError(f"{shown_path(path)}: a damaged dedup index (its arrays differ in length); build a new one")
    for i, doc_id in enumerate(ids):
        dedup.add_signature(doc_id, signatures[i].copy(), int(sizes[i]), int(lengths[i]))
    return dict(zip(ids, hashes, strict=True))


def save_index(path: Path, params: Params, dedup: Deduplicator, hashes: list[str]) -> None:
    """Write every signature, size, length, id and text hash, and the parameters, atomically (``.npz``)."""
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
            hashes=np.array(hashes, dtype=np.str_),
        )


def check_params(threshold: float, containment: float, num_perm: int, ngram: int, keep: str) -> None:
    """Refuse parameters that cannot work, saying which and why (``InputError``)."""
    if keep not in KEEP_POLICIES:
        raise InputError(f"--keep must be one of {', '.join(KEEP_POLICIES)}, not {keep!r}")
    if not 0.0 < threshold <= 1.0 or not 0.0 < containment <= 1.0:
        raise InputError("--threshold and --containment must be in (0, 1]")
    if num_perm < 2 or ngram < 1:
        raise InputError("--num-perm must be at least 2 and --ngram at least 1")


def _check(options: DedupOptions, report: ReadReport) -> list[InputFile]:
    """Check everything that can be checked before the work starts; the inputs, listed and opened."""
    check_params(options.threshold, options.containment, options.num_perm, options.ngram, options.keep)
    files = plan_inputs(options.paths, report)
    targets = [(o, t) for o, t in (("-o", options.output), ("--write-kept", options.write_kept)) if t is not None]
    for option, target in targets:
        if option == "-o" and not is_jsonl_target(target):
            raise InputError(f"-o {target}: the verdicts are JSONL: name a .jsonl[.gz|.zst] file, or - for stdout")
        check_outputs(files, target, option)
    if options.index is not None:
        check_output_file(files, Path(options.index), "--index")
        targets.append(("--index", options.index))
    named = [(o, Path(t).absolute()) for o, t in targets if t != "-"]
    for i, (o1, p1) in enumerate(named):
        for o2, p2 in named[i + 1 :]:
            if p1 == p2 or p1 in p2.parents or p2 in p1.parents:
                raise OutputError(f"{o1} and {o2} name the same place ({shown_path(p1)})")
    return files


def run_dedup(options: DedupOptions, err: TextIO | None = None) -> ExitCode:
    """Run ``cleaner dedup``; return its exit code.  Raises ``CleanerError`` on bad input.

    Ids must be unique, within a run and across the runs an index remembers: a document whose id
    is in the index with the same cleaned text is skipped (it was signed before); one whose id is
    in the index or earlier in the run with another text is an error, not a silent skip.
    """
    err = err or sys.stderr
    report = ReadReport(warn=lambda m: print(f"warning: {m}", file=err))
    files = _check(options, report)
    options.settings.ruleset()  # a bad rule selection fails before anything is read
    params = Params(num_perm=options.num_perm, ngram=options.ngram)
    dedup = Deduplicator(params, threshold=options.threshold, containment_threshold=options.containment)
    index_path = Path(options.index) if options.index else None
    known: dict[str, str] = {}
    if index_path is not None and index_path.exists():
        known = load_index(index_path, params, dedup)
    stored = len(known)
    hashes = list(known.values())
    first_seen: dict[str, str] = {}  # id -> where this run met it first
    start = time.perf_counter()
    skipped_known = 0
    with ExitStack() as stack:
        spool: IO[bytes] | None = None
        if options.write_kept is not None:
            spool = stack.enter_context(tempfile.TemporaryFile(prefix="cleaner-dedup-"))
        docs = read_documents(files, report, options.text_key, options.id_key, options.skip_bad)
        cleaned = stack.enter_context(closing(clean_stream(docs, options.settings, jobs=options.jobs)))
        for doc in cleaned:
            digest = text_hash(doc.text)
            if doc.id in first_seen:
                raise InputError(
                    f"{doc.source}: id {doc.id!r} is also the id of {first_seen[doc.id]}; ids must be unique "
                    f"(--id-key names the field; records without one are known by file and line)"
                )
            first_seen[doc.id] = doc.source
            if doc.id in known:
                if known[doc.id] != digest:
                    raise InputError(
                        f"{doc.source}: id {doc.id!r} is in the index {options.index} for another text; "
                        "an index cannot replace a document: give it a new id, or build a new index"
                    )
                skipped_known += 1  # already in the index: its stored signature stands
                continue
            i = dedup.add_text(doc.id, doc.text)
            hashes.append(digest)
            if spool is not None:
                pickle.dump((i, doc), spool, protocol=pickle.HIGHEST_PROTOCOL)
        assignments = dedup.assign(options.keep)
        # the verdicts, the kept documents and the index land together: the verdicts are written
        # complete beside their place, the kept documents committed, then the verdicts renamed
        # into place and the index saved; a failure before that leaves every output as it was
        staged: Path | None = None  # the complete verdicts file, not yet in its place
        if options.output is not None:
            verdicts = JsonlSink(options.output)
            try:
                for a in assignments:
                    verdicts.write(
                        {
                            "id": dedup.ids[a.index],
                            "cluster": dedup.ids[a.kept],
                            "keep": a.keep,
                            "similarity": a.similarity,
                            "containment": a.containment,
                        }
                    )
                staged = verdicts.finish()
            except BaseException:
                verdicts.discard()
                raise
        try:
            if spool is not None:
                assert options.write_kept is not None
                _write_kept(spool, options, {a.index for a in assignments if a.keep})
            if staged is not None:
                assert options.output is not None
                try:
                    os.replace(staged, options.output)
                except OSError as exc:
                    raise OutputError(f"{options.output}: cannot write: {exc.strerror or exc}") from None
        finally:
            if staged is not None:
                staged.unlink(missing_ok=True)
    if index_path is not None:
        save_index(index_path, params, dedup, hashes)
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
