"""The command line: parses arguments into options and hands them to :mod:`cleaner.commands`.

No logic lives here beyond turning flags into options, errors into exit codes, and signals into
a clean stop.  A command's module is imported when that command runs: ``cleaner --help`` and
``cleaner --version`` load typer and nothing of the cleaner's engine (``bench/startup.py``).
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
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer
from typer.core import TyperCommand

from cleaner.commands.common import ExitCode, Verbosity
from cleaner.errors import CleanerError
from cleaner.io.modes import EditsMode, StdinFormat

if TYPE_CHECKING:
    from typer import _click as click  # the click that typer carries (its Context, HelpFormatter)

    from cleaner.config import Config
    from cleaner.settings import Settings

#: The defaults of :class:`cleaner.settings.Settings` (from :mod:`cleaner.dedup`), written out so
#: that ``--help`` shows them without importing numpy; ``tests/test_cli.py`` checks they agree.
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONTAINMENT = 0.6
DEFAULT_NUM_PERM = 128
DEFAULT_NGRAM = 3


class Command(TyperCommand):
    """A command whose arguments are shown by their placeholder alone (``PATH...``), as options are.

    typer adds an argument's Python type to its row (``paths... <list[str]>``) and braces to the
    usage line (``{paths}...``); a user needs neither.
    """

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """``[OPTIONS] PATH...``: each argument by its placeholder, optional ones in brackets."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The Arguments and Options sections, an argument's row named by its placeholder."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((param.metavar or (param.name or "").upper(), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


# The arguments and options that `clean` and `dedup` share, declared once.
Paths = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH...",
        help="Files, directories or URLs (.txt .text .md; .jsonl and .json, plain or .gz .zst .xz .bz2); "
        "- reads stdin (JSONL or text).",
    ),
]
TextKey = Annotated[str, typer.Option("--text-key", metavar="FIELD", help="JSONL field holding the text.")]
IdKey = Annotated[str, typer.Option("--id-key", metavar="FIELD", help="JSONL field holding the id.")]
SkipBad = Annotated[
    bool,
    typer.Option("--skip-bad", help="Skip and count broken JSONL lines and damaged UTF-16/32 files; do not stop."),
]
Select = Annotated[
    str | None,
    typer.Option(
        "--select", metavar="CODES", help="Only these rule codes or prefixes, comma-separated (e.g. BP,WS001)."
    ),
]
Ignore = Annotated[
    str | None,
    typer.Option("--ignore", metavar="CODES", help="Not these rule codes or prefixes, comma-separated."),
]
Jobs = Annotated[
    str | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        help="Worker processes, or auto (the cores there are); the output is the same for any number. "
        "Default: [tool.cleaner] jobs, else auto.",
    ),
]
RuleDirs = Annotated[
    list[str] | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        help="A folder of local rule files (codes LC001, ...) added to the shipped rules; repeatable. "
        "Default: [tool.cleaner] rules.",
    ),
]
Progress = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Progress bar on stderr (default: when stderr is a terminal)."),
]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bar, no summary, no per-file lines; warnings and errors only."),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="A line for every input file besides the summary.")]
Threshold = Annotated[
    float, typer.Option("--threshold", metavar="X", help="Estimated Jaccard that makes two documents copies.")
]
Containment = Annotated[
    float,
    typer.Option(
        "--containment", metavar="X", help="Estimated containment of the shorter in the longer that makes copies."
    ),
]
NumPerm = Annotated[int, typer.Option("--num-perm", metavar="N", help="MinHash permutations.")]
Ngram = Annotated[int, typer.Option("--ngram", metavar="N", help="Words per shingle.")]
Keep = Annotated[
    str, typer.Option("--keep", metavar="longest|first", help="Which document of a cluster is kept: longest or first.")
]
Engine = Annotated[
    str | None,
    typer.Option(
        "--engine",
        metavar="local|dask",
        help="Where the work runs: local (this machine's processes) or dask (a Dask cluster; same output). "
        "Default: [tool.cleaner] engine, else local.",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler's address (tcp://host:8786), or local:N to start N local "
        "workers. Default: [tool.cleaner] scheduler, else local:N for the cores there are.",
    ),
]

#: The exit codes every command shares, after its own.
STOPPED = "130 Ctrl-C; 143 SIGTERM; 141 stdout closed before the output was complete (| head)."
DEDUP_EXIT_CODES = "Exit codes: 0 done; 2 usage or input error; 123 internal error; " + STOPPED
INDEX_EXIT_CODES = (
    """Exit codes: 0 up to date or written; 1 out of date (with --check), or rewritten (with
--exit-non-zero-on-fix); 2 usage or input error; 123 internal error; """
    + STOPPED
)
REPORT_EXIT_CODES = "Exit codes: 0 written; 2 usage or input error (or plotly missing); 123 internal error; " + STOPPED
EXIT_CODES = (
    """Exit codes: 0 nothing to do or done; 1 would change (with --check or --diff);
2 usage or input error; 123 internal error; """
    + STOPPED
)


