"""What a dask worker holds during ``dedup`` and ``index``: peak resident memory and the data of futures, by stage.

    python bench/dask_memory.py [--sizes 6 24] [--shard-mb 1.5] [--select EN001] [--commands dedup index]

Makes ``bench/scale.py``'s corpus at each size and runs each command with the dask engine on a
new LocalCluster of one worker (one thread), sampling every 0.25 s the worker's resident memory
and the bytes of the results it keeps for futures (pickled, the entries of ``worker.data``, by the
name of the function that made them: ``sign_unit``, ``_group_table``, ``getitem`` for the pieces of
a shuffle, ...).  Prints, per (size, command): the peak RSS, the peak of the kept results, and
the stages that held the most at that moment; and the kept results once the run is over.

``--select EN001`` cleans with one rule, so that the run is quick and the memory is the plan's
(the cleaning caches are bounded by ``cleaner.memo``; ``bench/worker_memory.py`` measures them).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import pickle
import sys
import time
from collections import Counter
from typing import Any

from distributed import Client, LocalCluster
from scale import OUT, Sampler, make

from cleaner.commands.dedup import DedupOptions, run_dedup
from cleaner.commands.index import IndexOptions, ManifestFormat, run_index
from cleaner.settings import Settings


def held(dask_worker: Any) -> dict[str, int]:
    """The bytes of the results a worker keeps, by the function that made them (runs on the worker)."""
    from dask.utils import key_split

    out: Counter[str] = Counter()
    for key in list(dask_worker.data.keys()):
        with contextlib.suppress(KeyError):
            # pickled, as dask would send it: its sizeof() sees a dataclass's header alone
            out[key_split(key)] += len(pickle.dumps(dask_worker.data[key], protocol=5))
    return dict(out)


class Watch(Sampler):
    """Samples a worker's RSS and held results in a thread; keeps the peaks."""

    def __init__(self, client: Client, pid: int) -> None:
        super().__init__([pid], every=0.25)
        self.client = client
        self.peak_held = 0
        self.at_peak: dict[str, int] = {}

    def sample(self) -> None:
        super().sample()
        with contextlib.suppress(Exception):  # a sample that meets the cluster between tasks
            (sizes,) = self.client.run(held).values()
            total = sum(sizes.values())
            if total > self.peak_held:
                self.peak_held, self.at_peak = total, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[6, 24], help="corpus sizes, MB")
    parser.add_argument("--shard-mb", type=float, default=1.5)
    parser.add_argument("--select", nargs="*", default=[], help="rule codes to clean with (default: all)")
    parser.add_argument("--commands", nargs="+", choices=["dedup", "index"], default=["dedup", "index"])
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    settings = Settings(select=tuple(args.select))
    for size in args.sizes:
        corpus = OUT / f"memory-{size:g}"
        docs, _bytes = make(corpus, size, args.shard_mb, args.seed)
        for command in args.commands:
            cluster = LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0")
            client = Client(cluster)
            (pid,) = client.run(os.getpid).values()
            address = cluster.scheduler_address
            out = OUT / f"memory-{command}-{size:g}.{'jsonl' if command == 'dedup' else 'json'}"
            with Watch(client, pid) as watch:
                start = time.perf_counter()
                if command == "dedup":
                    opts = DedupOptions([str(corpus)], str(out), settings=settings, engine="dask", scheduler=address)
                    run_dedup(opts, err=io.StringIO())
                else:
                    run_index(
                        IndexOptions(
                            [str(corpus)],
                            output=str(out),
                            fmt=ManifestFormat.JSON,
                            settings=settings,
                            engine="dask",
                            scheduler=address,
                        ),
                        err=io.StringIO(),
                    )
                seconds = time.perf_counter() - start
            (after,) = client.run(held).values()
            top = ", ".join(f"{k} {v / 1e6:.1f}" for k, v in sorted(watch.at_peak.items(), key=lambda kv: -kv[1])[:5])
            print(
                f"{size:g} MB, {docs} documents, {command}: {seconds:.0f} s, peak RSS {watch.peak[0] / 1e6:.0f} MB, "
                f"peak held {watch.peak_held / 1e6:.1f} MB ({top}); "
                f"held after the run {sum(after.values()) / 1e6:.1f} MB",
                flush=True,
            )
            client.close()
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
