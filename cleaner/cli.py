"""The command line: parses arguments into options and hands them to :mod:`cleaner.commands`.

No logic lives here beyond turning flags into options, errors into exit codes, and signals into
a clean stop.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from cleaner import __version__
from cleaner.commands.clean import CleanOptions, WriteMode, run_clean
from cleaner.commands.common import ExitCode
from cleaner.commands.dedup import DedupOptions, run_dedup
from cleaner.commands.index import IndexOptions, ManifestFormat, run_index
from cleaner.commands.rules import run_rule_tests, run_rules
from cleaner.config import Config, available_cores, load_config, parse_jobs
from cleaner.dedup import DEFAULT_CONTAINMENT, DEFAULT_NGRAM, DEFAULT_NUM_PERM, DEFAULT_THRESHOLD
from cleaner.engines import check_engine
from cleaner.errors import CleanerError
from cleaner.settings import Settings

# The arguments and options that `clean` and `dedup` share, declared once.
Paths = Annotated[
    list[str],
    typer.Argument(help="Files or directories (.txt .text .md .jsonl .jsonl.gz .jsonl.zst); - reads JSONL from stdin."),
]
TextKey = Annotated[str, typer.Option("--text-key", help="JSONL field holding the text.")]
IdKey = Annotated[str, typer.Option("--id-key", help="JSONL field holding the id.")]
SkipBad = Annotated[
    bool,
    typer.Option("--skip-bad", help="Skip and count broken JSONL lines and damaged UTF-16/32 files; do not stop."),
]
Select = Annotated[
    str | None, typer.Option("--select", help="Only these rule codes or prefixes, comma-separated (e.g. BP,WS001).")
]
Ignore = Annotated[str | None, typer.Option("--ignore", help="Not these rule codes or prefixes, comma-separated.")]
Jobs = Annotated[
    str | None,
    typer.Option(
        "--jobs",
        "-j",
        help="Worker processes, or auto (the cores there are); the output is the same for any number. "
        "Default: [tool.cleaner] jobs, else auto.",
    ),
]
RuleDirs = Annotated[
    list[str] | None,
    typer.Option(
        "--rules",
        help="A folder of local rule files (codes LC001, ...) added to the shipped rules; repeatable. "
        "Default: [tool.cleaner] rules.",
    ),
]
Progress = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal)."),
]
Threshold = Annotated[float, typer.Option("--threshold", help="Estimated Jaccard that makes two documents copies.")]
Containment = Annotated[
    float,
    typer.Option("--containment", help="Estimated containment of the shorter in the longer that makes copies."),
]
NumPerm = Annotated[int, typer.Option("--num-perm", help="MinHash permutations.")]
Ngram = Annotated[int, typer.Option("--ngram", help="Words per shingle.")]
Keep = Annotated[str, typer.Option("--keep", help="Which document of a cluster is kept: longest or first.")]
Engine = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where the work runs: local (this machine's processes) or dask (a Dask cluster; same output). "
        "Default: [tool.cleaner] engine, else local.",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: the scheduler's address (tcp://host:8786), or local:N to start N local "
        "workers. Default: [tool.cleaner] scheduler, else local:<cores>.",
    ),
]

DEDUP_EXIT_CODES = "Exit codes: 0 done; 2 usage or input error; 123 internal error."
INDEX_EXIT_CODES = """Exit codes: 0 up to date or written; 1 out of date (with --check), or rewritten (with
--exit-non-zero-on-fix); 2 usage or input error; 123 internal error."""
EXIT_CODES = """Exit codes: 0 nothing to do or done; 1 would change (with --check or --diff);
2 usage or input error; 123 internal error."""

app = typer.Typer(
    name="cleaner",
    help="Clean scraped news and web text; every edit is explained.\n\n" + EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in (value or "").split(",") if c.strip())


def _rule_choice(config: Config, select: str | None, ignore: str | None, rules: list[str] | None) -> dict[str, Any]:
    """select, ignore and rule_dirs for :class:`Settings`: the command line's, else ``[tool.cleaner]``'s."""
    return {
        "select": _codes(select) if select is not None else config.select or (),
        "ignore": _codes(ignore) if ignore is not None else config.ignore or (),
        "rule_dirs": tuple(rules) if rules else config.rules,
    }


def _dedup_settings(
    config: Config,
    threshold: float,
    containment: float,
    num_perm: int,
    ngram: int,
    keep: str,
    select: str | None,
    ignore: str | None,
    rules: list[str] | None,
) -> Settings:
    """The settings of ``dedup`` and ``index``: the rule choice and the near-duplicate parameters."""
    return Settings(
        threshold=threshold,
        containment=containment,
        num_perm=num_perm,
        ngram=ngram,
        keep=keep,
        **_rule_choice(config, select, ignore, rules),
    )


def _jobs(config: Config, jobs: str | None) -> int:
    """The number of workers: the command line's, else ``[tool.cleaner]``'s, else the cores there are."""
    if jobs is not None:
        return parse_jobs(int(jobs) if jobs.isdigit() else jobs, "--jobs")
    return config.jobs or available_cores()


def _engine(config: Config, engine: str | None, scheduler: str | None) -> dict[str, Any]:
    """engine and scheduler for the options: the command line's, else ``[tool.cleaner]``'s."""
    if engine is not None:
        chosen = check_engine(engine)
    else:
        chosen = check_engine(config.engine, f"{config.path}: [tool.cleaner] engine") if config.engine else "local"
    return {"engine": chosen, "scheduler": scheduler if scheduler is not None else config.scheduler}


class Terminated(KeyboardInterrupt):
    """SIGTERM (what ``timeout``, systemd and schedulers send), raised where the program is, as Ctrl-C is.

    A subclass of ``KeyboardInterrupt``, so that every ``with`` block that removes temporary files
    and stops workers on Ctrl-C does the same on SIGTERM.
    """


#: The signal that stopped the run, if one did.
_signalled: int | None = None


def _on_signal(signum: int, frame: object) -> None:
    global _signalled
    _signalled = signum
    # a second signal must not break off the clean-up the first one started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM stop the run cleanly (exit 130, 143); a file over ``ulimit -f`` is an error, not a kill."""
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG, which we report