def examples(*lines: str) -> str:
    """An epilog of example commands, each kept on its own line (click's ``\\b`` marker)."""
    return "Examples:\n\n\b\n" + "\n".join("  " + line for line in lines)


app = typer.Typer(
    name="cleaner",
    help="Clean scraped news and web text; every edit is explained.\n\n" + EXIT_CODES,
    epilog=examples(
        "cleaner clean corpus/ --diff       # what would change, as a patch",
        "cleaner clean corpus/ -o clean/    # the cleaned corpus, same layout",
        "cleaner dedup corpus/ -o dups.jsonl",
        "cleaner index corpus/              # INDEX.md, the manifest",
        "cleaner rules BP003                # one rule's page",
        "cleaner COMMAND --help             # a command's options and examples",
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _config() -> Config:
    """``[tool.cleaner]`` of the nearest pyproject.toml (read when a command runs, not for --help)."""
    from cleaner.config import load_config

    return load_config()


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
    from cleaner.settings import Settings

    return Settings(
        threshold=threshold,
        containment=containment,
        num_perm=num_perm,
        ngram=ngram,
        keep=keep,
        **_rule_choice(config, select, ignore, rules),
    )


def _verbosity(quiet: bool, verbose: bool, progress: bool | None) -> Verbosity:
    """-q, -v or neither; a contradiction (-q with -v, or with --progress) is a usage error."""
    for name, on in (("-v", verbose), ("--progress", progress)):
        if quiet and on:
            _usage_error(f"-q and {name} cannot be combined")
    return Verbosity.QUIET if quiet else Verbosity.VERBOSE if verbose else Verbosity.NORMAL


def _usage_error(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(ExitCode.USAGE_OR_INPUT)


def _jobs(config: Config, jobs: str | None) -> int:
    """The number of workers: the command line's, else ``[tool.cleaner]``'s, else the cores there are."""
    if jobs is not None:
        from cleaner.config import parse_jobs

        return parse_jobs(int(jobs) if jobs.isdigit() else jobs, "--jobs")
    from cleaner.config import available_cores

    return config.jobs or available_cores()


def _engine(config: Config, engine: str | None, scheduler: str | None) -> dict[str, Any]:
    """engine and scheduler for the options: the command line's, else ``[tool.cleaner]``'s."""
    from cleaner.engines import check_engine

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
    from cleaner.io.writers import stop_later

    if stop_later(lambda: _on_signal(signum, frame)):
        return  # a temporary file is being made: the stop comes as soon as it is recorded
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


#: The exit code when stdout was closed before the output was complete: 128 + SIGPIPE, what a shell
#: shows for a program that SIGPIPE stopped (Python ignores the signal and raises BrokenPipeError).
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE is 13 wherever it exists


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
        sys.stdout.flush()  # a closed pipe shows here, while it can still be reported
    except CleanerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(ExitCode.USAGE_OR_INPUT) from None
    except KeyboardInterrupt as exc:
        _interrupted(isinstance(exc, Terminated))
    except BrokenPipeError:
        # the reader of stdout went away (`| head`): the output is incomplete, so not a success
        # (as the Python docs advise for SIGPIPE: no traceback, a failing exit code; 141 is what
        # a shell shows for a program that SIGPIPE stopped); outputs not completed are not written
        _quiet_stdout()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
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
        metavar="FILE",
        help="Keep the table of repeated lines (CE001) in this file across runs: read it first, add this "
        "run's pages, write it back (not with --check or --diff). Hashes only, no text.",
    ),
]


@app.command(
    cls=Command,
    help="Clean documents: repair text and strip boilerplate.\n\n" + EXIT_CODES,
    epilog=examples(
        "cleaner clean corpus/                 # write nothing; a summary of the edits per rule",
        "cleaner clean corpus/ --explain       # ... and every edit, with its rule and line",
        "cleaner clean corpus/ -o clean/       # one cleaned file per input file",
        "cleaner clean data.jsonl.zst -o out.jsonl",
        "cat data.jsonl | cleaner clean - -o -",
        "cleaner clean corpus/ --check         # exit 1 if anything would change",
        "cleaner clean corpus/ --diff > fix.patch && patch -p0 < fix.patch",
        "cleaner clean corpus/ --in-place      # rewrite the inputs; names the files it changed",
    ),
)
def clean(
    paths: Paths,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="PATH",
            help="A directory (same layout as the input), a .jsonl[.gz|.zst|.xz|.bz2] file, - for JSONL on stdout, "
            "or /dev/null (discard).",
        ),
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite the input files.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if anything would change.")] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print a unified diff (patch -p0 or git apply -p0 applies it); exit 1 if anything would change. "
            "With --check: the same.",
        ),
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
    quiet: Quiet = False,
    verbose: Verbose = False,
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
    stdin_format: Annotated[
        StdinFormat,
        typer.Option(
            "--stdin-format",
            metavar="auto|jsonl|text",
            help="How - is read: JSONL, one plain-text document, or auto (text if its first non-blank line "
            "cannot be JSON, else JSONL); compressed or not.",
        ),
    ] = StdinFormat.AUTO,
    edits: Annotated[
        EditsMode,
        typer.Option(
            "--edits",
            metavar="full|codes|none",
            help='What JSONL output records of the edits under "cleaner": every edit (full), a count per rule '
            "code (codes), or nothing (none).",
        ),
    ] = EditsMode.FULL,
    engine: Engine = None,
    scheduler: Scheduler = None,
) -> None:
    """`cleaner clean`: the command line of :func:`cleaner.commands.clean.run_clean`."""
    from cleaner.commands.clean import CleanOptions, WriteMode, run_clean

    chosen = [
        name
        # --check --diff is --diff (black's reading): the diff printed, exit 1 if anything would change
        for name, on in (
            ("-o", output is not None),
            ("--in-place", in_place),
            ("--check", check and not diff),
            ("--diff", diff),
        )
        if on
    ]
    if len(chosen) > 1:
        _usage_error(f"{' and '.join(chosen)} cannot be combined")
    verbosity = _verbosity(quiet, verbose, progress)
    mode = (
        WriteMode.OUTPUT
        if output is not None
        else WriteMode.IN_PLACE
        if in_place
        else WriteMode.DIFF
        if diff
        else WriteMode.CHECK
        if check
        else WriteMode.SUMMARY
    )

    def job() -> int:
        from cleaner.settings import Settings

        config = _config()
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
            verbosity=verbosity,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            repeats=repeats,
            repeats_store=repeats_store,
            stdin_format=stdin_format.value,
            edits=edits.value,
            **_engine(config, engine, scheduler),
        )
        return run_clean(options)

    _guard(job)


