"""Start-up and small runs: the seeds cleaned end to end, as a pre-commit hook runs the cleaner.

    python bench/startup.py [--runs 5] [--startup-only]

Runs the ``cleaner`` console script (beside this Python; else ``python -m cleaner``) in a fresh
process ``--runs`` times each (wall clock, start-up included, and the peak memory of the process
from ``os.wait4``), with a warm user cache (the lexicon tables and langdetect's profiles are built
there on the very first run of a machine, which this script does once before timing and reports
apart):

    python -c pass                        (the interpreter alone: the floor)
    python -c "import typer"              (the command-line library alone)
    cleaner --version                     (issue 13: well under 0.3 s)
    cleaner --help
    cleaner clean --help
    cleaner clean seeds -o <tmp>          (issue 12: under 1.5 s and 200 MB)
    cleaner clean seeds --check

and prints the median and the worst of each.  On a shared machine the median is the figure.
``python -X importtime -c "from cleaner import cli; cli.main(['--version'])"`` shows where the
start-up time goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


SCRIPT = Path(sys.executable).parent / "cleaner"
CLEANER = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cleaner"]


def run(args: list[str], command: list[str] = CLEANER) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one run of ``cleaner ARGS`` (or of ``command ARGS``)."""
    start = time.perf_counter()
    proc = subprocess.Popen([*command, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join([*command, *args])}: exit {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-only", action="store_true", help="only the start-up cases (no cleaning)")
    args = parser.parse_args()
    python = [sys.executable]
    with tempfile.TemporaryDirectory() as tmp:
        cases: dict[str, tuple[list[str], list[str]]] = {
            "python -c pass": (["-c", "pass"], python),
            'python -c "import typer"': (["-c", "import typer"], python),
            "cleaner --version": (["--version"], CLEANER),
            "cleaner --help": (["--help"], CLEANER),
            "cleaner clean --help": (["clean", "--help"], CLEANER),
        }
        if not args.startup_only:
            first, _ = run(["clean", "seeds", "-o", f"{tmp}/warm"])  # builds the cache if it is missing
            print(f"first run (builds the user cache if missing): {first:.2f} s")
            cases["cleaner clean seeds -o DIR"] = (["clean", "seeds", "-o", f"{tmp}/out"], CLEANER)
            cases["cleaner clean seeds --check"] = (["clean", "seeds", "--check"], CLEANER)
        print(f"\n{' '.join(CLEANER)}, {args.runs} runs each")
        print("\n| command | median s | worst s | peak MB | runs |\n|---|---:|---:|---:|---:|")
        for name, (argv, command) in cases.items():
            results = [run(argv, command) for _ in range(args.runs)]
            walls = [w for w, _ in results]
            peak = max(m for _, m in results)
            print(f"| {name} | {statistics.median(walls):.2f} | {max(walls):.2f} | {peak:.0f} | {args.runs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