def _interrupted(terminated: bool) -> NoReturn:
    word, code = ("terminated", 143) if terminated else ("interrupted", 130)
    typer.echo(f"{word}: outputs not completed were not written", err=True)
    if _signalled is not None:
        # a real signal: the clean-up is done (temporary files removed, workers reaped); leave
        # now, without the exit hooks of the stopped pool, whose manager may wake on a closed
        # pipe and print a traceback after the run has ended cleanly
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code) from None


#: Errors of the place written to, not of the program: no space, over quota, a file too large.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _guard(job: Callable[[], int]) -> None:
    """Run a job: a user's error is one line and exit 2; a bug is a traceback and exit 123."""
    try:
        code = job()
    except CleanerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ExitCode.USAGE_OR_INPUT) from None
    except KeyboardInterrupt as exc:
        _interrupted(isinstance(exc, Terminated))
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(ExitCode.OK) from None
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        # writing to stdout or stderr failed (our files report their own): a full disk, a quota
        _quiet_stdout()
        typer.echo(f"error: cannot write the output: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitCode.USAGE_OR_INPUT) from None
    except Exception:
        if _signalled is not None:
            # a library turned the interruption into an error of its own (langdetect reports
            # Ctrl-C during its profile loading as "Profile format error")
            _interrupted(_signalled == signal.SIGTERM)
        traceback.print_exc()
        typer.echo("internal error: please report this with the traceback above", err=True)
        raise typer.Exit(ExitCode.INTERNAL) from None
    raise typer.Exit(code)


RepeatsStore = Annotated[
    Path | None,
    typer.Option(
        "--repeats-store",
        help="Keep the table of repeated lines (CE001) in this file across runs: read it first, add this "
        "run's pages, write it back (not with --check or --diff). Hashes only, no text.",
    ),
]


@app.command(help="Clean documents: repair text and strip boilerplate.\n\n" + EXIT_CODES)
def clean(
    paths: Paths,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="A directory (same layout as the input), a .jsonl[.gz|.zst] file, or - for JSONL on stdout.",
        ),
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite the input files.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if anything would change.")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff; exit 1 if anything would change.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print every edit: document, line, rule, what was removed or inserted.")
    ] = False,
    select: Select = None,
    ignore: Ignore = None,
    rules: RuleDirs = None,
    jobs: Jobs = None,
    text_key: TextKey = "text",
    id_key: IdKey = "id",
    skip_bad: SkipBad = False,
    progress: Progress = None,
    exit_non_zero_on_fix: Annotated[
        bool,
        typer.Option(
            "--exit-non-zero-on-fix",
            help="With --in-place or -o: exit 1 when a document was changed (for pre-commit hooks).",
        ),
    ] = False,
    repeats: Annotated[
        bool,
        typer.Option(
            "--repeats/--no-repeats",
            help="Corpus evidence: a first pass counts the lines each site repeats, and rule CE001 removes "
            "those seen on many of its pages (not for stdin, which cannot be read twice).",
        ),
    ] = True,
    repeats_store: RepeatsStore = None,
    engine: Engine = None,
    scheduler: Scheduler = None,
) -> None:
    """`cleaner clean`: the command line of :func:`cleaner.commands.clean.run_clean`."""
    chosen = [
        name
        for name, on in (("-o", output is not None), ("--in-place", in_place), ("--check", check), ("--diff", diff))
        if on
    ]
    if len(chosen) > 1:
        typer.echo(f"error: {' and '.join(chosen)} cannot be combined", err=True)
        raise typer.Exit(ExitCode.USAGE_OR_INPUT)
    mode = (
        WriteMode.OUTPUT
        if output is not None
        else WriteMode.IN_PLACE
        if in_place
        else WriteMode.CHECK
        if check
        else WriteMode.DIFF
        if diff
        else WriteMode.SUMMARY
    )

    def job() -> int:
        config = load_config()
        options = CleanOptions(
            paths=paths,
            mode=mode,
            output=output,
            explain=explain,
            settings=Settings(**_rule_choice(config, select, ignore, rules)),
            jobs=_jobs(config, jobs),
            text_key=text_key,
            id_key=id_key,
            skip_bad=skip_bad,
            progress=progress,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            repeats=repeats,
            repeats_store=repeats_store,
            **_engine(config, engine, scheduler),
        )
        return run_clean(options)

    _guard(job)