@app.command(
    cls=Command,
    help="Find near-duplicate stories: clean, sign, cluster; one verdict per document.\n\n" + DEDUP_EXIT_CODES,
    epilog=examples(
        "cleaner dedup corpus/ -o dups.jsonl                    # one verdict per document",
        "cleaner dedup new/ -o - --store sigs/                  # compare with (and add to) a store",
        "cleaner dedup data.jsonl --write-kept kept.jsonl -j 2  # one cleaned copy per story",
    ),
)
def dedup(
    paths: Paths,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="JSONL verdicts {id, cluster, keep, similarity, containment}; - for stdout.",
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
            metavar="DIR",
            help="A store of signatures: a folder of Parquet parts, read if it exists, then one part added for this "
            "run (an .npz file: the old single-file store, rewritten; --index: the old name).",
        ),
    ] = None,
    select: Select = None,
    ignore: Ignore = None,
    rules: RuleDirs = None,
    jobs: Jobs = None,
    write_kept: Annotated[
        str | None,
        typer.Option(
            "--write-kept",
            metavar="PATH",
            help="Write the kept cleaned documents: a directory or a .jsonl[.gz|.zst] file.",
        ),
    ] = None,
    text_key: TextKey = "text",
    id_key: IdKey = "id",
    skip_bad: SkipBad = False,
    progress: Progress = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    engine: Engine = None,
    scheduler: Scheduler = None,
) -> None:
    """`cleaner dedup`: the command line of :func:`cleaner.commands.dedup.run_dedup`."""
    verbosity = _verbosity(quiet, verbose, progress)

    def job() -> int:
        from cleaner.commands.dedup import DedupOptions, run_dedup

        config = _config()
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
            progress=progress,
            verbosity=verbosity,
            **_engine(config, engine, scheduler),
        )
        return run_dedup(options)

    _guard(job)


