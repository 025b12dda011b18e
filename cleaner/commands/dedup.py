"""``cleaner dedup``: clean documents, sign them, cluster near-duplicate stories, write the verdicts.

The logic is in :mod:`cleaner.dedup`; this module reads, cleans (``clean_stream``, any ``--jobs``),
keeps signatures only (the cleaned texts go to a temporary spool file, and only when
``--write-kept`` asks for them), and writes the results.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from cleaner.commands.common import ExitCode, Feedback, Verbosity, corpus_table, per_file_line
from cleaner.dedup import (
    Deduplicator,
)
from cleaner.dedup.store import load_store, save_store, text_hash
from cleaner.dedup.store_folder import StoreFolder, is_folder_store
from cleaner.errors import InputError, OutputError
from cleaner.io.discover import InputFile, ReadReport, plan_inputs, shown_path
from cleaner.io.readers import read_documents
from cleaner.io.writers import (
    JSONL_OUTPUTS,
    CorpusSink,
    JsonlSink,
    check_output_file,
    check_outputs,
    check_writable_folder,
    is_discard,
    is_jsonl_target,
)
from cleaner.pipeline import clean_stream
from cleaner.settings import Settings


@dataclass
class DedupOptions:
    """Everything ``cleaner dedup`` was asked to do."""

    paths: list[str]
    output: str | None = None
    store: str | None = None  # the signature store (--store): a folder of Parquet parts, or an .npz file
    jobs: int = 1
    write_kept: str | None = None
    settings: Settings = field(default_factory=Settings)
    text_key: str = "text"
    id_key: str = "id"
    skip_bad: bool = False
    progress: bool | None = None  # None: when stderr is a terminal
    verbosity: Verbosity = Verbosity.NORMAL
    engine: str = "local"  # or "dask" (cleaner.engines.dask)
    scheduler: str | None = None  # the Dask scheduler's address, or local:N


def _check(options: DedupOptions, report: ReadReport) -> list[InputFile]:
    """Check everything that can be checked before the work starts; the inputs, listed and opened."""
    options.settings.check()
    files = plan_inputs(options.paths, report)
    targets = [(o, t) for o, t in (("-o", options.output), ("--write-kept", options.write_kept)) if t is not None]
    for option, target in targets:
        if option == "-o" and not is_jsonl_target(target):
            raise InputError(f"-o {target}: the verdicts are JSONL: name a file ({JSONL_OUTPUTS}), or - for stdout")
        check_outputs(files, target, option)
    if options.store is not None:
        if is_folder_store(options.store):
            StoreFolder.open(Path(options.store), options.settings)  # refused here if made with other parameters
            where = Path(options.store)
            check_writable_folder(where if where.is_dir() else where.parent, f"--store {shown_path(where)}")
        else:
            check_output_file(files, Path(options.store), "--store")
        targets.append(("--store", options.store))
    named = [(o, Path(t).absolute()) for o, t in targets if t != "-" and not is_discard(t)]
    for i, (o1, p1) in enumerate(named):
        for o2, p2 in named[i + 1 :]:
            if p1 == p2 or p1 in p2.parents or p2 in p1.parents:
                raise OutputError(f"{o1} and {o2} name the same place ({shown_path(p1)})")
    return files


def run_dedup(options: DedupOptions, err: TextIO | None = None, feedback: Feedback | None = None) -> ExitCode:
    """Run ``cleaner dedup``; return its exit code.  Raises ``CleanerError`` on bad input.

    ``feedback`` (made from the options when not given) is what the run tells on stderr.

    Ids must be unique, within a run and across the runs a store remembers: a document whose id
    is in the store with the same cleaned text is skipped (it was signed before); one whose id is
    in the store or earlier in the run with another text is an error, not a silent skip.
    """
    err = err or sys.stderr
    if options.engine == "dask":
        from cleaner.engines.dask import run_dedup_dask

        return run_dedup_dask(options, err)
    if feedback is None:
        feedback = Feedback(err, options.verbosity, err.isatty() if options.progress is None else options.progress)
    report = ReadReport(warn=lambda m: feedback.print(f"warning: {m}"))
    files = _check(options, report)
    options.settings.ruleset()  # a bad rule selection fails before anything is read
    s = options.settings
    params = s.params
    dedup = Deduplicator(params, threshold=s.threshold, containment_threshold=s.containment)
    store_path = Path(options.store) if options.store else None
    folder = StoreFolder.open(store_path, s) if store_path and is_folder_store(str(store_path)) else None
    known: dict[str, str] = {}
    if folder is not None:
        known = folder.load_into(dedup)
    elif store_path is not None and store_path.exists():
        known = load_store(store_path, params, dedup)
    stored = len(known)
    hashes = list(known.values())
    first_seen: dict[str, str] = {}  # id -> where this run met it first
    sources: list[str] = []  # where each new document came from (a folder store keeps it)
    start = time.perf_counter()
    skipped_known = 0
    with ExitStack() as stack:
        spool: IO[bytes] | None = None
        if options.write_kept is not None:
            spool = stack.enter_context(tempfile.TemporaryFile(prefix="cleaner-dedup-"))
        # the lines a site repeats (its template) go before the shingles are taken, so that pages
        # of one template are compared by their stories.  Not with a --store yet: the store keeps
        # signatures, not the table of lines, and a run over part of a corpus would count other
        # repeats than one run over all of it (an incremental run must give one run's clusters)
        table = corpus_table(
            files,
            options.settings,
            options.text_key,
            options.id_key,
            options.skip_bad,
            options.store is None,
            feedback=feedback,
        )
        tracker = stack.enter_context(feedback.track("signing", files, report, per_file_line(feedback)))
        docs = read_documents(tracker.reading(files), report, options.text_key, options.id_key, options.skip_bad)
        cleaned = stack.enter_context(closing(clean_stream(docs, options.settings, jobs=options.jobs, repeats=table)))
        for doc in tracker.documents(cleaned):
            if doc.id in first_seen:
                raise InputError(
                    f"{doc.source}: id {doc.id!r} is also the id of {first_seen[doc.id]}; ids must be unique "
                    f"(--id-key names the field; records without one are known by file and line)"
                )
            first_seen[doc.id] = doc.source
            # the text hash is what the store keeps: computed only when there is a store
            digest = text_hash(doc.text) if store_path is not None else ""
            if doc.id in known:
                if known[doc.id] != digest:
                    raise InputError(
                        f"{doc.source}: id {doc.id!r} is in the store {options.store} for another text; "
                        "a store cannot replace a document: give it a new id, or build a new store"
                    )
                skipped_known += 1  # already in the store: its stored signature stands
                continue
            i = dedup.add_text(doc.id, doc.text)
            if store_path is not None:
                hashes.append(digest)
                sources.append(doc.source)
            if spool is not None:
                pickle.dump((i, doc), spool, protocol=pickle.HIGHEST_PROTOCOL)
        assignments = dedup.assign(s.keep)
        # the verdicts, the kept documents and the store land together: the verdicts are written
        # complete beside their place, the kept documents committed, then the verdicts renamed
        # into place and the store saved; a failure before that leaves every output as it was
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
    if folder is not None:
        folder.append(folder.rows_of(dedup, stored, hashes[stored:], sources))
    elif store_path is not None:
        save_store(store_path, params, dedup, hashes)
    seconds = time.perf_counter() - start
    clusters = sum(1 for a in assignments if a.keep)
    new = len(dedup) - stored
    where = f" ({stored} from the store, {new} new)" if store_path is not None else ""
    feedback.say(
        f"{len(dedup)} documents{where}, {clusters} clusters, {len(dedup) - clusters} duplicates in {seconds:.2f}s"
    )
    if skipped_known:
        feedback.say(f"skipped {skipped_known} documents already in the store")
    if report.skipped_lines:
        feedback.say(f"skipped {report.skipped_lines} broken JSONL lines")
    if report.skipped_files:
        feedback.say(f"skipped {report.skipped_files} files (binary, damaged or manifests; see the warnings)")
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