@app.command(help="Find near-duplicate stories: clean, sign, cluster; one verdict per document.\n\n" + DEDUP_EXIT_CODES)
def dedup(
    paths: Paths,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="JSONL verdicts {id, cluster, keep, similarity, containment}; - for stdout."
        ),
    ] = None,
    threshold: Threshold = DEFAULT_THRESHOLD,
    containment: Containment = DEFAULT_CONTAINMENT,
    num_perm: NumPerm = DEFAULT_NUM_PERM,
    ngram: Ngram = DEFAULT_NGRAM,
    keep: Keep = "longest",
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            "--index",
            help="An .npz store of signatures: read if it exists, then updated with this run (--index: the old name).",
        ),
    ] = None,
    select: Select = None,
    ignore: Ignore = None,
    rules: RuleDirs = None,
    jobs: Jobs = None,
    write_kept: Annotated[
        str | None,
        typer.Option("--write-kept", help="Write the kept cleaned documents: a directory or a .jsonl[.gz|.zst] file."),
    ] = None,
    text_key: TextKey = "text",
    id_key: IdKey = "id",
    skip_bad: SkipBad = False,
    engine: Engine = None,
    scheduler: Scheduler = None,
) -> None:
    """`cleaner dedup`: the command line of :func:`cleaner.commands.dedup.run_dedup`."""

    def job() -> int:
        config = load_config()
        options = DedupOptions(
            paths=paths,
            output=output,
            settings=_dedup_settings(config, threshold, containment, num_perm, ngram, keep, select, ignore, rules),
            store=store,
            jobs=_jobs(config, jobs),
            write_kept=write_kept,
            text_key=text_key,
            id_key=id_key,
            skip_bad=skip_bad,
            **_engine(config, engine, scheduler),
        )
        return run_dedup(options)

    _guard(job)


