"""``cleaner index``: clean every document in memory, find its language and its copies, write the manifest.

Nothing but the manifest is written.  Documents stream through the cleaner (any ``--jobs``, results
in input order); what stays in memory per document is its row and its MinHash signature (about
0.6 kB), never its text.  Rows are then sorted by path and clustered in that order, so the
manifest depends on the corpus and the settings only: not on ``--jobs``, not on the order of the
arguments, not on where the corpus lies on disk (paths are relative to the manifest's folder).
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from cleaner import __version__
from cleaner.commands.common import ExitCode, Feedback, Verbosity, corpus_table, per_file_line, save_table
from cleaner.dedup import Deduplicator, Signature
from cleaner.document import Document
from cleaner.errors import InputError
from cleaner.io.discover import ReadReport, is_url, plan_inputs, tracked
from cleaner.io.readers import read_documents
from cleaner.io.writers import atomic_file, check_output_file
from cleaner.manifest import Entry, Manifest, is_manifest, render_json, render_markdown, title_of
from cleaner.pipeline import clean_stream
from cleaner.ruleset.model import FlagRule
from cleaner.settings import Settings

#: How many lines of the difference ``--check`` shows.
DIFF_LINES = 40


class ManifestFormat(enum.StrEnum):
    """The two forms of the manifest."""

    MD = "md"
    JSON = "json"

    @property
    def default_name(self) -> str:
        """The file name used when ``-o`` is not given."""
        return "INDEX.md" if self is ManifestFormat.MD else "INDEX.json"


@dataclass
class IndexOptions:
    """Everything ``cleaner index`` was asked to do."""

    paths: list[str]
    output: str | None = None  # None: INDEX.md at the root of the repository holding the corpus
    fmt: ManifestFormat = ManifestFormat.MD
    check: bool = False
    exit_non_zero_on_fix: bool = False
    tracked: bool = False  # only the files git tracks or has staged (what a commit holds)
    settings: Settings = field(default_factory=Settings)
    jobs: int = 1
    text_key: str = "text"
    skip_bad: bool = False
    progress: bool | None = None  # None: when stderr is a terminal
    repeats_store: Path | None = None  # the table of repeated lines kept across runs
    verbosity: Verbosity = Verbosity.NORMAL
    engine: str = "local"  # or "dask" (cleaner.engines.dask)
    scheduler: str | None = None  # the Dask scheduler's address, or local:N


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder, or a file in a worktree)."""
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def default_target(paths: list[str], fmt: ManifestFormat) -> Path:
    """``INDEX.md`` (or ``INDEX.json``) at the root of the repository holding the paths, else here.

    ``InputError`` when the paths lie in different repositories, or one is stdin: then no place
    is the obvious one, and ``-o`` must say.
    """
    if "-" in paths:
        raise InputError("a manifest of documents read from stdin needs -o (a file, or - for stdout)")
    if any(is_url(p) for p in paths):
        raise InputError("a manifest of documents read from a URL needs -o (a file, or - for stdout)")
    roots = {repository_root(Path(p).absolute()) or Path.cwd() for p in paths}
    if len(roots) > 1:
        raise InputError(f"the paths lie in different repositories ({', '.join(sorted(map(str, roots)))}); use -o")
    return roots.pop() / fmt.default_name


@dataclass
class _Row:
    """What is kept of one cleaned document until the corpus has been read."""

    key: tuple[tuple[str, ...], int]
    entry: Entry  # its cluster is filled in once the whole corpus is read
    signature: Signature
    size: int
    length: int


def document_path(doc: Document, base: Path) -> tuple[str, tuple[tuple[str, ...], int]]:
    """A document's path in the manifest, relative to ``base`` (``file:line`` for a JSONL record), and its sort key.

    A file name that is not UTF-8 shows its bytes escaped (``caf\\xe9.txt``): a manifest is text.
    """
    where, number = (doc.path or "<stdin>"), doc.line
    rel = where if not doc.path or is_url(where) else Path(os.path.relpath(os.path.abspath(where), base)).as_posix()
    rel = os.fsencode(rel).decode("utf-8", errors="backslashreplace")
    shown = f"{rel}:{number}" if doc.fmt == "jsonl" else rel
    return shown, (tuple(rel.split("/")), number)


