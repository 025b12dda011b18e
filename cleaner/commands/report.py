"""``cleaner report``: a manifest drawn as one self-contained HTML page.

The manifest is read and checked as every reader does (:func:`cleaner.manifest.load_manifest`:
either form), the page is built in memory (:mod:`cleaner.manifest.report`), then written
atomically: a run that fails leaves the output as it was, and the output is never the manifest.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cleaner.commands.common import ExitCode
from cleaner.io.discover import InputFile, shown_path
from cleaner.io.writers import atomic_file, check_output_file
from cleaner.manifest import load_manifest


@dataclass
class ReportOptions:
    """Everything ``cleaner report`` was asked to do."""

    manifest: str  # INDEX.md or its JSON form
    output: str  # the HTML file, or - for stdout


def run_report(options: ReportOptions, out: TextIO | None = None, err: TextIO | None = None) -> ExitCode:
    """Run ``cleaner report``; return its exit code.  Raises ``CleanerError`` on bad input or a missing extra."""
    out = out or sys.stdout
    err = err or sys.stderr
    source = Path(options.manifest)
    target = None if options.output == "-" else Path(options.output)
    if target is not None:  # before the work: a report never replaces its manifest
        check_output_file([InputFile(source, source.name, "text", shown_path(source))], target, "-o")
    manifest = load_manifest(source)

    from cleaner.manifest.report import render_report  # imports plotly: only when a page is built

    page = render_report(manifest)
    if target is None:
        out.write(page)
        out.flush()
        return ExitCode.OK
    with atomic_file(target) as f:
        f.write(page.encode("utf-8"))
    print(f"{shown_path(target)}: written ({len(manifest.entries)} documents)", file=err)
    return ExitCode.OK