@app.command(
    cls=Command,
    help="Write the manifest of a corpus: every document's language, words, hash, edits and duplicate cluster; "
    "nothing else is written.\n\n" + INDEX_EXIT_CODES,
    epilog=examples(
        "cleaner index seeds                        # INDEX.md at the root of the repository",
        "cleaner index seeds --check                # exit 1 if INDEX.md is out of date (CI)",
        "cleaner index corpus/ -o - --format json   # the same data as JSON, on stdout",
    ),
)
def index(
    paths: Paths,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="The manifest file (default: INDEX.md, or INDEX.json, at the root of the repository holding "
            "the corpus); - for stdout.",
        ),
    ] = None,
    # the values of cleaner.commands.index.ManifestFormat (tests/test_cli.py checks they agree)
    fmt: Annotated[
        Literal["md", "json"], typer.Option("--format", metavar="md|json", help="Markdown table or JSON.")
    ] = "md",
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
    quiet: Quiet = False,
    verbose: Verbose = False,
    repeats_store: RepeatsStore = None,
    engine: Engine = None,
    scheduler: Scheduler = None,
) -> None:
    """`cleaner index`: the command line of :func:`cleaner.commands.index.run_index`."""
    verbosity = _verbosity(quiet, verbose, progress)

    def job() -> int:
        from cleaner.commands.index import IndexOptions, ManifestFormat, run_index

        config = _config()
        settings = _dedup_settings(config, threshold, containment, num_perm, ngram, keep, select, ignore, rules)
        options = IndexOptions(
            paths=paths,
            output=output,
            fmt=ManifestFormat(fmt),
            check=check,
            exit_non_zero_on_fix=exit_non_zero_on_fix,
            tracked=tracked,
            settings=settings,
            jobs=_jobs(config, jobs),
            text_key=text_key,
            skip_bad=skip_bad,
            progress=progress,
            verbosity=verbosity,
            repeats_store=repeats_store,
            **_engine(config, engine, scheduler),
        )
        return run_index(options)

    _guard(job)


@app.command(
    cls=Command,
    help="Draw a manifest as one self-contained HTML page (charts of edits per rule, languages, document "
    "lengths and duplicate cluster sizes; tables of the largest clusters and the flagged documents). "
    "Needs the report extra: pip install 'cleaner[report]'.\n\n" + REPORT_EXIT_CODES,
    epilog=examples(
        "cleaner index corpus/ -o INDEX.json --format json && cleaner report INDEX.json -o report.html",
        "cleaner report INDEX.md -o -            # the page on stdout",
    ),
)
def report(
    manifest: Annotated[
        str,
        typer.Argument(
            metavar="MANIFEST", help="A manifest written by cleaner index: INDEX.md or its --format json form."
        ),
    ],
    output: Annotated[
        str, typer.Option("-o", "--output", metavar="FILE", help="The HTML file to write; - for stdout.")
    ],
) -> None:
    """`cleaner report`: the command line of :func:`cleaner.commands.report.run_report`."""

    def job() -> int:
        # imported here: the other commands, and --version, do not load the report's code
        from cleaner.commands.report import ReportOptions, run_report

        return run_report(ReportOptions(manifest=manifest, output=output))

    _guard(job)


@app.command(
    cls=Command,
    help="List the rules, or print one rule's page (what it does, why, examples).",
    epilog=examples(
        "cleaner rules                       # every rule: code, slug, kind, summary",
        "cleaner rules BP003                 # one rule's page",
        "cleaner rules --test site-rules/    # run the examples of your own rules",
    ),
)
def rules(
    code: Annotated[str | None, typer.Argument(metavar="CODE", help="A rule code or slug.")] = None,
    rules: RuleDirs = None,
    test: Annotated[
        list[str] | None,
        typer.Option(
            "--test",
            metavar="DIR",
            help="Run the examples and negatives of the rules in this folder (local rules, LC001, ...); "
            "exit 1 if one fails. Repeatable.",
        ),
    ] = None,
) -> None:
    """`cleaner rules`: the command line of :mod:`cleaner.commands.rules`."""

    def job() -> int:
        from cleaner.commands.rules import run_rule_tests, run_rules

        config = _config()
        if test:
            return run_rule_tests(tuple(test), tuple(rules or config.rules))
        return run_rules(code, tuple(rules) if rules else config.rules)

    _guard(job)


def _print_version(value: bool) -> None:
    """``--version``: answered as soon as it is parsed (eager), before typer converts any other value."""
    if value:
        from cleaner import __version__

        typer.echo(f"cleaner {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """Nothing to do: ``--version`` is answered by its callback, a command by its function."""


def main(argv: list[str] | None = None) -> None:
    """The ``cleaner`` console script (``argv``: the arguments, else ``sys.argv[1:]``)."""
    install_signal_handlers()
    stdout = sys.stdout
    try:
        try:
            # typer reports its own usage errors with exit 2, as our contract says
            app(args=argv, prog_name="cleaner")
        finally:
            # what typer printed (--help, --version) may still be buffered: a closed pipe shows
            # now, not as "Exception ignored" at the interpreter's exit
            sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except SystemExit:
        if sys.stdout is not stdout:
            # typer met the closed pipe itself (printing --help): it wraps stdout and exits 1
            sys.exit(EXIT_BROKEN_PIPE)
        raise
    sys.exit(0)
