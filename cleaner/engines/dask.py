"""``--engine dask``: ``clean``, ``dedup`` and ``index`` on a Dask cluster, with the local engine's bytes.

The corpus is cut into units (a JSONL shard each; consecutive small text files together), and each
unit is one task that runs the local code (:mod:`cleaner.engines.tasks`).  Everything between the
units goes through hash shuffles of numpy tables held on the workers (futures, never the client):

- corpus evidence: every unit's (page, line) pairs, routed by line, each pair once (so a page met
  in two shards counts once), counted; the lines repeated enough (all CE001 needs, with their
  counts for its notes) go to every worker;
- clean: one task per unit writes its output files into a staging folder; the client renames
  them into place only when every unit is done;
- dedup: signatures per unit, band keys routed by bucket, candidate pairs verified from the two
  signatures, connected components by large-star/small-star rounds, the keep policy per
  component, one verdict shard per unit (:mod:`cleaner.dedup.banded`);
- index: the same, plus cluster numbers counted in path order, and the manifest rows gathered in
  path order to render the same INDEX.md or JSON.

The tasks of dedup and index write their results into a scratch folder and their futures hold
paths (:mod:`cleaner.engines.spill`), so that a worker holds the task it runs, not the corpus.
With ``--store DIR`` the stored documents are units of their own, first (a row group each), and
the run's documents are added to the store as one part (:mod:`cleaner.dedup.store_folder`).

Workers write into a staging folder beside the output (the scratch folder is inside it, or in
the temporary folder without an output), which must be on a file system the client and the
workers share.  If a task fails or a worker dies for good, the staging folder is
removed and nothing is presented as complete.  Dask reruns the tasks of a worker that died on
another (``distributed.scheduler.allowed-failures``); the tasks are pure, so the result is the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from cleaner import __version__
from cleaner.commands.common import ExitCode
from cleaner.config import available_cores
from cleaner.corpus import Repeats
from cleaner.dedup import Deduplicator, containment, estimate_jaccard
from cleaner.dedup import banded as bd
from cleaner.dedup.banded import Table
from cleaner.dedup.store_folder import StoreFolder, is_folder_store
from cleaner.engines import EngineError
from cleaner.engines import tasks as tk
from cleaner.engines.spill import Scratch
from cleaner.errors import CleanerError, InputError, OutputError
from cleaner.io.discover import InputFile, ReadReport, plan_inputs, shown_path
from cleaner.io.writers import (
    JsonlSink,
    check_outputs,
    check_writable_folder,
    is_jsonl_target,
    replace_all,
    write_error,
)
from cleaner.manifest import Entry, Manifest
from cleaner.settings import Settings

if TYPE_CHECKING:
    from distributed import Client, Future

    from cleaner.commands.clean import CleanOptions
    from cleaner.commands.dedup import DedupOptions
    from cleaner.commands.index import IndexOptions

#: A run of text files becomes one unit up to this many bytes or :data:`UNIT_FILES` files (chosen,
#: not measured: a task of a few seconds' cleaning, so that scheduling costs little against it).
UNIT_BYTES = 8 << 20
UNIT_FILES = 200
#: A bound on the large-star/small-star rounds (each halves the distance to a component's centre;
#: 64 rounds cover any graph of fewer than 2**64 documents).
MAX_STAR_ROUNDS = 64
#: Units per partition of the shuffles (consecutive units; chosen, not measured: a shuffle costs
#: partitions squared small tasks, and a partition holds the signatures of this many shards).
UNITS_PER_PARTITION = 4
#: The name of a verdict shard in ``dedup -o DIR``.
PART = "part-{:05d}.jsonl"
_PART = re.compile(r"part-\d{5}\.jsonl")
EXTRA = 'the dask engine needs the dask extra: pip install "cleaner[dask]"'


@contextlib.contextmanager
def connect(scheduler: str | None) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``; ``local:N`` (or None: one worker a core) starts a LocalCluster.

    ``EngineError`` when dask is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(EXTRA) from None
    spec = scheduler or f"local:{available_cores()}"
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise EngineError(f"--scheduler {spec}: local: takes a number of workers (local:2)")
        # one thread a worker: the cleaner is CPU-bound Python, and threads would share one GIL
        cluster = LocalCluster(
            n_workers=int(count),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster, set_as_default=False) as client:
                yield client
        finally:
            # a worker's heartbeat that meets the closing scheduler logs a traceback: not the user's concern
            logging.getLogger("distributed").setLevel(logging.CRITICAL)
            cluster.close()
        return
    try:
        client = Client(spec, timeout=30, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EngineError(f"--scheduler {spec}: cannot reach the Dask scheduler: {exc}") from None
    with client:
        yield client


@contextlib.contextmanager
def engine_errors() -> Iterator[None]:
    """Failures of the cluster as one-line errors: a worker that died for good, a lost scheduler."""
    from distributed import CancelledError, KilledWorker

    try:
        yield
    except CleanerError:
        raise
    except KilledWorker as exc:
        raise EngineError(
            f"a worker died while running a task, too often to retry ({exc}); nothing was written"
        ) from None
    except (CancelledError, OSError, TimeoutError) as exc:
        raise EngineError(f"the Dask cluster failed ({type(exc).__name__}: {exc}); nothing was written") from None


def units(files: list[InputFile]) -> list[list[InputFile]]:
    """The inputs cut into units of work, in order: a JSONL shard alone, consecutive text files together."""
    out: list[list[InputFile]] = []
    run: list[InputFile] = []
    size = 0
    for f in files:
        if f.kind != "text":
            if run:
                out.append(run)
                run, size = [], 0
            out.append([f])
            continue
        run.append(f)
        with contextlib.suppress(OSError):
            size += f.path.stat().st_size
        if size >= UNIT_BYTES or len(run) >= UNIT_FILES:
            out.append(run)
            run, size = [], 0
    if run:
        out.append(run)
    return out


def refuse_unshared(files: list[InputFile]) -> None:
    """Inputs the workers cannot read: stdin (it cannot be split between them) and a file system that lives in
    this process (fsspec's ``memory://``).  URLs of other file systems go to the workers with their file
    system (``s3://``, ``gs://``, ``simplecache::...``), which each worker opens itself."""
    if any(f.kind == "stdin" for f in files):
        raise InputError("--engine dask reads files (shards); stdin cannot be split between workers")
    for f in files:
        if f.fs is not None and "memory" in _protocols(f.fs):
            raise InputError(
                f"{f.shown}: a memory:// file lives in this process, and the dask engine's workers are other "
                "processes: copy it to a file system they share (a folder, s3://, ...)"
            )


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = getattr(fs, "protocol", ())
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


# --- shuffles -------------------------------------------------------------------------------


def _split(table: Table, how: str, column: str, parts: int, per: int) -> list[Table]:
    """Route rows to ``parts`` partitions: by the unit of a gid column (``per`` consecutive units a
    partition), or by a hash of a key column."""
    if how == "unit":
        dest = bd.unit_of(table[column].astype(np.int64)) // per
    else:
        dest = (bd.mix(table[column]) % np.uint64(max(parts, 1))).astype(np.int64)
    return bd.split(table, dest, parts)


def route(
    scratch: Scratch, parts: Sequence[Future[Any]], how: str, column: str, n_out: int, per: int = 1
) -> list[list[Future[Any]]]:
    """A shuffle: every partition split by ``how`` into ``n_out`` pieces; piece lists per destination.

    The pieces stay where they were made (in the scratch folder, or the worker's memory without
    one) until their destination's task reads them.
    """
    splits = [scratch.submit(_split, p, how, column, n_out, per, many=True) for p in parts]
    return [[scratch.pick(s, j) for s in splits] for j in range(n_out)]


def _concat(*pieces: Table) -> Table:
    return bd.concat(pieces)


def _getitem(obj: Any, name: str) -> Any:
    return getattr(obj, name)


# --- corpus evidence ------------------------------------------------------------------------


def repeats_table(
    scratch: Scratch, work: list[list[InputFile]], settings: Settings, text_key: str, id_key: str, skip_bad: bool
) -> Repeats | None:
    """The table CE001 reads, counted over the whole corpus by the workers (None when CE001 is off).

    Only the lines repeated on enough pages of their site are kept (with their counts, which
    CE001's notes give): the only ones that :func:`~cleaner.corpus.remove_repeats` acts on, so
    cleaning against it gives the local bytes.  The local table prunes lines seen once when it
    passes :data:`~cleaner.corpus.MAX_ENTRIES` entries, an approximation this count does not make:
    the two can differ only past that size.
    """
    rules = settings.ruleset().repeats
    if not rules:
        return None
    min_pages = min(r.min_pages for r in rules)
    pairs = [scratch.submit(tk.evidence_pairs, files, text_key, id_key, skip_bad) for files in work]
    n = max(-(-len(pairs) // UNITS_PER_PARTITION), 1)
    counted = [
        scratch.small(tk.repeated_lines, min_pages, *pieces) for pieces in route(scratch, pairs, "hash", "line", n)
    ]
    table = Repeats()
    for part in scratch.gather(counted):
        table.counts.update(zip(part["line"].tolist(), part["count"].tolist(), strict=True))
    return table


def _table_token(table: Repeats | None) -> str:
    """A name for the table that is the same for the same counts (workers cache one cleaner per name)."""
    if table is None:
        return "none"
    items = np.array(sorted(table.counts.items()), dtype=np.uint64).tobytes()
    return hashlib.sha256(items).hexdigest()


def _broadcast(client: Client, table: Repeats | None) -> tuple[Any, str]:
    """The repeated-lines table sent once to every worker (a future, or None), and its name."""
    shared = client.scatter(table, broadcast=True) if table is not None else None
    return shared, _table_token(table)


@contextlib.contextmanager
def scratch_folder(stage: Path | None) -> Iterator[str]:
    """A new scratch folder for spilled results (:mod:`cleaner.engines.spill`), removed at the end: inside the
    staging folder when there is one, else in the temporary folder (which workers on other machines must share)."""
    try:
        folder = tempfile.mkdtemp(prefix=".cleaner-scratch-", dir=stage)
    except OSError as exc:
        raise write_error(stage or Path(tempfile.gettempdir()), exc) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _print_reports(reports: Sequence[tk.UnitReport], err: TextIO, report: ReadReport) -> None:
    for r in reports:
        for w in r.warnings:
            print(f"warning: {w}", file=err)
        report.skipped_lines += r.skipped_lines
        report.skipped_files += r.skipped_files


def _staging(near: Path) -> Path:
    """A new hidden staging folder beside ``near`` (the output), on the same file system."""
    near.mkdir(parents=True, exist_ok=True)
    try:
        return Path(tempfile.mkdtemp(prefix=".cleaner-stage-", dir=near))
    except OSError as exc:
        raise write_error(near, exc) from None


# --- clean ----------------------------------------------------------------------------------


def run_clean_dask(options: CleanOptions, out: TextIO, err: TextIO) -> ExitCode:
    """``cleaner clean --engine dask``: a summary, ``--check``, or ``-o DIR`` (one output file per input)."""
    from cleaner.commands.clean import Summary, WriteMode, check_output_target

    if options.mode not in (WriteMode.SUMMARY, WriteMode.CHECK, WriteMode.OUTPUT):
        raise InputError(f"--engine dask writes -o DIR, --check or a summary; not --{options.mode.value}")
    if options.mode is WriteMode.OUTPUT and (options.output is None or is_jsonl_target(options.output)):
        raise InputError("--engine dask writes one output shard per input shard: -o takes a folder")
    if options.explain:
        raise InputError("--engine dask does not print --explain (run it locally on the shard of interest)")
    if options.repeats_store is not None:
        raise InputError("--engine dask does not keep a --repeats-store yet")
    check_output_target(options)
    ruleset = options.settings.ruleset()
    slugs = {r.code: r.slug for r in ruleset.rules}
    report = ReadReport(warn=lambda m: print(f"warning: {m}", file=err))
    files = plan_inputs(options.paths, report)
    refuse_unshared(files)
    root = Path(options.output) if options.mode is WriteMode.OUTPUT and options.output else None
    if root is not None:
        check_outputs(files, options.output)
    work = units(files)
    summary = Summary()
    start = time.perf_counter()
    made_root = root is not None and not os.path.lexists(root)
    stage = _staging(root) if root is not None else None
    try:
        with connect(options.scheduler) as client, engine_errors():
            table = (
                repeats_table(
                    Scratch(client, None), work, options.settings, options.text_key, options.id_key, options.skip_bad
                )
                if options.repeats
                else None
            )
            shared, token = _broadcast(client, table)
            futures = [
                client.submit(
                    tk.clean_unit,
                    files_u,
                    str(stage) if stage else None,
                    options.settings,
                    shared,
                    token,
                    options.text_key,
                    options.id_key,
                    options.skip_bad,
                    pure=False,
                )
                for files_u in work
            ]
            results: list[tk.CleanedUnit] = client.gather(futures)
        if root is not None and stage is not None:
            _commit_tree(stage, root, files)
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
            if made_root:
                with contextlib.suppress(OSError):
                    root.rmdir()  # type: ignore[union-attr]  # made_root implies root
        raise
    _print_reports([r.report for r in results], err, report)
    for r in results:
        summary.merge(r.summary)
    summary.seconds = time.perf_counter() - start
    summary_stream = out if options.mode is WriteMode.SUMMARY else err
    for line in summary.lines(slugs):
        print(line, file=summary_stream)
    _print_skipped(report, err)
    if options.mode is WriteMode.CHECK and summary.changed:
        print(f"{summary.changed} documents would change", file=err)
        return ExitCode.WOULD_CHANGE
    if options.exit_non_zero_on_fix and root is not None and summary.changed:
        return ExitCode.WOULD_CHANGE
    return ExitCode.OK


def _print_skipped(report: ReadReport, err: TextIO) -> None:
    if report.skipped_lines:
        print(f"skipped {report.skipped_lines} broken JSONL lines", file=err)
    if report.skipped_files:
        print(f"skipped {report.skipped_files} files (binary, damaged or manifests; see the warnings)", file=err)


def _commit_tree(stage: Path, root: Path, files: list[InputFile]) -> None:
    """Rename every staged output into place (the files of every unit, all done), then drop the staging folder."""
    staged = [(stage / f.rel, root / f.rel) for f in files if (stage / f.rel).is_file()]
    try:
        for _src, dst in staged:
            try:
                dst.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"{shown_path(dst.parent)}: cannot make the folder: {exc.strerror or exc}") from None
        replace_all(staged, [])
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# --- dedup and index: the banded plan --------------------------------------------------------


def _bands(table: Table, ranges: list[tuple[int, int]]) -> Table:
    return bd.band_rows(table, ranges)


def _group_table(*signed: tk.SignedUnit) -> Table:
    """The tables of consecutive units as one (still in gid order)."""
    return bd.concat([s.table for s in signed])


def _candidates(*pieces: Table) -> Table:
    return bd.bucket_pairs(bd.concat(pieces))


def _attach_a(t: Table, *pieces: Table) -> Table:
    pairs = bd.unique_pairs(bd.concat(pieces, {"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64)}))
    rows = bd.lookup(t, pairs["a"])
    return {**pairs, "sig_a": t["sig"][rows], "size_a": t["size"][rows]}


def _verify(t: Table, settings: Settings, *pieces: Table) -> Table:
    perms = t["sig"].shape[1]
    like: Table = {
        "a": np.zeros(0, np.int64),
        "b": np.zeros(0, np.int64),
        "sig_a": np.zeros((0, perms), np.uint32),
        "size_a": np.zeros(0, np.int64),
    }
    pairs = bd.concat(pieces, like)
    rows = bd.lookup(t, pairs["b"])
    pairs = {**pairs, "sig_b": t["sig"][rows], "size_b": t["size"][rows]}
    return bd.verify_pairs(pairs, _deduplicator(settings))


def _deduplicator(settings: Settings) -> Deduplicator:
    return Deduplicator(settings.params, threshold=settings.threshold, containment_threshold=settings.containment)


def _directed(edges: Table) -> Table:
    return bd.directed(edges)


def _star(large: bool, *pieces: Table) -> tuple[Table, bool]:
    """One step on the rows routed here, and whether they were stars already (each spilled on its own)."""
    rows = bd.concat(pieces, {"u": np.zeros(0, np.int64), "v": np.zeros(0, np.int64)})
    return bd.star_step(rows, large), bd.is_star_forest(rows) if large else False


def _members(edges: Table) -> Table:
    """Star edges (centre, member) as rows (centre, gid) for every member, the centre included."""
    return {"centre": np.concatenate([edges["a"], edges["a"]]), "gid": np.concatenate([edges["b"], edges["a"]])}


def _with_length(t: Table, *pieces: Table) -> Table:
    rows = bd.concat(pieces, {"centre": np.zeros(0, np.int64), "gid": np.zeros(0, np.int64)})
    return {**rows, "length": t["length"][bd.lookup(t, rows["gid"])]}


def _choose(keep: str, *pieces: Table) -> Table:
    like = {"centre": np.zeros(0, np.int64), "gid": np.zeros(0, np.int64), "length": np.zeros(0, np.int64)}
    return bd.choose_kept(bd.concat(pieces, like), keep)


def _kept_info(t: Table, *pieces: Table) -> Table:
    rows = bd.concat(pieces, _empty_members())
    at = bd.lookup(t, rows["kept"])
    return {**rows, "kept_id": t["id"][at], "kept_sig": t["sig"][at], "kept_size": t["size"][at]}


def _empty_members() -> Table:
    return {"gid": np.zeros(0, np.int64), "centre": np.zeros(0, np.int64), "kept": np.zeros(0, np.int64)}


def _final(t: Table, *pieces: Table) -> Table:
    """This partition's members of clusters: kept document, its id, and the rounded similarity and containment
    to it, in gid order."""
    perms = t["sig"].shape[1]
    like: Table = {
        **_empty_members(),
        "kept_id": np.zeros(0, dtype=object),
        "kept_sig": np.zeros((0, perms), np.uint32),
        "kept_size": np.zeros(0, np.int64),
    }
    rows = bd.concat(pieces, like)
    order = np.argsort(rows["gid"], kind="stable")
    rows = bd.take(rows, order)
    at = bd.lookup(t, rows["gid"])
    sim = np.ones(len(at))
    cont = np.ones(len(at))
    for k, i in enumerate(at.tolist()):
        if rows["kept"][k] == rows["gid"][k]:
            continue
        size, kept_size = int(t["size"][i]), int(rows["kept_size"][k])
        if size == 0 or kept_size == 0:
            jac, con = 0.0, 0.0
        else:
            jac = estimate_jaccard(t["sig"][i], rows["kept_sig"][k])
            small, large = sorted((size, kept_size))
            con = containment(jac, small, large)
        sim[k], cont[k] = round(jac, 4), round(con, 4)
    return {
        "gid": rows["gid"],
        "centre": rows["centre"],
        "kept": rows["kept"],
        "kept_id": rows["kept_id"],
        "similarity": sim,
        "containment": cont,
    }


def _id_rows(signed: tk.SignedUnit) -> Table:
    t = signed.table
    ids = t["id"]
    digests = t["hash"] if "hash" in t else np.full(len(ids), "", dtype=object)
    return {"h": tk.text_hashes(ids.tolist()), "id": ids, "gid": t["gid"], "hash": digests}


def _duplicate_ids(*pieces: Table) -> list[tuple[str, list[int], list[str]]]:
    """The ids met more than once among the rows routed here: each with its gids (in order) and text hashes."""
    like = {
        "h": np.zeros(0, np.uint64),
        "id": np.zeros(0, object),
        "gid": np.zeros(0, np.int64),
        "hash": np.zeros(0, object),
    }
    rows = bd.concat(pieces, like)
    found: dict[str, list[tuple[int, str]]] = {}
    for doc_id, gid, digest in zip(rows["id"].tolist(), rows["gid"].tolist(), rows["hash"].tolist(), strict=True):
        found.setdefault(doc_id, []).append((gid, digest))
    return [(k, [g for g, _ in sorted(v)], [d for _, d in sorted(v)]) for k, v in found.items() if len(v) > 1]


def check_ids(scratch: Scratch, signed: list[Future[Any]], stored: int, store: str | None) -> dict[int, list[int]]:
    """The documents to leave out because the store has them (same id, same text), by unit; ``InputError`` for
    an id met twice in the inputs, or in the store with another text (as the local run fails on the first of
    them in input order).  Ids are routed by their hash and met there; units below ``stored`` are the store's.
    """
    n = max(-(-len(signed) // UNITS_PER_PARTITION), 1)
    rows = [scratch.submit(_id_rows, x) for x in signed]
    found = scratch.gather([scratch.small(_duplicate_ids, *p) for p in route(scratch, rows, "hash", "h", n)])
    skip: dict[int, list[int]] = {}
    errors: list[tuple[int, str, int]] = []  # (the offending document, its id, the one it clashes with)
    for part in found:
        for doc_id, gids, digests in part:
            new = [k for k, g in enumerate(gids) if g >> bd.POSITION_BITS >= stored]
            if not new:  # two stored documents: not this run's to judge (a store never holds them)
                continue
            if len(new) > 1:
                errors.append((gids[new[1]], doc_id, gids[new[0]]))
            elif new[0] > 0 and digests[0] != digests[new[0]]:  # gids[0] is in the store
                errors.append((gids[new[0]], doc_id, -1))
            else:
                g = gids[new[0]]
                skip.setdefault(g >> bd.POSITION_BITS, []).append(g)
    if errors:
        gid, doc_id, other = min(errors)
        where = scratch.gather(
            [scratch.small(_source, signed[g >> bd.POSITION_BITS], g) for g in (gid, other) if g >= 0]
        )
        if other < 0:
            raise InputError(
                f"{where[0]}: id {doc_id!r} is in the store {store} for another text; "
                "a store cannot replace a document: give it a new id, or build a new store"
            )
        raise InputError(
            f"{where[0]}: id {doc_id!r} is also the id of {where[1]}; ids must be unique "
            f"(--id-key names the field; records without one are known by file and line)"
        )
    return skip


def _drop(signed: tk.SignedUnit, gids: list[int]) -> tk.SignedUnit:
    """The unit without the documents ``gids`` (their positions stay: ``sources`` is indexed by them)."""
    keep = ~np.isin(signed.table["gid"], np.array(gids, dtype=np.int64))
    return replace(signed, table=bd.take(signed.table, keep))


def _store_rows(signed: tk.SignedUnit) -> tuple[Table, list[str]]:
    """A unit's documents as a store keeps them, with their sources."""
    t = signed.table
    positions = (t["gid"] & ((1 << bd.POSITION_BITS) - 1)).tolist()
    return {k: t[k] for k in ("id", "hash", "sig", "size", "length")}, [signed.sources[i] for i in positions]


def _source(signed: tk.SignedUnit, gid: int) -> str:
    return signed.sources[gid & ((1 << bd.POSITION_BITS) - 1)]


def _count(signed: tk.SignedUnit) -> int:
    return len(signed.table["gid"])


class Plan:
    """The banded dedup plan over signed units, on one client: stages as futures, gathered only when small."""

    def __init__(self, scratch: Scratch, signed: list[Future[Any]], settings: Settings) -> None:
        self.scratch = scratch
        self.client = scratch.client
        self.signed = signed
        self.settings = settings
        self.per = UNITS_PER_PARTITION
        #: the tables of ``per`` consecutive units: the partitions every stage works on
        self.tables = [self.submit(_group_table, *signed[i : i + self.per]) for i in range(0, len(signed), self.per)]
        self.n = max(len(self.tables), 1)

    def table_of(self, unit: int) -> Future[Any]:
        """The partition that holds ``unit``."""
        return self.tables[unit // self.per]

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """One task, its result in the scratch folder."""
        return self.scratch.submit(fn, *args)

    def by_unit(self, parts: Sequence[Future[Any]], column: str) -> list[list[Future[Any]]]:
        """Rows routed to the partition that holds the document of ``column``."""
        return route(self.scratch, parts, "unit", column, len(self.tables), self.per)

    def by_hash(self, parts: Sequence[Future[Any]], column: str) -> list[list[Future[Any]]]:
        """Rows routed by a hash of ``column``."""
        return route(self.scratch, parts, "hash", column, self.n)

    def clusters(self) -> list[Future[Any]]:
        """Per partition: the table of its documents that are in a cluster of copies (see :func:`_final`)."""
        if not self.signed:
            return []
        ranges = bd.band_ranges(_deduplicator(self.settings))
        tables = self.tables
        bands = [self.submit(_bands, t, ranges) for t in tables]
        pairs = [self.submit(_candidates, *p) for p in self.by_hash(bands, "key")]
        with_a = [self.submit(_attach_a, t, *p) for t, p in zip(tables, self.by_unit(pairs, "a"), strict=True)]
        edges = [
            self.submit(_verify, t, self.settings, *p) for t, p in zip(tables, self.by_unit(with_a, "b"), strict=True)
        ]
        stars = self.components(edges)
        members = [self.submit(_members, e) for e in stars]
        lengths = [self.submit(_with_length, t, *p) for t, p in zip(tables, self.by_unit(members, "gid"), strict=True)]
        chosen = [self.submit(_choose, self.settings.keep, *p) for p in self.by_hash(lengths, "centre")]
        info = [self.submit(_kept_info, t, *p) for t, p in zip(tables, self.by_unit(chosen, "kept"), strict=True)]
        return [self.submit(_final, t, *p) for t, p in zip(tables, self.by_unit(info, "gid"), strict=True)]

    def components(self, edges: list[Future[Any]]) -> list[Future[Any]]:
        """Star edges (centre, member) of every component: large-star and small-star until only stars are left."""
        parts = edges
        for _ in range(MAX_STAR_ROUNDS):
            for large in (True, False):
                rows = [self.submit(_directed, e) for e in parts]
                results = [self.scratch.submit(_star, large, *p, many=True) for p in self.by_hash(rows, "u")]
                if large and all(self.scratch.gather([self.scratch.pick(r, 1) for r in results])):
                    return parts  # its input: stars already
                parts = [self.scratch.pick(r, 0) for r in results]
        raise EngineError(f"connected components did not settle in {MAX_STAR_ROUNDS} rounds")


def _check_dedup(options: DedupOptions) -> StoreFolder | None:
    """The store (checked), if any; ``InputError`` for what the dask engine does not do."""
    if options.write_kept is not None:
        raise InputError("--engine dask does not --write-kept yet; run clean on the kept ids")
    if options.store is None:
        return None
    if not is_folder_store(options.store):
        raise InputError(
            f"--store {options.store}: --engine dask keeps its store as a folder of Parquet parts (name a folder); "
            "an .npz store is the local engine's"
        )
    where = Path(options.store).absolute()
    if options.output not in (None, "-"):  # -o DIR/ is not checked by the local engine's _check
        out = Path(str(options.output)).absolute()
        if out == where or where in out.parents or out in where.parents:
            raise OutputError(f"-o and --store name the same place ({shown_path(where)})")
    return StoreFolder.open(where, options.settings)


def run_dedup_dask(options: DedupOptions, err: TextIO) -> ExitCode:
    """``cleaner dedup --engine dask``: the verdicts of the local run, written as one shard per unit.

    ``-o FILE.jsonl`` (or ``-``) streams the shards into one file in order (the local bytes);
    ``-o DIR/`` (a final slash, or a folder that exists) keeps them as ``DIR/part-00000.jsonl``, ... (their
    concatenation is that file).
    """
    from cleaner.commands.dedup import _check

    store = _check_dedup(options)
    report = ReadReport(warn=lambda m: print(f"warning: {m}", file=err))
    # a folder (named with a final slash, or one that exists) takes one verdict shard per unit
    folder = options.output is not None and (options.output.endswith(("/", os.sep)) or Path(options.output).is_dir())
    if folder:
        assert options.output is not None
        options.settings.check()
        files = plan_inputs(options.paths, report)
        out_dir = Path(options.output)
        if os.path.lexists(out_dir) and not out_dir.is_dir():
            raise OutputError(f"-o {shown_path(out_dir)}: exists and is not a folder")
        check_writable_folder(out_dir, f"-o {shown_path(out_dir)}")
    else:
        files = _check(options, report)
    refuse_unshared(files)
    options.settings.ruleset()
    s = options.settings
    work = units(files)
    # the stored documents come first, one unit a row group of a part, as the local run adds them first
    groups = store.groups() if store is not None else []
    count = len(groups) + len(work)
    start = time.perf_counter()
    near = Path(options.output or ".") if folder else Path(options.output or ".").absolute().parent
    if options.output == "-":
        near = Path(tempfile.gettempdir())
    made_dir = folder and not os.path.lexists(near)
    stage = _staging(near) if options.output is not None else None
    part: Path | None = None  # this run's part of the store, staged
    try:
        with scratch_folder(stage) as spill_dir, connect(options.scheduler) as client, engine_errors():
            scratch = Scratch(client, spill_dir)
            # no corpus evidence with a store, as locally: the store keeps signatures, not the table of lines
            table = (
                repeats_table(scratch, work, s, options.text_key, options.id_key, options.skip_bad)
                if store is None
                else None
            )
            shared, token = _broadcast(client, table)
            signed = [scratch.submit(tk.stored_unit, u, g, s.num_perm) for u, g in enumerate(groups)]
            signed += [
                scratch.submit(
                    tk.sign_unit,
                    len(groups) + u,
                    files_u,
                    s,
                    shared,
                    token,
                    options.text_key,
                    options.id_key,
                    options.skip_bad,
                    store is not None,
                )
                for u, files_u in enumerate(work)
            ]
            reports: list[tk.UnitReport] = scratch.gather([scratch.small(_getitem, x, "report") for x in signed])
            skip = check_ids(scratch, signed, len(groups), options.store)
            for u, gids in skip.items():
                signed[u] = scratch.submit(_drop, signed[u], gids)
            counts: list[int] = scratch.gather([scratch.small(_count, x) for x in signed])
            plan = Plan(scratch, signed, s)
            final = plan.clusters()
            duplicates = sum(scratch.gather([scratch.small(_duplicates, f) for f in final]))
            if stage is not None:
                writes = [
                    scratch.small(_write_verdicts, str(stage / PART.format(u)), x, final[u // plan.per])
                    for u, x in enumerate(signed)
                ]
                scratch.gather(writes)
            if store is not None:  # this run's documents, read back one unit at a time
                new = signed[len(groups) :]
                part = store.stage(_store_rows(scratch.gather([x])[0]) for x in new)
        if stage is not None:
            assert options.output is not None
            if folder:
                _commit_parts(stage, Path(options.output), count)
            else:
                _concatenate(stage, count, options.output)
        if part is not None and store is not None:
            store.add(part)  # once the verdicts are in place, as the local run saves its store
    except BaseException:
        if part is not None and store is not None:
            store.discard(part)
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
            if made_dir:
                with contextlib.suppress(OSError):
                    near.rmdir()
        raise
    _print_reports(reports, err, report)
    seconds = time.perf_counter() - start
    total = sum(counts)
    clusters = total - duplicates
    stored = sum(g.rows for g in groups)
    where = f" ({stored} from the store, {total - stored} new)" if store is not None else ""
    print(f"{total} documents{where}, {clusters} clusters, {total - clusters} duplicates in {seconds:.2f}s", file=err)
    skipped = sum(len(g) for g in skip.values())
    if skipped:
        print(f"skipped {skipped} documents already in the store", file=err)
    _print_skipped(report, err)
    return ExitCode.OK


def _duplicates(final: Table) -> int:
    """How many documents of a partition are duplicates (not kept)."""
    return int(np.count_nonzero(final["kept"] != final["gid"]))


def _write_verdicts(path: str, signed: tk.SignedUnit, final: Table) -> int:
    return tk.write_verdicts(path, signed.table, final)


def _commit_parts(stage: Path, out_dir: Path, count: int) -> None:
    """The verdict shards into ``out_dir``, replacing the shards of an earlier run (and only those)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        wanted = {PART.format(u) for u in range(count)}
        for old in out_dir.iterdir():
            if _PART.fullmatch(old.name) and old.name not in wanted:
                old.unlink()
        for u in range(count):
            os.replace(stage / PART.format(u), out_dir / PART.format(u))
    except OSError as exc:
        raise write_error(out_dir, exc) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _concatenate(stage: Path, count: int, output: str) -> None:
    """The verdict shards, in order, into one JSONL file (compressed as its name says) or stdout."""
    try:
        with JsonlSink(output) as sink:
            out = sink._out  # the shards are already JSONL lines: copied, not parsed again
            for u in range(count):
                with open(stage / PART.format(u), "rb") as part:
                    try:
                        shutil.copyfileobj(part, out, 1 << 20)
                    except OSError as exc:
                        if output == "-":
                            raise
                        raise write_error(output, exc) from None
        if output == "-":
            sys.stdout.flush()
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# --- index ----------------------------------------------------------------------------------


def _sort_key(f: InputFile, base: Path) -> tuple[str, ...]:
    rel = Path(os.path.relpath(os.path.abspath(f.path), base)).as_posix()
    rel = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
    return tuple(rel.split("/"))


def _numbering(signed: tk.SignedUnit, final: Table, offset: int) -> Table:
    """Cluster numbers of the unit's first documents of clusters (singletons too), counted in path order from
    ``offset``."""
    g = signed.table["gid"]
    children = final["gid"][final["centre"] != final["gid"]]
    first = ~np.isin(g, children)
    numbers = offset + np.cumsum(first)
    return {"gid": g[first], "number": numbers[first].astype(np.int64)}


def _minima(signed: tk.SignedUnit, final: Table) -> int:
    """How many documents of the unit are first in their cluster (singletons too)."""
    g = signed.table["gid"]
    return len(g) - int(np.count_nonzero(np.isin(g, final["gid"][final["centre"] != final["gid"]])))


def _children(final: Table) -> Table:
    member = final["centre"] != final["gid"]
    return {"gid": final["gid"][member], "centre": final["centre"][member]}


def _centre_numbers(numberings: list[Table], *pieces: Table) -> Table:
    numbering = bd.concat(numberings, {"gid": np.zeros(0, np.int64), "number": np.zeros(0, np.int64)})
    rows = bd.concat(pieces, {"gid": np.zeros(0, np.int64), "centre": np.zeros(0, np.int64)})
    at = bd.lookup(numbering, rows["centre"])
    return {"gid": rows["gid"], "number": numbering["number"][at]}


def _entries(signed: tk.SignedUnit, final: Table, numbering: Table, *pieces: Table) -> list[Entry]:
    """This unit's manifest rows with their cluster and status."""
    numbers = dict(zip(numbering["gid"].tolist(), numbering["number"].tolist(), strict=True))
    for p in pieces:
        numbers.update(zip(p["gid"].tolist(), p["number"].tolist(), strict=True))
    kept = {g: (int(k), str(i)) for g, k, i in zip(final["gid"].tolist(), final["kept"], final["kept_id"], strict=True)}
    out = []
    for gid, entry in zip(signed.table["gid"].tolist(), signed.entries, strict=True):
        k = kept.get(gid)
        duplicate_of = k[1] if k is not None and k[0] != gid else None
        out.append(replace(entry, cluster=int(numbers[gid]), duplicate_of=duplicate_of))
    return out


def index_manifest(
    files: list[InputFile], options: IndexOptions, base: Path, err: TextIO, report: ReadReport
) -> Manifest:
    """``cleaner index --engine dask``: the manifest the local run builds (rows in path order, clusters numbered so).

    The rows are gathered on the client to render one INDEX.md or JSON, about 200 bytes a document.
    """
    if options.repeats_store is not None:
        raise InputError("--engine dask does not keep a --repeats-store yet")
    refuse_unshared(files)
    s = options.settings
    ruleset = s.ruleset()
    base = Path(os.path.abspath(base))
    ordered = sorted(files, key=lambda f: _sort_key(f, base))
    keys = [_sort_key(f, base) for f in ordered]
    if len(set(keys)) != len(keys):
        raise InputError("two inputs have the same path in the manifest; name each once")
    work = units(ordered)
    with scratch_folder(None) as spill_dir, connect(options.scheduler) as client, engine_errors():
        scratch = Scratch(client, spill_dir)
        table = repeats_table(scratch, work, s, options.text_key, "id", options.skip_bad)
        shared, token = _broadcast(client, table)
        signed = [
            scratch.submit(tk.index_unit, u, files_u, s, shared, token, options.text_key, options.skip_bad, str(base))
            for u, files_u in enumerate(work)
        ]
        reports: list[tk.UnitReport] = scratch.gather([scratch.small(_getitem, x, "report") for x in signed])
        plan = Plan(scratch, signed, s)
        final = plan.clusters()
        per = plan.per
        minima = scratch.gather([scratch.small(_minima, x, final[u // per]) for u, x in enumerate(signed)])
        offsets = np.concatenate([[0], np.cumsum(minima)]).astype(int).tolist()
        numbering = [scratch.submit(_numbering, x, final[u // per], offsets[u]) for u, x in enumerate(signed)]
        children = [scratch.submit(_children, f) for f in final]
        numbered = [
            scratch.submit(_centre_numbers, numbering[g * per : (g + 1) * per], *p)
            for g, p in enumerate(plan.by_unit(children, "centre"))
        ]
        to_gid = plan.by_unit(numbered, "gid")
        entries_f = [
            scratch.submit(_entries, x, final[u // per], numbering[u], *to_gid[u // per]) for u, x in enumerate(signed)
        ]
        # read back one unit at a time, in path order (the client renders the manifest from them)
        entries = [e for f in entries_f for e in scratch.gather([f])[0]]
    _print_reports(reports, err, report)
    used = {code for e in entries for code in e.edits}
    slugs = {rule.code: rule.slug for rule in ruleset.rules if rule.code in used}
    return Manifest(__version__, ruleset.digest, s, tuple(entries), slugs)


__all__ = ["connect", "index_manifest", "run_clean_dask", "run_dedup_dask", "units"]