def manifest_entry(doc: Document, path: str, flag_rules: Iterable[FlagRule]) -> Entry:
    """A cleaned document's row, its cluster not yet known (both engines make rows with this)."""
    return Entry(
        path,
        title_of(doc.text),
        str(doc.metadata.get("lang", "und")),
        round(float(doc.metadata.get("lang_prob", 0.0)), 4),
        len(doc.text.split()),
        hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        dict(sorted(Counter(e.code for e in doc.edits).items())),
        cluster=0,
        duplicate_of=None,
        # True only: None (not looked for, another language) and False are no flag
        flags=tuple(f.code for f in flag_rules if doc.metadata.get(f.function) is True),
    )


def build_manifest(
    docs: Iterable[Document],
    settings: Settings,
    base: Path,
    report: ReadReport | None = None,
) -> Manifest:
    """The manifest of cleaned documents: rows sorted by path, clusters of copies, the header.

    ``base`` is the folder the paths are made relative to (where the manifest lies).
    """
    ruleset = settings.ruleset()
    flag_rules = ruleset.flags
    dedup = Deduplicator(settings.params, threshold=settings.threshold, containment_threshold=settings.containment)
    rows: list[_Row] = []
    seen: set[str] = set()
    base = Path(os.path.abspath(base))
    for doc in docs:
        path, key = document_path(doc, base)
        if path in seen:
            if report is not None:
                report.warning(f"{path}: named twice, indexed once")
            continue
        seen.add(path)
        signature, size = dedup.signer.sign(doc.text)
        entry = manifest_entry(doc, path, flag_rules)
        rows.append(_Row(key, entry, signature, size, len(doc.text)))
    rows.sort(key=lambda r: r.key)
    for r in rows:
        dedup.add_signature(r.entry.path, r.signature, r.size, r.length)
    assignments = dedup.assign(settings.keep)
    numbers: dict[int, int] = {}  # kept document -> cluster number, counted in path order
    entries = []
    for r, a in zip(rows, assignments, strict=True):
        cluster = numbers.setdefault(a.kept, len(numbers) + 1)
        duplicate_of = None if a.keep else rows[a.kept].entry.path
        entries.append(replace(r.entry, cluster=cluster, duplicate_of=duplicate_of))
    used = {code for e in entries for code in e.edits}
    slugs = {rule.code: rule.slug for rule in ruleset.rules if rule.code in used}
    return Manifest(__version__, ruleset.digest, settings, tuple(entries), slugs)


def render(manifest: Manifest, fmt: ManifestFormat) -> str:
    """The manifest in the chosen form."""
    return render_markdown(manifest) if fmt is ManifestFormat.MD else render_json(manifest)


def _existing(target: Path) -> bytes | None:
    """The manifest now at ``target`` (None if there is none); ``InputError`` if another file is there.

    A file that is not a manifest (an input, a README someone wrote) is never overwritten.
    """
    if target.is_dir():
        raise InputError(f"{target}: is a directory; -o takes a file name such as INDEX.md")
    if not target.exists():
        return None
    if not target.is_file():
        raise InputError(f"{target}: not a regular file; to write the manifest to a stream, use -o - and redirect")
    try:
        data = target.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{target}: exists and cannot be read as a manifest: {exc}") from None
    if not is_manifest(text):
        raise InputError(f"{target}: exists and is not a manifest written by cleaner index; choose another -o")
    return data


