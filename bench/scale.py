"""``--engine dask`` at growing sizes: throughput and peak memory per worker, 1 and 2 workers.

    python bench/scale.py [--sizes 4 8 16] [--workers 1 2] [--shard-mb 1] [--commands dedup index] [--fresh]

Writes ``bench/out/scale/`` (ignored by git): for each size, a corpus of news-like JSONL shards of
``--shard-mb`` MB each (``bench/make_corpus.py``'s generator, with ``url`` fields on 20 sites, so
corpus evidence runs; one record in ten a near-duplicate of a record of an earlier shard, made as
``bench/index_corpus.py`` makes them).  Then, for each number of workers, it starts a LocalCluster
(one thread a worker) and runs ``clean -o DIR``, ``dedup -o FILE`` and ``index --format json``
on it, sampling the resident memory of every worker process every 0.2 s, and checks that every
output is the same bytes for every number of workers.

More data means more shards of the same size: what grows is the number of tasks, and memory per
worker must stay flat.  ``--commands`` runs some of the three; ``--fresh`` starts a new cluster for
each command, so that a worker's peak is that command's alone (without it, the commands share the
workers and a peak includes what the earlier commands left).  Prints one table row per (size,
workers, command) and writes them to ``bench/out/scale/results.json`` (``$CLEANER_SCALE_OUT`` names
another folder).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import psutil
from distributed import Client, LocalCluster
from index_corpus import variant
from make_corpus import DEFAULT_SEED, Generator

from cleaner.commands.clean import CleanOptions, WriteMode, run_clean
from cleaner.commands.dedup import DedupOptions, run_dedup
from cleaner.commands.index import IndexOptions, ManifestFormat, run_index

OUT = Path(os.environ.get("CLEANER_SCALE_OUT") or Path(__file__).resolve().parent / "out" / "scale")
SITES = [f"site{i:02d}.example.com" for i in range(20)]


def make(root: Path, size_mb: float, shard_mb: float, seed: int) -> tuple[int, int]:
    """Shards of ``shard_mb`` MB under ``root`` up to ``size_mb``; (documents, bytes)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    gen, rng = Generator(seed), random.Random(seed)
    earlier: list[str] = []
    docs = written = shard = 0
    while written < size_mb * 1e6:
        lines, size = [], 0
        while size < shard_mb * 1e6:
            docs += 1
            if earlier and docs % 10 == 0:
                text = variant(rng.choice(earlier), rng)
            else:
                text = gen.document()
                earlier.append(text)
                if len(earlier) > 2000:
                    earlier.pop(rng.randrange(len(earlier)))
            site = SITES[docs % len(SITES)]
            line = orjson.dumps({"id": f"news-{docs:08d}", "url": f"https://{site}/{docs}", "text": text}) + b"\n"
            lines.append(line)
            size += len(line)
        (root / f"shard-{shard:05d}.jsonl").write_bytes(b"".join(lines))
        written += size
        shard += 1
    return docs, written


def commands(corpus: Path, address: str) -> dict[str, Callable[[Path], int]]:
    """The three commands on ``corpus`` with the dask engine at ``address``, each writing to the path given."""
    return {
        "clean": lambda o: run_clean(
            CleanOptions([str(corpus)], WriteMode.OUTPUT, str(o), engine="dask", scheduler=address), err=io.StringIO()
        ),
        "dedup": lambda o: run_dedup(
            DedupOptions([str(corpus)], output=str(o), engine="dask", scheduler=address), err=io.StringIO()
        ),
        "index": lambda o: run_index(
            IndexOptions([str(corpus)], output=str(o), fmt=ManifestFormat.JSON, engine="dask", scheduler=address),
            err=io.StringIO(),
        ),
    }


class Sampler:
    """The peak resident memory of each worker process, sampled in a thread."""

    def __init__(self, pids: list[int], every: float = 0.2) -> None:
        self.procs = [psutil.Process(p) for p in pids]
        self.peak = [0] * len(pids)
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        """One sample of every worker (a subclass samples more)."""
        for k, p in enumerate(self.procs):
            with contextlib.suppress(psutil.Error):  # a worker that was just restarted
                self.peak[k] = max(self.peak[k], p.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_group(
    corpus: Path,
    group: list[str],
    workers: int,
    size: float,
    docs: int,
    nbytes: int,
    shards: int,
    outputs: dict[str, set[bytes]],
) -> list[dict[str, object]]:
    """Run the commands of ``group`` one after the other on one new LocalCluster of ``workers``; their rows."""
    rows: list[dict[str, object]] = []
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
    client = Client(cluster)
    pids = list(client.run(os.getpid).values())
    runs = commands(corpus, cluster.scheduler_address)
    for command in group:
        run = runs[command]
        target = (
            OUT
            / f"{command}-{size:g}-w{workers}"
            / {"clean": "out", "dedup": "out.jsonl", "index": "out.json"}[command]
        )
        shutil.rmtree(target.parent, ignore_errors=True)
        target.parent.mkdir(parents=True)
        with Sampler(pids) as sampler:
            start = time.perf_counter()
            run(target)
            wall = time.perf_counter() - start
        data = (
            b"".join(p.read_bytes() for p in sorted(target.rglob("*.jsonl")))
            if command == "clean"
            else target.read_bytes()
        )
        outputs.setdefault(command, set()).add(data)
        row = {
            "mb": round(nbytes / 1e6, 1),
            "documents": docs,
            "shards": shards,
            "workers": workers,
            "command": command,
            "seconds": round(wall, 1),
            "mb_per_s": round(nbytes / 1e6 / wall, 3),
            "peak_worker_mb": round(max(sampler.peak) / 1e6),
        }
        row["load_average"] = round(os.getloadavg()[0], 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    client.close()
    cluster.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[4, 8, 16], help="corpus sizes, MB")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shard-mb", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--commands", nargs="+", choices=["clean", "dedup", "index"], default=["clean", "dedup", "index"]
    )
    parser.add_argument("--fresh", action="store_true", help="a new cluster for each command")
    args = parser.parse_args()
    rows = []
    OUT.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        corpus = OUT / f"corpus-{size:g}"
        docs, nbytes = make(corpus, size, args.shard_mb, args.seed)
        shards = len(list(corpus.glob("*.jsonl")))
        print(f"corpus {size:g} MB: {docs} documents, {nbytes / 1e6:.1f} MB, {shards} shards", flush=True)
        outputs: dict[str, set[bytes]] = {}
        for workers in args.workers:
            groups = [[c] for c in args.commands] if args.fresh else [args.commands]
            for group in groups:
                rows += run_group(corpus, group, workers, size, docs, nbytes, shards, outputs)
        for command, variants in outputs.items():
            print(f"{size:g} MB {command}: same bytes for workers {args.workers}: {len(variants) == 1}", flush=True)
    (OUT / "results.json").write_text(json.dumps(rows, indent=1))
    print("| MB | shards | workers | command | s | MB/s | peak MB a worker |")
    print("| ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['mb']} | {r['shards']} | {r['workers']} | {r['command']} | {r['seconds']} | {r['mb_per_s']} "
            f"| {r['peak_worker_mb']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
