"""Start-up and small runs: the seeds cleaned end to end, as a pre-commit hook runs the cleaner.

    python bench/startup.py [--runs 5]

Runs the command line in a fresh process ``--runs`` times each (wall clock, start-up included, and
the peak memory of the process from ``os.wait4``), with a warm user cache (the lexicon tables and
langdetect's profiles are built there on the very first run of a machine, which this script does
once before timing and reports apart):

    cleaner --version
    cleaner clean seeds -o <tmp>          (issue 12: under 1.5 s and 200 MB)
    cleaner clean seeds --check

and prints the median and the worst of each.  On a shared machine the median is the figure.
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


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one run of ``python -m cleaner ARGS``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"cleaner {' '.join(args)}: exit {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first, _ = run(["clean", "seeds", "-o", f"{tmp}/warm"])  # builds the cache if it is missing
        print(f"first run (builds the user cache if missing): {first:.2f} s")
        cases = {
            "cleaner --version": ["--version"],
            "cleaner clean seeds -o DIR": ["clean", "seeds", "-o", f"{tmp}/out"],
            "cleaner clean seeds --check": ["clean", "seeds", "--check"],
        }
        print("\n| command | median s | worst s | peak MB | runs |\n|---|---:|---:|---:|---:|")
        for name, argv in cases.items():
            results = [run(argv) for _ in range(args.runs)]
            walls = [w for w, _ in results]
            peak = max(m for _, m in results)
            print(f"| {name} | {statistics.median(walls):.2f} | {max(walls):.2f} | {peak:.0f} | {args.runs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