def run_index(
    options: IndexOptions, out: TextIO | None = None, err: TextIO | None = None, feedback: Feedback | None = None
) -> ExitCode:
    """Run ``cleaner index``; return its exit code.  Raises ``CleanerError`` on bad input.

    ``feedback`` (made from the options when not given) is what the run tells on stderr.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    s = options.settings
    s.check()
    s.ruleset()  # a bad --select fails before anything is read
    if feedback is None:
        feedback = Feedback(err, options.verbosity, err.isatty() if options.progress is None else options.progress)
    report = ReadReport(warn=lambda m: feedback.print(f"warning: {m}"))
    to_stdout = options.output == "-"
    if to_stdout and options.check:
        raise InputError("--check compares with a file; it cannot be combined with -o -")
    paths = tracked(options.paths) if options.tracked else options.paths
    if options.output and not to_stdout:
        target = Path(options.output)
    elif to_stdout:
        try:  # only its folder counts: the paths are relative to it
            target = default_target(options.paths, options.fmt)
        except InputError:
            target = Path.cwd() / options.fmt.default_name
    else:
        target = default_target(options.paths, options.fmt)
    base = target.absolute().parent  # paths are relative to the manifest's folder (the root, for stdout)
    old = None if to_stdout else _existing(target)
    files = plan_inputs(paths, report)
    if not to_stdout and not options.check:
        check_output_file(files, target, "-o" if options.output else "the manifest")

    start = time.perf_counter()
    if options.engine == "dask":
        from cleaner.engines.dask import index_manifest

        table = None
        manifest = index_manifest(files, options, base, err, report)
    else:
        table = corpus_table(
            files, s, options.text_key, skip_bad=options.skip_bad, store=options.repeats_store, feedback=feedback
        )
        with feedback.track("indexing", files, report, per_file_line(feedback)) as tracker:
            docs = read_documents(tracker.reading(files), report, options.text_key, skip_bad=options.skip_bad)
            with closing(clean_stream(docs, s, jobs=options.jobs, repeats=table)) as cleaned:
                manifest = build_manifest(tracker.documents(cleaned), s, base, report)
    text = render(manifest, options.fmt)
    seconds = time.perf_counter() - start
    code = _report_and_write(
        manifest, text, seconds, report, options, target, old, (out if to_stdout else None, feedback)
    )
    if not options.check:  # --check writes nothing; the table goes last, once the manifest is written
        save_table(table, options.repeats_store)
    return code


def _report_and_write(
    manifest: Manifest,
    text: str,
    seconds: float,
    report: ReadReport,
    options: IndexOptions,
    target: Path,
    old: bytes | None,
    streams: tuple[TextIO | None, Feedback],
) -> ExitCode:
    """Print the totals and write the manifest (to ``streams[0]`` when it is stdout; or compare it,
    with --check); the exit code."""
    out, feedback = streams
    err = feedback.err
    t = manifest.totals()
    feedback.say(
        f"{t['documents']} documents, {t['kept']} kept, {t['duplicates']} duplicates, "
        f"{t['edits']} edits in {t['changed']} documents, in {seconds:.2f}s"
    )
    if report.skipped_lines:
        feedback.say(f"skipped {report.skipped_lines} broken JSONL lines")
    if report.skipped_files:
        feedback.say(f"skipped {report.skipped_files} files (binary, damaged or manifests; see the warnings)")
    if out is not None:
        out.write(text)
        out.flush()
        return ExitCode.OK
    data = text.encode("utf-8")
    shown = _shown(target)
    if old == data:
        feedback.say(f"{shown}: up to date")
        return ExitCode.OK
    if options.check:
        _print_difference(old, text, shown, err)
        print(f"{shown}: out of date; the same command without --check updates it", file=err)
        return ExitCode.WOULD_CHANGE
    with atomic_file(target) as f:
        f.write(data)
    feedback.say(f"{shown}: {'written' if old is None else 'updated'}")
    return ExitCode.WOULD_CHANGE if options.exit_non_zero_on_fix else ExitCode.OK


def _shown(target: Path) -> str:
    """``target`` as the user would name it: relative to the current folder when inside it."""
    rel = os.path.relpath(target.absolute())
    return str(target) if rel.startswith("..") else rel


def _print_difference(old: bytes | None, new: str, shown: str, err: TextIO) -> None:
    if old is None:
        print(f"{shown}: does not exist", file=err)
        return
    before = old.decode("utf-8", errors="replace").splitlines(keepends=True)
    diff = list(difflib.unified_diff(before, new.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"))
    for line in diff[:DIFF_LINES]:
        err.write(line if line.endswith("\n") else line + "\n")
    if len(diff) > DIFF_LINES:
        print(f"... {len(diff) - DIFF_LINES} more lines of difference", file=err)