@app.command(
    help="Write the manifest of a corpus: every document's language, words, hash, edits and duplicate cluster; "
    "nothing else is written.\n\n" + INDEX_EXIT_CODES
)
def index(
    paths: Paths,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="The manifest file (default: INDEX.md, or INDEX.json, at the root of the repository holding "
            "the corpus); - for stdout.",
        ),
    ] = None,
    fmt: Annotated[ManifestFormat, typer.Option("--format", help="Markdown table or JSON.")] = ManifestFormat.MD,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the manifest on disk is out of date.")
    ] = False,
    exit_non_zero_on_fix: Annotated[
        bool,
        typer.Option("--exit-non-zero-on-fix", help="Exit 1 when the manifest was rewritten (for pre-commit hooks)."),
    ] = False,
    tracked: Annotated[
        bool,
        typer.Option(
            "--tracked", help="Only the files git tracks or has staged: what a commit holds (for pre-commit hooks)."
        ),
    ] = False,
    select: Select = None,
    ignore: Ignore = None,
    threshold: Threshold = DEFAULT_THRESHOLD,
    containment: Containment = DEFAULT_CONTAINMENT,
    num_perm: NumPerm = DEFAULT_NUM_PERM,
    ngram: Ngram = DEFAULT_NGRAM,
    keep: Keep = "longest",
    rules: RuleDirs = None,
    jobs: Jobs = None,
    text_key: TextKey = "text",
    skip_bad: SkipBad = False,
    progress: Progress = None,
    repeats_store: RepeatsStore = None,
    engine: Engine = None,
    scheduler: Scheduler = None,
) -> None:
    """`cleaner index`: the command line of :func:`cleaner.commands.index.run_index`."""

    def job() -> int:
        config = load_config()
        settings = _dedup_settings(config, threshold, containment, num_perm, ngram, keep, select, ignore, rules)
        options = IndexOptions(
            paths=paths,
            output=output,
            fmt=fmt,
            check=check,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            tracked=tracked,
            settings=settings,
            jobs=_jobs(config, jobs),
            text_key=text_key,
            skip_bad=skip_bad,
            progress=progress,
            repeats_store=repeats_store,
            **_engine(config, engine, scheduler),
        )
        return run_index(options)

    _guard(job)


@app.command(help="List the rules, or print one rule's page (what it does, why, examples).")
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code or slug.")] = None,
    rules: RuleDirs = None,
    test: Annotated[
        list[str] | None,
        typer.Option(
            "--test",
            help="Run the examples and negatives of the rules in this folder (local rules, LC001, ...); "
            "exit 1 if one fails. Repeatable.",
        ),
    ] = None,
) -> None:
    """`cleaner rules`: the command line of :mod:`cleaner.commands.rules`."""

    def job() -> int:
        config = load_config()
        if test:
            return run_rule_tests(tuple(test), tuple(rules or config.rules))
        return run_rules(code, tuple(rules) if rules else config.rules)

    _guard(job)


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit(ExitCode.OK)


def main() -> None:
    """The ``cleaner`` console script."""
    install_signal_handlers()
    # typer reports its own usage errors with exit 2, as our contract says
    app(prog_name="cleaner")
    sys.exit(0)
