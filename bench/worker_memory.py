"""What one worker process keeps between tasks: the dask engine's clean task over many shards, in one process.

    python bench/worker_memory.py [--shards 32] [--shard-mb 1]

Makes ``--shards`` shards of ``bench/scale.py``'s corpus, counts the corpus evidence over them (as
the workers do), then runs :func:`cleaner.engines.tasks.clean_unit` on each shard in turn, as a
worker with one thread does, and prints after each: the resident memory of the process, and the
entries held by the caches that live across documents (a line's words, the line shapes, the
context-free line rules' verdicts, the language of samples).  A worker's memory is bounded by the
shard size only if these lines stop growing.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import psutil
from scale import OUT, make

from cleaner.boilerplate import engine
from cleaner.corpus import Repeats
from cleaner.engines import tasks as tk
from cleaner.engines.dask import _table_token, units
from cleaner.io.discover import ReadReport, plan_inputs
from cleaner.ruleset.registry import SHAPES
from cleaner.settings import Settings
from cleaner.text import language, tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=32)
    parser.add_argument("--shard-mb", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    corpus = OUT / f"worker-memory-{args.shards}x{args.shard_mb:g}"
    make(Path(corpus), args.shards * args.shard_mb, args.shard_mb, args.seed)
    proc = psutil.Process()
    work = units(plan_inputs([str(corpus)], ReadReport()))
    settings = Settings()
    min_pages = min(r.min_pages for r in settings.ruleset().repeats)
    counted = tk.repeated_lines(min_pages, *(tk.evidence_pairs(f, "text", "id", False) for f in work))
    table = Repeats()
    table.counts.update(zip(counted["line"].tolist(), counted["count"].tolist(), strict=True))
    token = _table_token(table)
    print(f"{len(work)} shards, {len(table.counts)} repeated lines in the table", flush=True)
    print("| shard | s | RSS MB | words | shapes | verdicts | languages |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for u, files in enumerate(work):
        start = time.perf_counter()
        tk.clean_unit(files, None, settings, table, token, "text", "id", False)
        gc.collect()
        words = len(getattr(tokens._words, "table", ())) or tokens._words.cache_info().currsize  # type: ignore[attr-defined]
        shapes = sum(len(getattr(f, "table", ())) or f.cache_info().currsize for f in SHAPES.values())  # type: ignore[attr-defined]
        verdicts = sum(len(v[1]) for k, v in engine._TABLES.items() if k[0] == "verdicts")
        print(
            f"| {u + 1} | {time.perf_counter() - start:.1f} | {proc.memory_info().rss >> 20} | {words} | {shapes} "
            f"| {verdicts} | {language.detect_sample.cache_info().currsize} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
